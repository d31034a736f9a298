package executor

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/gohands/gohands/files"
	"github.com/gohands/gohands/sandbox"
)

// fileServer is the HTTP front door in-process, with a file service and no bash.
func fileServer(t *testing.T, fc files.Config) *httptest.Server {
	t.Helper()
	if fc.WorkspaceRoot == "" {
		fc.WorkspaceRoot = t.TempDir()
	}
	fc.Owner = sandbox.OwnerFor(os.Geteuid(), os.Getuid())
	fs := files.New(fc)
	t.Cleanup(fs.Close)
	x := New(Config{WorkingDir: fc.WorkspaceRoot})
	x.files = fs
	srv := httptest.NewServer(NewHTTP(x))
	t.Cleanup(srv.Close)
	return srv
}

type reply struct {
	status int
	body   string
}

func (r reply) detail() string {
	var v struct {
		Detail any `json:"detail"`
	}
	_ = json.Unmarshal([]byte(r.body), &v)
	if s, ok := v.Detail.(string); ok {
		return s
	}
	b, _ := json.Marshal(v.Detail)
	return string(b)
}

func do(t *testing.T, req *http.Request) reply {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(b)}
}

func uploadReq(t *testing.T, url, query, field, name string, content []byte) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if field != "" {
		w, _ := mw.CreateFormFile(field, name)
		w.Write(content)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", url+"/upload_file"+query, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

func zipOf(t *testing.T, members map[string]string, links map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(members))
	for n := range members {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, _ := zw.Create(n)
		w.Write([]byte(members[n]))
	}
	for n, target := range links {
		h := &zip.FileHeader{Name: n}
		h.SetMode(os.ModeSymlink | 0o777)
		w, _ := zw.CreateHeader(h)
		w.Write([]byte(target))
	}
	zw.Close()
	return buf.Bytes()
}

func listDir(t *testing.T, d string) []string {
	t.Helper()
	var out []string
	filepath.Walk(d, func(p string, fi os.FileInfo, err error) error {
		if err == nil && p != d {
			rel, _ := filepath.Rel(d, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

// /upload_file with every bad input: the reference's status and detail, and nothing left in
// the destination (no temporary file either).
func TestHTTPUploadBadInput(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	srv := fileServer(t, files.Config{WorkspaceRoot: root, MaxUploadBytes: 1 << 20, MaxZipBytes: 1 << 20, MaxZipEntries: 5})
	dest := filepath.Join(root, "dest")
	os.Mkdir(dest, 0o755)
	outside := t.TempDir()
	os.Symlink(outside, filepath.Join(dest, "out"))
	before := listDir(t, dest)
	q := "?destination=" + dest
	bomb := zipOf(t, map[string]string{"zeros": strings.Repeat("\x00", 2<<20)}, nil)
	many := map[string]string{}
	for i := 0; i < 6; i++ {
		many[fmt.Sprint(i)] = "x"
	}
	cases := []struct {
		name   string
		req    *http.Request
		status int
		detail string
	}{
		{"no file field", uploadReq(t, srv.URL, q, "", "", nil), 422, "Invalid request parameters"},
		{"bad recursive", uploadReq(t, srv.URL, q+"&recursive=maybe", "file", "a.txt", []byte("x")), 422, ""},
		{"relative destination", uploadReq(t, srv.URL, "?destination=rel", "file", "a.txt", []byte("x")), 400, "Destination must be an absolute path"},
		{"recursive not zip", uploadReq(t, srv.URL, q+"&recursive=true", "file", "a.txt", []byte("x")), 400, "Recursive uploads must be zip files"},
		{"not a zip", uploadReq(t, srv.URL, q, "file", "a.zip", []byte("x")), 400, "File is not a zip file"},
		{"too large", uploadReq(t, srv.URL, q, "file", "a.bin", bytes.Repeat([]byte("x"), 1<<20+1)), 400, "File exceeds the maximum upload size of 1048576 bytes"},
		{"zip bomb", uploadReq(t, srv.URL, q, "file", "b.zip", bomb), 400, "Zip contents exceed the maximum extracted size of 1048576 bytes"},
		{"zip entries", uploadReq(t, srv.URL, q, "file", "m.zip", zipOf(t, many, nil)), 400, "Zip has 6 entries, more than the limit of 5"},
		{"dotdot member", uploadReq(t, srv.URL, q, "file", "e.zip", zipOf(t, map[string]string{"../e": "x"}, nil)), 400, "Unsafe zip member '../e': '..' is not allowed"},
		{"link member out", uploadReq(t, srv.URL, q, "file", "l.zip", zipOf(t, nil, map[string]string{"up/l": "../.."})), 400, "Unsafe zip member 'up/l': symlink to '../..' points outside the destination"},
		{"through existing link", uploadReq(t, srv.URL, q, "file", "o.zip", zipOf(t, map[string]string{"out/x": "x"}, nil)), 400, "Unsafe upload path 'out': it leads outside the destination"},
		{"plain through link", uploadReq(t, srv.URL, "?destination="+filepath.Join(dest, "out"), "file", "x", []byte("x")), 200, ""},
	}
	// The last case is allowed: the destination itself may be a symlink (the client chose
	// it); check it wrote where the link points, then remove it for the unchanged check.
	for _, c := range cases {
		r := do(t, c.req)
		if r.status != c.status || (c.detail != "" && r.detail() != c.detail) {
			t.Errorf("%s: %d %s, want %d %q", c.name, r.status, r.body, c.status, c.detail)
		}
	}
	if _, err := os.Stat(filepath.Join(outside, "x")); err != nil {
		t.Fatal("upload into a symlinked destination:", err)
	}
	os.Remove(filepath.Join(outside, "x"))
	if after := listDir(t, dest); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Fatalf("destination changed: %v -> %v", before, after)
	}
	if got := listDir(t, outside); len(got) != 0 {
		t.Fatalf("written outside: %v", got)
	}
}

// Issue 11 item 13: a body with a bad chunk size is the client's error, a 400 in the
// reference's format, on every file route that reads a body; never a 500.
func TestHTTPFileRoutesBadChunkedBody(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	srv := fileServer(t, files.Config{WorkspaceRoot: root})
	addr := strings.TrimPrefix(srv.URL, "http://")
	send := func(path, ctype, body string) reply {
		t.Helper()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\nzz\r\n", path, ctype, len(body), body)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return reply{resp.StatusCode, string(b)}
	}
	mp := "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nsome content"
	for _, c := range []struct{ name, path, ctype, body string }{
		{"upload, in the file part", "/upload_file?destination=" + root, "multipart/form-data; boundary=B", mp},
		{"upload, in the part headers", "/upload_file?destination=" + root, "multipart/form-data; boundary=B", "--B\r\nContent-Disp"},
		{"list_files", "/list_files", "application/json", `{"path": "`},
	} {
		r := send(c.path, c.ctype, c.body)
		if r.status != 400 || r.detail() != "There was an error parsing the body" {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
		}
	}
	if got := listDir(t, root); len(got) != 0 {
		t.Fatalf("left behind: %v", got)
	}
}

// /download_files: bad inputs, special files skipped (a FIFO used to block the request for
// ever), and the zip streamed without a temporary file.
func TestHTTPDownload(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	srv := fileServer(t, files.Config{WorkspaceRoot: root})
	os.WriteFile(filepath.Join(root, "a.txt"), []byte("hello"), 0o644)
	if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644); err != nil {
		t.Skip(err)
	}
	os.Symlink("/dev/urandom", filepath.Join(root, "random"))
	get := func(q string) reply {
		req, _ := http.NewRequest("GET", srv.URL+"/download_files"+q, nil)
		return do(t, req)
	}
	for _, c := range []struct {
		q      string
		status int
		detail string
	}{
		{"", 422, "Invalid request parameters"},
		{"?path=rel", 400, "Path must be an absolute path"},
		{"?path=" + root + "/missing", 404, "File not found"},
	} {
		if r := get(c.q); r.status != c.status || r.detail() != c.detail {
			t.Errorf("%q: %d %s", c.q, r.status, r.body)
		}
	}
	names := func(r reply) []string {
		t.Helper()
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		zr, err := zip.NewReader(strings.NewReader(r.body), int64(len(r.body)))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range zr.File {
			out = append(out, f.Name)
		}
		return out
	}
	if got := names(get("?path=" + root)); strings.Join(got, ",") != "a.txt" {
		t.Errorf("directory: %v", got)
	}
	for _, special := range []string{root + "/fifo", "/dev/urandom", "/dev/zero"} {
		if got := names(get("?path=" + special)); len(got) != 0 {
			t.Errorf("%s: %v", special, got)
		}
	}
}

// /list_files with bad bodies: the reference's 500 for a non-object body, [] for a bad path.
func TestHTTPListFilesBadInput(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	srv := fileServer(t, files.Config{WorkspaceRoot: root})
	os.WriteFile(filepath.Join(root, "a.txt"), nil, 0o644)
	for _, c := range []struct {
		body   string
		status int
		want   string
	}{
		{`{}`, 200, `["a.txt"]`},
		{`{"path": "` + root + `/missing"}`, 200, `[]`},
		{`[1]`, 500, ""},
		{`{"path": 5}`, 500, ""},
		{`not json`, 500, ""},
	} {
		req, _ := http.NewRequest("POST", srv.URL+"/list_files", strings.NewReader(c.body))
		r := do(t, req)
		if r.status != c.status || (c.want != "" && strings.TrimSpace(r.body) != c.want) {
			t.Errorf("%s: %d %s", c.body, r.status, r.body)
		}
	}
}

// /list_files and /upload_file answer as Starlette's JSONResponse: compact, no trailing
// newline, and <, > and & as they are (echo's c.JSON added a newline and wrote \u0026).
func TestHTTPFilesJSONAsStarlette(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	srv := fileServer(t, files.Config{WorkspaceRoot: root})
	name := "a&b<c>.txt"
	if err := os.WriteFile(filepath.Join(root, name), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", srv.URL+"/list_files", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	if r := do(t, req); r.status != 200 || r.body != `["a&b<c>.txt"]` {
		t.Errorf("list_files: %d %q", r.status, r.body)
	}
	dest := filepath.Join(root, "up")
	r := do(t, uploadReq(t, srv.URL, "?destination="+dest, "file", "x&y.txt", []byte("x")))
	if want := `{"filename":"x&y.txt","destination":"` + dest + `","recursive":false}`; r.status != 200 || r.body != want {
		t.Errorf("upload_file: %d %q, want %q", r.status, r.body, want)
	}
}
