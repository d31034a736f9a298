package files

import (
	"context"
	"github.com/gohands/gohands/internal/fault"
	"github.com/gohands/gohands/sandbox"

	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func newService(t *testing.T, root string) *Service {
	t.Helper()
	s := New(Config{WorkspaceRoot: root, Owner: sandbox.OwnerFor(os.Geteuid(), os.Getuid())})
	t.Cleanup(s.Close)
	return s
}

// B.4: read_lines' clamping, on five lines l0..l4.
func TestReadLines(t *testing.T) {
	t.Parallel()
	all := []string{"l0\n", "l1\n", "l2\n", "l3\n", "l4\n"}
	cases := []struct {
		start, end int
		want       string
	}{
		{0, -1, "l0\nl1\nl2\nl3\nl4\n"}, {2, -1, "l2\nl3\nl4\n"}, {1, 3, "l1\nl2\n"}, {4, 5, "l3\nl4\n"},
		{0, 0, "l0\n"}, {10, -1, ""}, {-3, 2, "l0\nl1\n"}, {3, 100, "l3\nl4\n"}, {2, -7, "l2\n"},
	}
	for _, c := range cases {
		if got := strings.Join(readLines(all, c.start, c.end), ""); got != c.want {
			t.Errorf("readLines(%d, %d) = %q, want %q", c.start, c.end, got, c.want)
		}
	}
	if got := readLines(nil, 0, 5); len(got) != 0 {
		t.Errorf("empty: %q", got)
	}
}

// B.4/§5.3: the default read action.
func TestRead(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	writeFixture(t, filepath.Join(d, "hello.sh"), "echo \"Hello, World!\"\n")
	writeFixture(t, filepath.Join(d, "five.txt"), "l0\nl1\r\nl2\nl3\nl4")
	writeFixture(t, filepath.Join(d, "latin.txt"), "caf\xe9\n")
	writeFixture(t, filepath.Join(d, "Pic.PNG"), "\x89PNG")
	writeFixture(t, filepath.Join(d, "doc.pdf"), "%PDF")
	writeFixture(t, filepath.Join(d, "v.webm"), "vid")
	s := newService(t, "/nonexistent")
	cases := []struct {
		path       string
		start, end int
		content    string
		path2      string
		errText    string
	}{
		{"hello.sh", 0, -1, "echo \"Hello, World!\"\n", d + "/hello.sh", ""},
		{d + "//./five.txt", 1, 3, "l1\nl2\n", d + "/five.txt", ""},
		{"five.txt", 3, -1, "l3\nl4", d + "/five.txt", ""},
		{"Pic.PNG", 0, -1, "data:image/png;base64,iVBORw==", d + "/Pic.PNG", ""},
		{"doc.pdf", 0, -1, "data:application/pdf;base64,JVBERg==", d + "/doc.pdf", ""},
		{"v.webm", 0, -1, "data:video/webm;base64,dmlk", d + "/v.webm", ""},
		{"missing.txt", 0, -1, "", "", "File not found: " + d + "/missing.txt. Your current working directory is " + d + "."},
		{"latin.txt", 0, -1, "", "", "File could not be decoded as utf-8: " + d + "/latin.txt."},
		{".", 0, -1, "", "", "Path is a directory: " + d + ". You can only read files"},
	}
	for _, c := range cases {
		res, err := s.Read(c.path, d, c.start, c.end)
		if err != nil && !fault.Is(err, fault.Tool) {
			t.Fatalf("%s: %v", c.path, err)
		}
		if errText(err) != c.errText || (c.errText == "" && (res.Content != c.content || res.Path != c.path2)) {
			t.Errorf("Read(%q, %d, %d) = %+v", c.path, c.start, c.end, res)
		}
	}
}

// B.5/§5.4: the write action.
func TestWrite(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	s := newService(t, d)
	cases := []struct {
		name       string
		initial    *string
		content    string
		start, end int
		want       string
	}{
		{"new file gets a newline", nil, "abc", 0, -1, "abc\n"},
		{"content ending in newline gets another", nil, "a\n", 0, -1, "a\n\n"},
		{"empty content", nil, "", 0, -1, "\n"},
		{"overwrite whole file", sp("old1\nold2\n"), "new", 0, -1, "new\n"},
		{"keep lines before start and from end", sp("l0\nl1\nl2\nl3\n"), "X", 1, 3, "l0\nX\nl3\n"},
		{"start only", sp("l0\nl1\nl2\n"), "X", 2, -1, "l0\nl1\nX\n"},
		{"end only", sp("l0\nl1\nl2\n"), "X", 0, 2, "X\nl2\n"},
		{"negative indices slice as Python", sp("l0\nl1\nl2\n"), "X", -1, -2, "l0\nl1\nX\nl1\nl2\n"},
		{"CRLF read as LF", sp("a\r\nb\r\n"), "X", 1, -1, "a\nX\n"},
	}
	for i, c := range cases {
		p := filepath.Join(d, "sub", "dir", string(rune('a'+i))+".txt")
		if c.initial != nil {
			os.MkdirAll(filepath.Dir(p), 0o755)
			writeFixture(t, p, *c.initial)
		}
		res, err := s.Write(p, "/", c.content, c.start, c.end)
		if err != nil || res.Path != p {
			t.Fatalf("%s: %+v %v", c.name, res, err)
		}
		if got := readFixture(t, p); got != c.want {
			t.Errorf("%s: file %q, want %q", c.name, got, c.want)
		}
	}
	// Relative to the shell cwd; new files are 0664 and owned by the sandbox user.
	res, err := s.Write("rel/new.txt", d, "x", 0, -1)
	if err != nil || res.Path != d+"/rel/new.txt" {
		t.Fatalf("%+v %v", res, err)
	}
	fi, _ := os.Stat(res.Path)
	if fi.Mode().Perm() != 0o664 {
		t.Errorf("new file mode %v", fi.Mode())
	}
	if st := fi.Sys().(*syscall.Stat_t); int(st.Uid) != os.Getuid() {
		t.Errorf("owner %d", st.Uid)
	}
	// An existing file keeps its mode (and owner).
	p := filepath.Join(d, "keep.sh")
	writeFixture(t, p, "x\n")
	os.Chmod(p, 0o700)
	if _, err := s.Write(p, "/", "y", 0, -1); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o700 {
		t.Errorf("mode changed to %v", fi.Mode())
	}
	// Errors.
	_, err = s.Write(d, "/", "x", 0, -1)
	if errText(err) != "Path is a directory: "+d+". You can only write to files" {
		t.Errorf("dir: %v", err)
	}
	writeFixture(t, filepath.Join(d, "latin.txt"), "caf\xe9\n")
	_, err = s.Write("latin.txt", d, "x", 0, -1)
	if errText(err) != "File could not be decoded as utf-8: "+d+"/latin.txt" {
		t.Errorf("latin: %v", err)
	}
	if readFixture(t, filepath.Join(d, "latin.txt")) != "caf\xe9\n" {
		t.Error("undecodable file was changed")
	}
}

// Ownership of new files goes to the configured user (only checkable as root).
func TestWriteChownsNewFiles(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to chown")
	}
	t.Parallel()
	d := t.TempDir()
	s := New(Config{WorkspaceRoot: d, Owner: sandbox.Owner{UID: 4242, GID: 4343, Chown: true}})
	defer s.Close()
	res, err := s.Write("n.txt", d, "x", 0, -1)
	if err != nil {
		t.Fatal(res, err)
	}
	fi, _ := os.Stat(res.Path)
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != 4242 || st.Gid != 4343 {
		t.Fatalf("owner %d:%d", st.Uid, st.Gid)
	}
	// Rewriting keeps that owner even though the server is root.
	if _, err := s.Write("n.txt", d, "y", 0, -1); err != nil {
		t.Fatal(err)
	}
	fi, _ = os.Stat(res.Path)
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != 4242 {
		t.Fatalf("owner after rewrite %d", st.Uid)
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	for _, f := range []string{"b.txt", "A.txt", ".hidden", "c/", "B/", ".git/", "a/"} {
		p := filepath.Join(d, f)
		if strings.HasSuffix(f, "/") {
			os.MkdirAll(p, 0o755)
		} else {
			writeFixture(t, p, "")
		}
	}
	os.Symlink("/nonexistent", filepath.Join(d, "dangling"))
	os.Symlink(filepath.Join(d, "c"), filepath.Join(d, "linkdir"))
	s := newService(t, d)
	want := ".git/ a/ B/ c/ linkdir/ .hidden A.txt b.txt"
	for _, p := range []string{"", d, "."} {
		if got := strings.Join(s.List(p), " "); got != want {
			t.Errorf("List(%q) = %q, want %q", p, got, want)
		}
	}
	for _, p := range []string{"/nonexistent", filepath.Join(d, "b.txt")} {
		if got := s.List(p); got == nil || len(got) != 0 {
			t.Errorf("List(%q) = %#v, want []", p, got)
		}
	}
}

func buildZip(t *testing.T, members []zipMember) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		h := &zip.FileHeader{Name: m.name, Method: zip.Deflate}
		if m.link {
			h.SetMode(os.ModeSymlink | 0o777)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(m.body))
	}
	zw.Close()
	return buf.Bytes()
}

type zipMember struct {
	name, body string
	link       bool
}

func TestUpload(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	s := newService(t, d)
	dest := filepath.Join(d, "new", "dest")
	if err := s.Upload(context.Background(), dest, false, "a.txt", strings.NewReader("hello")); err != nil {
		t.Fatal(err)
	}
	if readFixture(t, filepath.Join(dest, "a.txt")) != "hello" {
		t.Fatal("upload content")
	}
	zipBytes := buildZip(t, []zipMember{{name: "test_dir/"}, {name: "test_dir/file1.txt", body: "File 1 content"}, {name: "test_dir/sub/f2", body: "2"}, {name: "test_dir/in", body: "file1.txt", link: true}})
	if err := s.Upload(context.Background(), dest, true, "tmp123.zip", bytes.NewReader(zipBytes)); err != nil {
		t.Fatal(err)
	}
	if readFixture(t, filepath.Join(dest, "test_dir/file1.txt")) != "File 1 content" || readFixture(t, filepath.Join(dest, "test_dir/sub/f2")) != "2" {
		t.Fatal("zip not extracted")
	}
	if l, _ := os.Readlink(filepath.Join(dest, "test_dir/in")); l != "file1.txt" {
		t.Fatalf("inner symlink %q", l)
	}
	entries, _ := os.ReadDir(dest)
	if len(entries) != 2 { // a.txt, test_dir; the zip itself is gone
		t.Fatalf("dest has %v", entries)
	}
	for _, c := range []struct {
		dest      string
		recursive bool
		name      string
		kind      fault.Kind
		msg       string
	}{
		{"rel/dir", false, "a.txt", fault.Invalid, "Destination must be an absolute path"},
		{dest, true, "a.txt", fault.Invalid, "Recursive uploads must be zip files"},
		{dest, false, "bad.zip", fault.Invalid, "File is not a zip file"},
	} {
		err := s.Upload(context.Background(), c.dest, c.recursive, c.name, strings.NewReader("not a zip"))
		if !fault.Is(err, c.kind) || err.Error() != c.msg {
			t.Errorf("Upload(%q, %v, %q) = %v", c.dest, c.recursive, c.name, err)
		}
	}
}

// Malicious archives are refused before anything is written, and nothing lands outside.
func TestUploadMaliciousZip(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	cases := []struct {
		name    string
		members []zipMember
		errHas  string
	}{
		{"dotdot", []zipMember{{name: "ok.txt", body: "x"}, {name: "../../evil.txt", body: "x"}}, "'..' is not allowed"},
		{"absolute", []zipMember{{name: "ok.txt", body: "x"}, {name: outside + "/evil.txt", body: "x"}}, "absolute paths are not allowed"},
		{"symlink out", []zipMember{{name: "ok.txt", body: "x"}, {name: "l", body: outside, link: true}, {name: "l/evil.txt", body: "x"}}, "points outside the destination"},
		{"relative symlink out", []zipMember{{name: "a/l", body: "../../..", link: true}}, "points outside the destination"},
	}
	for _, c := range cases {
		d := t.TempDir()
		s := newService(t, d)
		err := s.Upload(context.Background(), d, true, "x.zip", bytes.NewReader(buildZip(t, c.members)))
		if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), c.errHas) {
			t.Errorf("%s: %v", c.name, err)
		}
		if entries, _ := os.ReadDir(d); len(entries) != 0 {
			t.Errorf("%s: wrote %v", c.name, entries)
		}
	}
	// A symlink already in the destination must not be written through.
	d := t.TempDir()
	os.Symlink(outside, filepath.Join(d, "out"))
	s := newService(t, d)
	err := s.Upload(context.Background(), d, true, "x.zip", bytes.NewReader(buildZip(t, []zipMember{{name: "out/evil.txt", body: "x"}})))
	if !fault.Is(err, fault.Invalid) {
		t.Errorf("write through existing symlink: %v", err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Fatalf("wrote outside: %v", entries)
	}
}

func TestUploadLimit(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	s := New(Config{WorkspaceRoot: d, MaxUploadBytes: 10})
	defer s.Close()
	err := s.Upload(context.Background(), d, false, "big.bin", strings.NewReader(strings.Repeat("x", 11)))
	if !fault.Is(err, fault.TooLarge) {
		t.Fatalf("got %v", err)
	}
	if entries, _ := os.ReadDir(d); len(entries) != 0 {
		t.Fatalf("left %v", entries)
	}
	if err := s.Upload(context.Background(), d, false, "ok.bin", strings.NewReader(strings.Repeat("x", 10))); err != nil {
		t.Fatal(err)
	}
}

func TestZip(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	for _, f := range []string{"a.txt", "sub/b.txt", "sub/deeper/c.txt"} {
		os.MkdirAll(filepath.Join(d, filepath.Dir(f)), 0o755)
		writeFixture(t, filepath.Join(d, f), "content of "+f)
	}
	os.MkdirAll(filepath.Join(d, "empty"), 0o755)
	os.Symlink(filepath.Join(d, "a.txt"), filepath.Join(d, "link.txt"))
	os.Symlink(filepath.Join(d, "sub"), filepath.Join(d, "linkdir"))
	s := newService(t, d)
	names := func(p string) map[string]string {
		var buf bytes.Buffer
		if err := s.Zip(context.Background(), p, &buf); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, f := range zr.File {
			b, _ := readSmall(f, 1<<20)
			out[f.Name] = b
		}
		return out
	}
	got := names(d)
	want := map[string]string{"a.txt": "content of a.txt", "sub/b.txt": "content of sub/b.txt", "sub/deeper/c.txt": "content of sub/deeper/c.txt", "link.txt": "content of a.txt"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("got %v", got)
		}
	}
	if got := names(filepath.Join(d, "sub/b.txt")); len(got) != 1 || got["b.txt"] != "content of sub/b.txt" {
		t.Fatalf("single file: %v", got)
	}
	if err := s.Zip(context.Background(), "rel", &bytes.Buffer{}); !fault.Is(err, fault.Invalid) || err.Error() != "Path must be an absolute path" {
		t.Fatal(err)
	}
	if err := s.Zip(context.Background(), d+"/missing", &bytes.Buffer{}); !fault.Is(err, fault.NotFound) || err.Error() != "File not found" {
		t.Fatal(err)
	}
}

// sliceLines is the reference's read_lines over readlines(), without splitting.
func TestSliceLinesMatchesReadLines(t *testing.T) {
	t.Parallel()
	for _, text := range []string{"", "a", "a\n", "a\nb", "a\nb\n", "\n\n\n", "l0\nl1\nl2\nl3\nl4", "l0\nl1\nl2\nl3\nl4\n"} {
		for start := -3; start <= 7; start++ {
			for end := -3; end <= 7; end++ {
				want := strings.Join(readLines(splitKeepEnds(text), start, end), "")
				if got := sliceLines(text, start, end); got != want {
					t.Errorf("sliceLines(%q, %d, %d) = %q, want %q", text, start, end, got, want)
				}
			}
		}
	}
}
