package files

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gohands/gohands/internal/fault"
	"github.com/gohands/gohands/sandbox"
)

// noHang runs f and fails the test if it has not returned after a generous bound: the
// operations under test must return at once, and used to block for ever.
func noHang(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s blocked", what)
	}
}

func mkfifo(t *testing.T, p string) {
	t.Helper()
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
}

// Issue 11 items 1-2: a FIFO with no writer, a FIFO fed without end, and /dev/zero are refused
// by read, write and every editor command, at once and with a clear text, never read without
// bound nor waited on.
func TestSpecialFilesRefused(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	s := newService(t, d)
	fifo := filepath.Join(d, "fifo")
	mkfifo(t, fifo)
	fed := filepath.Join(d, "fed")
	mkfifo(t, fed)
	// A writer like `yes` on fed: it opens O_RDWR so that it never blocks itself.
	w, err := os.OpenFile(fed, os.O_RDWR|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		line := bytes.Repeat([]byte("y\n"), 2048)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := w.Write(line); err != nil && !errors.Is(err, syscall.EAGAIN) {
				return
			}
		}
	}()
	zero := filepath.Join(d, "zero")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{fifo: "a FIFO", fed: "a FIFO", zero: "a character device"}
	for _, p := range []string{fifo, fed, zero} {
		kind := kinds[p]
		noHang(t, "read "+p, func() {
			_, err := s.Read(p, d, 0, -1)
			want := "Path is " + kind + ", not a regular file: " + p + ". You can only read files"
			if errText(err) != want {
				t.Errorf("read %s: %v, want %q", p, err, want)
			}
		})
		noHang(t, "write "+p, func() {
			_, err := s.Write(p, d, "x", 0, -1)
			want := "Path is " + kind + ", not a regular file: " + p + ". You can only write to files"
			if errText(err) != want {
				t.Errorf("write %s: %v, want %q", p, err, want)
			}
		})
		for _, req := range []EditRequest{
			{Command: "view", Path: p},
			{Command: "str_replace", Path: p, OldStr: sp("y"), NewStr: sp("n")},
			{Command: "insert", Path: p, InsertLine: ip(0), NewStr: sp("n")},
			{Command: "undo_edit", Path: p},
		} {
			noHang(t, req.Command+" "+p, func() {
				_, err := s.Editor().Edit(req)
				want := "File validation failed for " + p + ": File is " + kind + ", not a regular file, and cannot be read or edited by this tool."
				if errText(err) != want {
					t.Errorf("%s %s: %v, want %q", req.Command, p, err, want)
				}
			})
		}
		noHang(t, "IsBinary "+p, func() { IsBinary(p) })
	}
	if !IsBinary(zero) {
		t.Error("/dev/zero is binary, as binaryornot says")
	}
	// A special file inside a download is skipped; alone, it gives an empty zip.
	noHang(t, "download", func() {
		got := zipNames(t, s, d)
		if len(got) != 0 {
			t.Errorf("download of specials: %v", got)
		}
		if got := zipNames(t, s, "/dev/urandom"); len(got) != 0 {
			t.Errorf("download of /dev/urandom: %v", got)
		}
	})
}

func zipNames(t *testing.T, s *Service, p string) []string {
	t.Helper()
	var buf bytes.Buffer
	if err := s.Zip(context.Background(), p, &buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range zr.File {
		out = append(out, f.Name)
	}
	sort.Strings(out)
	return out
}

// A download stops when its context ends (the client went away).
func TestZipStopsOnCancel(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	s := newService(t, d)
	writeFixture(t, filepath.Join(d, "a"), "x")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Zip(ctx, d, io.Discard); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
}

func inode(t *testing.T, p string) uint64 {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

// Issue 11 item 6: a process holding the file open keeps all it writes while the editor and
// `write` change the file; a hard link stays a link; a file nobody has open is still replaced
// atomically (a new inode).
func TestWritesKeepOtherWriters(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	s := newService(t, d)
	p := filepath.Join(d, "log.txt")
	writeFixture(t, p, "header\n")
	app, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := "HEADER\n"
	for i := 0; i < 20; i++ {
		line := "line " + strconv.Itoa(i) + "\n"
		if _, err := app.WriteString(line); err != nil {
			t.Fatal(err)
		}
		want += line
		if i%2 == 0 {
			old, new := "header", "HEADER"
			if i > 0 {
				old, new = "HEADER", "header"
			}
			if _, err := s.Editor().Edit(EditRequest{Command: "str_replace", Path: p, OldStr: sp(old), NewStr: sp(new)}); err != nil {
				t.Fatal(err)
			}
			s.Editor().Edit(EditRequest{Command: "str_replace", Path: p, OldStr: sp(new), NewStr: sp("HEADER")})
		} else {
			// `write` keeping every line from 1 on: line 0 rewritten.
			if _, err := s.Write(p, d, "HEADER", 0, 1); err != nil {
				t.Fatal(err)
			}
		}
	}
	app.Close()
	if got := readFixture(t, p); got != want {
		t.Fatalf("appender lost data:\n got %q\nwant %q", got, want)
	}

	// Hard links.
	a, b := filepath.Join(d, "a.txt"), filepath.Join(d, "b.txt")
	writeFixture(t, a, "one\ntwo\n")
	if err := os.Link(a, b); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Editor().Edit(EditRequest{Command: "str_replace", Path: a, OldStr: sp("one"), NewStr: sp("ONE")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write(b, d, "TWO", 1, -1); err != nil {
		t.Fatal(err)
	}
	if inode(t, a) != inode(t, b) || readFixture(t, a) != "ONE\nTWO\n" || readFixture(t, b) != "ONE\nTWO\n" {
		t.Fatalf("hard link broken: %q %q", readFixture(t, a), readFixture(t, b))
	}

	// Nobody else has c open: replaced by rename (crash-safe), mode kept.
	c := filepath.Join(d, "c.txt")
	writeFixture(t, c, "x\n")
	os.Chmod(c, 0o640)
	before := inode(t, c)
	if _, err := s.Write(c, d, "y", 0, -1); err != nil {
		t.Fatal(err)
	}
	if inode(t, c) == before {
		t.Skip("no write lease on this file system: every write is in place")
	}
	if fi, _ := os.Stat(c); fi.Mode().Perm() != 0o640 || readFixture(t, c) != "y\n" {
		t.Fatalf("atomic replace: %v %q", fi.Mode(), readFixture(t, c))
	}
	if entries, _ := filepath.Glob(filepath.Join(d, ".*.tmp")); len(entries) != 0 {
		t.Fatalf("temp files left: %v", entries)
	}
}

// Issue 11 item 7: one owner rule for everything created: write (and its parents), the
// editor's create, plain and zip uploads and the directories they make. Existing files keep
// their own mode and owner.
func TestOwnerRule(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give files away")
	}
	t.Parallel()
	d := t.TempDir()
	owner := sandbox.Owner{UID: 4242, GID: 4242, Chown: true}
	s := New(Config{WorkspaceRoot: d, Owner: owner})
	defer s.Close()
	check := func(p string, dir bool) {
		t.Helper()
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if st.Uid != 4242 || st.Gid != 4242 || fi.Mode().Perm() != owner.Mode(dir) {
			t.Errorf("%s: %v %d:%d", p, fi.Mode(), st.Uid, st.Gid)
		}
	}
	if _, err := s.Write("w/sub/new.txt", d, "x", 0, -1); err != nil {
		t.Fatal(err)
	}
	check(filepath.Join(d, "w"), true)
	check(filepath.Join(d, "w/sub"), true)
	check(filepath.Join(d, "w/sub/new.txt"), false)
	if _, err := s.Editor().Edit(EditRequest{Command: "create", Path: filepath.Join(d, "created.txt"), FileText: sp("x")}); err != nil {
		t.Fatal(err)
	}
	check(filepath.Join(d, "created.txt"), false)
	up := filepath.Join(d, "up", "load")
	if err := s.Upload(context.Background(), up, false, "plain.txt", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	check(filepath.Join(d, "up"), true)
	check(up, true)
	check(filepath.Join(up, "plain.txt"), false)
	z := buildZip(t, []zipMember{{name: "zd/"}, {name: "zd/f.txt", body: "f"}, {name: "implicit/g.txt", body: "g"}})
	if err := s.Upload(context.Background(), up, true, "x.zip", bytes.NewReader(z)); err != nil {
		t.Fatal(err)
	}
	check(filepath.Join(up, "zd"), true)
	check(filepath.Join(up, "zd/f.txt"), false)
	check(filepath.Join(up, "implicit"), true)
	check(filepath.Join(up, "implicit/g.txt"), false)
	// An existing file replaced by an upload keeps its mode and owner.
	keep := filepath.Join(up, "keep.sh")
	writeFixture(t, keep, "old")
	os.Chmod(keep, 0o750)
	os.Chown(keep, 5151, 5151)
	if err := s.Upload(context.Background(), up, false, "keep.sh", strings.NewReader("new")); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(keep)
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != 5151 || fi.Mode().Perm() != 0o750 || readFixture(t, keep) != "new" {
		t.Errorf("replaced upload: %v %d", fi.Mode(), st.Uid)
	}
}

// tree lists everything under d (relative names, "name -> target" for links, "name/" for
// directories), to compare a destination before and after.
func tree(t *testing.T, d string) string {
	t.Helper()
	var out []string
	filepath.Walk(d, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == d {
			return nil
		}
		rel, _ := filepath.Rel(d, p)
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			rel += " -> " + l
		case fi.IsDir():
			rel += "/"
		default:
			b, _ := os.ReadFile(p)
			rel += "=" + string(b)
		}
		out = append(out, rel)
		return nil
	})
	return strings.Join(out, "\n")
}

// Issue 11 item 5: archives (and plain uploads) that try to leave the destination through
// symlinks, made by the archive or already there, are refused, and then the destination is
// exactly as it was and nothing exists outside.
func TestUploadEscapes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		setup   func(dest, outside string)
		plain   string // plain upload of this file name instead of a zip
		members []zipMember
		errHas  string
	}{
		{name: "dir link then relative chain", members: []zipMember{{name: "d", body: ".", link: true}, {name: "d/d/l", body: "../..", link: true}, {name: "l/victim/x", body: "x"}}, errHas: "outside the destination"},
		{name: "link up two", members: []zipMember{{name: "ok.txt", body: "x"}, {name: "up/l", body: "../..", link: true}}, errHas: "outside the destination"},
		{name: "link up then dir through it", members: []zipMember{{name: "up/l", body: "../..", link: true}, {name: "up/l/made/", body: ""}}, errHas: "outside the destination"},
		{name: "absolute link", members: []zipMember{{name: "abs", body: "/etc", link: true}}, errHas: "points outside the destination"},
		{name: "existing link out, dir member", setup: func(dest, outside string) { os.Symlink(outside, filepath.Join(dest, "out")) },
			members: []zipMember{{name: "ok.txt", body: "x"}, {name: "out/made/"}}, errHas: "outside the destination"},
		{name: "existing link out, file member", setup: func(dest, outside string) { os.Symlink(outside, filepath.Join(dest, "out")) },
			members: []zipMember{{name: "out/evil.txt", body: "x"}}, errHas: "outside the destination"},
		{name: "existing relative link out", setup: func(dest, outside string) { os.Symlink("../../../../../../../../..", filepath.Join(dest, "rel")) },
			members: []zipMember{{name: "rel/tmp/evil.txt", body: "x"}}, errHas: "outside the destination"},
		{name: "existing link to dest itself, link member climbs", setup: func(dest, outside string) { os.Symlink(".", filepath.Join(dest, "self")) },
			members: []zipMember{{name: "self/a/l", body: "../..", link: true}}, errHas: "outside the destination"},
		{name: "link chain through existing inside link", setup: func(dest, outside string) {
			os.Mkdir(filepath.Join(dest, "real"), 0o755)
			os.Symlink("real", filepath.Join(dest, "in"))
		}, members: []zipMember{{name: "in/l", body: "../..", link: true}}, errHas: "outside the destination"},
		{name: "plain upload over link out", setup: func(dest, outside string) { os.Symlink(outside+"/victim", filepath.Join(dest, "f.txt")) },
			plain: "f.txt", errHas: "outside the destination"},
		{name: "bad member after good ones", members: []zipMember{{name: "good.txt", body: "x"}, {name: "sub/good2.txt", body: "y"}, {name: "../evil", body: "x"}}, errHas: "'..' is not allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dest, outside := t.TempDir(), t.TempDir()
			writeFixture(t, filepath.Join(dest, "existing.txt"), "keep")
			if c.setup != nil {
				c.setup(dest, outside)
			}
			before := tree(t, dest)
			s := newService(t, dest)
			var err error
			if c.plain != "" {
				err = s.Upload(context.Background(), dest, false, c.plain, strings.NewReader("payload"))
			} else {
				err = s.Upload(context.Background(), dest, true, "x.zip", bytes.NewReader(buildZip(t, c.members)))
			}
			if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), c.errHas) {
				t.Errorf("got %v, want Invalid with %q", err, c.errHas)
			}
			if after := tree(t, dest); after != before {
				t.Errorf("destination changed:\nbefore\n%s\nafter\n%s", before, after)
			}
			if got := tree(t, outside); got != "" {
				t.Errorf("written outside: %s", got)
			}
		})
	}
}

// What is allowed: symlinks that stay inside are followed, by plain and zip uploads alike, and
// a destination that is itself a symlink is the directory it points to.
func TestUploadInsideLinks(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	real := filepath.Join(base, "real")
	os.Mkdir(real, 0o755)
	dest := filepath.Join(base, "dest")
	os.Symlink(real, dest)
	os.Mkdir(filepath.Join(real, "target"), 0o755)
	os.Symlink("target", filepath.Join(real, "in"))
	writeFixture(t, filepath.Join(real, "target", "f.txt"), "old")
	os.Symlink("target/f.txt", filepath.Join(real, "f.txt"))
	s := newService(t, base)
	if err := s.Upload(context.Background(), dest, false, "f.txt", strings.NewReader("plain")); err != nil {
		t.Fatal(err)
	}
	z := buildZip(t, []zipMember{{name: "in/z.txt", body: "zip"}, {name: "in/deep/y.txt", body: "y"}, {name: "l", body: "in/z.txt", link: true}})
	if err := s.Upload(context.Background(), dest, true, "x.zip", bytes.NewReader(z)); err != nil {
		t.Fatal(err)
	}
	want := "f.txt -> target/f.txt\nin -> target\nl -> in/z.txt\ntarget/\ntarget/deep/\ntarget/deep/y.txt=y\ntarget/f.txt=plain\ntarget/z.txt=zip"
	if got := tree(t, real); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// Issue 11 item 4: a zip bomb is refused from its declared sizes, before anything is inflated;
// too many members too; the destination is unchanged and a destination the upload created is
// removed again.
func TestUploadZipLimits(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	s := New(Config{WorkspaceRoot: base, MaxZipBytes: 1 << 20, MaxZipEntries: 10})
	defer s.Close()
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, _ := zw.Create("zeros")
	zero := make([]byte, 1<<20)
	for i := 0; i < 3; i++ {
		w.Write(zero)
	}
	zw.Close()
	many := make([]zipMember, 11)
	for i := range many {
		many[i] = zipMember{name: "f" + strconv.Itoa(i), body: "x"}
	}
	for _, c := range []struct {
		name string
		zip  []byte
		msg  string
	}{
		{"expanded size", bomb.Bytes(), "Zip contents exceed the maximum extracted size of 1048576 bytes"},
		{"entries", buildZip(t, many), "Zip has 11 entries, more than the limit of 10"},
	} {
		dest := filepath.Join(base, c.name, "new")
		err := s.Upload(context.Background(), dest, true, "b.zip", bytes.NewReader(c.zip))
		if !fault.Is(err, fault.TooLarge) || err.Error() != c.msg {
			t.Errorf("%s: %v", c.name, err)
		}
		if _, err := os.Lstat(filepath.Join(base, c.name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: created destination left behind", c.name)
		}
	}
}

// An upload whose body fails half way (client gone, context cancelled) or whose archive is
// corrupt after good members leaves the destination as it was and no temporary file.
func TestUploadFailuresLeaveNothing(t *testing.T) {
	t.Parallel()
	dest := t.TempDir()
	writeFixture(t, filepath.Join(dest, "existing.txt"), "keep")
	s := newService(t, dest)
	before := tree(t, dest)
	ctx, cancel := context.WithCancel(context.Background())
	body := io.MultiReader(strings.NewReader(strings.Repeat("x", 1<<20)), readerFunc(func([]byte) (int, error) {
		cancel()
		return 0, nil
	}), strings.NewReader("more"))
	if err := s.Upload(ctx, dest, false, "big.bin", body); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled plain upload: %v", err)
	}
	z := buildZip(t, []zipMember{{name: "a.txt", body: "x"}, {name: "b.txt", body: "y"}})
	if err := s.Upload(context.Background(), dest, true, "x.zip", io.MultiReader(bytes.NewReader(z[:len(z)/2]), errReader{})); err == nil {
		t.Error("broken body accepted")
	}
	// Corrupt the second member's data: its CRC no longer matches.
	good := buildZip(t, []zipMember{{name: "a.txt", body: "first"}, {name: "b.txt", body: strings.Repeat("second", 100)}})
	i := bytes.LastIndex(good, []byte("b.txt"))
	bad := append([]byte{}, good...)
	for j := i + 10; j < i+40 && j < len(bad); j++ {
		bad[j] ^= 0x55
	}
	if err := s.Upload(context.Background(), dest, true, "x.zip", bytes.NewReader(bad)); err == nil {
		t.Error("corrupt zip accepted")
	}
	if after := tree(t, dest); after != before {
		t.Fatalf("destination changed:\n%s\n---\n%s", before, after)
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(b []byte) (int, error) { return f(b) }

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// An upload over a file with hard links rewrites it in place: the links keep sharing it.
func TestUploadKeepsHardLinks(t *testing.T) {
	t.Parallel()
	dest := t.TempDir()
	a, b := filepath.Join(dest, "a.txt"), filepath.Join(dest, "b.txt")
	writeFixture(t, a, "old")
	if err := os.Link(a, b); err != nil {
		t.Fatal(err)
	}
	s := newService(t, dest)
	if err := s.Upload(context.Background(), dest, false, "a.txt", strings.NewReader("new")); err != nil {
		t.Fatal(err)
	}
	if inode(t, a) != inode(t, b) || readFixture(t, b) != "new" {
		t.Fatalf("link broken: %q", readFixture(t, b))
	}
	z := buildZip(t, []zipMember{{name: "b.txt", body: "zipped"}})
	if err := s.Upload(context.Background(), dest, true, "x.zip", bytes.NewReader(z)); err != nil {
		t.Fatal(err)
	}
	if inode(t, a) != inode(t, b) || readFixture(t, a) != "zipped" {
		t.Fatalf("link broken by zip: %q", readFixture(t, a))
	}
}

// An archive declaring more entries than the limit is refused from its end record, before
// they are listed (listing a few million declared entries would take gigabytes).
func TestUploadZipEntryCountFirst(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	s := New(Config{WorkspaceRoot: d, MaxZipEntries: 10})
	defer s.Close()
	// Only an end of central directory record, declaring 60000 entries.
	eocd := []byte("PK\x05\x06\x00\x00\x00\x00\x60\xea\x60\xea\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	err := s.Upload(context.Background(), d, true, "x.zip", bytes.NewReader(eocd))
	if !fault.Is(err, fault.TooLarge) || err.Error() != "Zip has 60000 entries, more than the limit of 10" {
		t.Fatalf("got %v", err)
	}
	// Past 65535 entries the count is in the zip64 record.
	var many bytes.Buffer
	zw := zip.NewWriter(&many)
	for i := 0; i < 70000; i++ {
		zw.CreateHeader(&zip.FileHeader{Name: strconv.Itoa(i), Method: zip.Store})
	}
	zw.Close()
	if n, ok := zipEntryCount(bytes.NewReader(many.Bytes()), int64(many.Len())); !ok || n != 70000 {
		t.Fatalf("zip64 count %d %v", n, ok)
	}
}

// A process that opens the file while the new content is being written (the write lease is
// being broken) sees the write: the rename is dropped for an in-place write, same inode.
func TestWriteFileOpenDuringWrite(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	p := filepath.Join(d, "f.txt")
	writeFixture(t, p, "old\n")
	before := inode(t, p)
	opened := false
	var openErr error
	err := writeFile(p, func(w io.Writer) error {
		if _, err := io.WriteString(w, "new "); err != nil {
			return err
		}
		if !opened { // only the first pass: a fallback writes the content again
			opened = true
			f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
			if err == nil {
				f.Close() // no lease was held: nothing to test
			}
			openErr = err
		}
		_, err := io.WriteString(w, "content\n")
		return err
	}, sandbox.Owner{})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(openErr, syscall.EWOULDBLOCK) {
		t.Skipf("no write lease here (open gave %v)", openErr)
	}
	if inode(t, p) != before || readFixture(t, p) != "new content\n" {
		t.Fatalf("replaced by rename while another opener was waiting: %q", readFixture(t, p))
	}
}

// Issue 11 item 6, as reported: a shell appending line by line (`echo … >> f`, one open per
// line) while the editor and `write` change the file loses nothing (the reference's and a
// rename's window between reading the old content and writing the new one lost hundreds of
// lines): the write lease is held from before the read, so an append waits for the write.
func TestConcurrentAppenderKeepsLines(t *testing.T) {
	t.Parallel()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	d := t.TempDir()
	s := newService(t, d)
	p := filepath.Join(d, "log.txt")
	writeFixture(t, p, "TOKEN_A\n")
	const n = 400
	cmd := exec.Command(bash, "-c", "for i in $(seq "+strconv.Itoa(n)+"); do echo line$i >> "+p+"; done")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tok := []string{"TOKEN_A", "TOKEN_B"}
	edits := 0
	for running := true; running; edits++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			running = false
		default:
		}
		if edits%2 == 0 {
			if _, err := s.Editor().Edit(EditRequest{Command: "str_replace", Path: p, OldStr: &tok[edits/2%2], NewStr: &tok[(edits/2+1)%2]}); err != nil {
				t.Fatal(err)
			}
		} else if _, err := s.Write(p, d, tok[(edits/2+1)%2], 0, 1); err != nil {
			t.Fatal(err)
		}
	}
	got := readFixture(t, p)
	for i := 1; i <= n; i++ {
		if !strings.Contains(got, "\nline"+strconv.Itoa(i)+"\n") {
			t.Fatalf("line%d lost after %d edits", i, edits)
		}
	}
}

// An upload over a file another process holds open rewrites it in place: the holder keeps
// writing to the file everyone sees.
func TestUploadOverOpenFile(t *testing.T) {
	t.Parallel()
	dest := t.TempDir()
	p := filepath.Join(dest, "log.txt")
	writeFixture(t, p, "old\n")
	app, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	s := newService(t, dest)
	if err := s.Upload(context.Background(), dest, false, "log.txt", strings.NewReader("uploaded\n")); err != nil {
		t.Fatal(err)
	}
	app.WriteString("appended\n")
	if got := readFixture(t, p); got != "uploaded\nappended\n" {
		t.Fatalf("got %q", got)
	}
}

// An appender whose open() found the old file just before a write replaced it by rename
// (after the lease was last checked) is blocked by the lease, then writes to the replaced
// inode: its line was lost (about 1 edit in 200 lost a line of a shell appending with `>>`).
// The replacement now swaps the files and checks the lease after the swap, so that such an
// opener is seen and the file is rewritten in place instead.
func TestOpenerRacingTheRenameKeepsItsLine(t *testing.T) {
	d := t.TempDir()
	p := filepath.Join(d, "log.txt")
	writeFixture(t, p, "old\n")
	h, err := openForWrite(p)
	if err != nil {
		t.Fatal(err)
	}
	if h == nil || !h.leased {
		if h != nil {
			h.close()
		}
		t.Skip("no write lease here")
	}
	appended := make(chan error, 1)
	beforeSwitch = func(f *os.File) {
		beforeSwitch = nil
		// The appender's open resolves the path now, to the old inode, and waits for the lease.
		go func() {
			a, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
			if err == nil {
				_, err = a.WriteString("appended\n")
				if cerr := a.Close(); err == nil {
					err = cerr
				}
			}
			appended <- err
		}()
		for leaseIntact(f) { // until the kernel holds the opener
			time.Sleep(time.Millisecond)
		}
	}
	defer func() { beforeSwitch = nil }()
	err = h.write(p, bytesContent([]byte("new\n")))
	h.close()
	if err != nil {
		t.Fatal(err)
	}
	if err := <-appended; err != nil {
		t.Fatal(err)
	}
	if got := readFixture(t, p); got != "new\nappended\n" {
		t.Fatalf("the line appended during the switch is lost: %q", got)
	}
	if left, _ := filepath.Glob(filepath.Join(d, ".*.tmp")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// A writer holding the file open (no lease can be had) that appends while the lease is being
// retried did not change the file as it is then read: comparing with the file as it was
// before the wait called every such edit a conflict, so all three attempts failed and the
// last one wrote without any check, losing lines appended meanwhile (2 in 34 edits).
func TestAppendDuringLeaseWaitIsNotAConflict(t *testing.T) {
	d := t.TempDir()
	p := filepath.Join(d, "log.txt")
	writeFixture(t, p, "old\n")
	w, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	appended := false
	onLeaseBusy = func() {
		if !appended {
			appended = true
			if _, err := w.WriteString("during the wait\n"); err != nil {
				t.Error(err)
			}
		}
	}
	defer func() { onLeaseBusy = nil }()
	h, err := openForWrite(p)
	if err != nil {
		t.Fatal(err)
	}
	defer h.close()
	if !appended {
		t.Skip("no lease refused here")
	}
	data, err := h.read(-1)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.write(p, bytesContent(append([]byte("new\n"), data...))); err != nil {
		t.Fatalf("an append before the read is taken for a conflict: %v", err)
	}
	if got := readFixture(t, p); got != "new\nold\nduring the wait\n" {
		t.Fatalf("got %q", got)
	}
}

// A writer that keeps the file open and appends between the editor's read and its write, three
// times running, loses nothing: the edit is read and made again, more often than that, and
// before the last attempt (which writes whatever happens). Three attempts, each waiting 50 ms
// for a lease it could not have, lost the third line.
func TestEditRetriesAWriterThatHoldsTheFile(t *testing.T) {
	d := t.TempDir()
	s := newService(t, d)
	p := filepath.Join(d, "log.txt")
	writeFixture(t, p, "TOKEN_A\n")
	w, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	n := 0
	beforeInPlace = func() {
		if n < 3 {
			n++
			if _, err := fmt.Fprintf(w, "line%d\n", n); err != nil {
				t.Error(err)
			}
		}
	}
	defer func() { beforeInPlace = nil }()
	old, repl := "TOKEN_A", "TOKEN_B"
	if _, err := s.Editor().Edit(EditRequest{Command: "str_replace", Path: p, OldStr: &old, NewStr: &repl}); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Skip("written without the in-place path here")
	}
	if got := readFixture(t, p); got != "TOKEN_B\nline1\nline2\nline3\n" {
		t.Fatalf("got %q", got)
	}
}

// A `read` of a huge regular file, or a `write` that keeps lines of one, is refused with a
// tool error instead of buffering it: a 100 GiB sparse text file made the server allocate
// 100 GiB at once and die (fatal error: runtime: out of memory), killing every session.
func TestHugeRegularFileReadRefused(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	s := newService(t, d)
	p := filepath.Join(d, "huge.log")
	writeFixture(t, p, strings.Repeat("a line of text\n", 100))
	if err := os.Truncate(p, 100<<30); err != nil {
		t.Skip("no sparse files here:", err)
	}
	want := "File is too large to read: " + p + " (more than 268435456 bytes). Read parts of it with a command (head, tail, sed -n)."
	for name, call := range map[string]func() error{
		"read": func() error { _, err := s.Read(p, d, 0, 2); return err },
		"read image": func() error {
			q := p + ".png"
			_ = os.Rename(p, q)
			defer os.Rename(q, p)
			_, err := s.Read(q, d, 0, -1)
			return err
		},
		"write keeping lines": func() error { _, err := s.Write(p, d, "x", 0, 1); return err },
	} {
		err := call()
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Kind != fault.Tool || !strings.HasPrefix(fe.Msg, "File is too large to read: ") {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
	if fi, err := os.Stat(p); err != nil || fi.Size() != 100<<30 {
		t.Fatalf("the file was changed: %v %v", fi.Size(), err)
	}
}

// A `write` of a whole file over one above the read bound replaces it without first reading
// all of it to check that it is UTF-8 (a 10 GiB sparse file held the action lock for 33 s;
// the reference reads the old content whole, which a file that size does not survive).
func TestWholeWriteOverHugeFileSkipsTheCheck(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	s := newService(t, d)
	p := filepath.Join(d, "huge.log")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	// Valid text, a hole, and a byte that is not UTF-8 at the very end.
	if _, err := f.WriteAt([]byte("\xff"), DefaultMaxReadBytes+1<<20); err != nil {
		t.Skip("no sparse files here:", err)
	}
	f.Close()
	if _, err := s.Write(p, d, "new", 0, -1); err != nil {
		t.Fatalf("the whole file was read to be checked: %v", err)
	}
	if got := readFixture(t, p); got != "new\n" {
		t.Fatalf("got %q", got)
	}
}
