package e2e

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const fileT = "This is a test file.\nThis file is for testing purposes."

// editStep is one action of a C.4 scenario: want is exact when set, has/hasNot substrings.
type editStep struct {
	typ    string // "write", "edit" or "read"
	args   map[string]any
	want   string
	has    []string
	hasNot []string
}

func editArgs(command, path string, kv ...any) map[string]any {
	a := map[string]any{"command": command, "path": path, "impl_source": "oh_aci"}
	for i := 0; i+1 < len(kv); i += 2 {
		a[kv[i].(string)] = kv[i+1]
	}
	return a
}

// TestFilesACIEdit replays OpenHands' tests/runtime/test_aci_edit.py (Part C.4) against
// the real server: files are created with FileWriteAction (which adds a trailing newline)
// and edited with FileEditAction.
func TestFilesACIEdit(t *testing.T) {
	s := startServer(t, serverOpts{})
	ws := s.WorkDir
	snippet := func(p string) string {
		return "The file " + p + " has been edited. Here's the result of running `cat -n` on a snippet of " + p + ":\n"
	}
	cases := []struct {
		name  string
		steps func(p string) []editStep
	}{
		{"view file", func(p string) []editStep {
			return []editStep{
				{typ: "write", args: map[string]any{"path": p, "content": fileT}},
				{typ: "edit", args: editArgs("view", p), has: []string{"Here's the result of running `cat -n` on " + p + ":", "1\tThis is a test file.", "2\tThis file is for testing purposes."}},
			}
		}},
		{"create file", func(p string) []editStep {
			return []editStep{
				{typ: "edit", args: editArgs("create", p, "file_text", "New file content"), want: "File created successfully at: " + p},
				{typ: "edit", args: editArgs("view", p), has: []string{"New file content"}},
			}
		}},
		{"create with empty content", func(p string) []editStep {
			return []editStep{
				{typ: "edit", args: editArgs("create", p, "file_text", ""), has: []string{"File created successfully"}},
				{typ: "edit", args: editArgs("view", p), has: []string{"1\t"}},
			}
		}},
		{"create with none file_text", func(p string) []editStep {
			return []editStep{{typ: "edit", args: editArgs("create", p, "file_text", nil), want: "ERROR:\nParameter `file_text` is required for command: create."}}
		}},
		{"str_replace", func(p string) []editStep {
			return []editStep{
				{typ: "write", args: map[string]any{"path": p, "content": fileT}},
				{typ: "edit", args: editArgs("str_replace", p, "old_str", "test file", "new_str", "sample file"), has: []string{"The file " + p + " has been edited"}},
				{typ: "edit", args: editArgs("view", p), has: []string{"This is a sample file."}},
			}
		}},
		{"str_replace multi-line", func(p string) []editStep {
			return []editStep{
				{typ: "write", args: map[string]any{"path": p, "content": fileT}},
				{typ: "edit", args: editArgs("str_replace", p, "old_str", fileT, "new_str", "This is a sample file.\nThis file is for testing purposes."),
					has: []string{"The file " + p + " has been edited.", "This is a sample file.", "This file is for testing purposes."}},
			}
		}},
		{"str_replace multi-line with tabs", func(p string) []editStep {
			return []editStep{
				{typ: "edit", args: editArgs("create", p, "file_text", "def test():\n\tprint(\"Hello, World!\")")},
				{typ: "edit", args: editArgs("str_replace", p, "old_str", "def test():\n\tprint(\"Hello, World!\")", "new_str", "def test():\n\tprint(\"Hello, Universe!\")"),
					want: snippet(p) + "     1\tdef test():\n     2\t\tprint(\"Hello, Universe!\")\nReview the changes and make sure they are as expected. Edit the file again if necessary."},
			}
		}},
		{"multiple occurrences", func(p string) []editStep {
			return []editStep{
				{typ: "write", args: map[string]any{"path": p, "content": fileT}},
				{typ: "edit", args: editArgs("str_replace", p, "old_str", "test", "new_str", "sample"), has: []string{"Multiple occurrences of old_str `test`", "[1, 2]"}},
			}
		}},
		{"multiple multi-line occurrences", func(p string) []editStep {
			block := "def example():\n        print(\"Hello\")\n        return True"
			return []editStep{
				{typ: "write", args: map[string]any{"path": p, "content": block + "\n\nprint('separator')\n\n" + block}},
				{typ: "edit", args: editArgs("str_replace", p, "old_str", block, "new_str", "x"), has: []string{"Multiple occurrences of old_str", "[1, 7]"}},
			}
		}},
		{"nonexistent string", func(p string) []editStep {
			return []editStep{
				{typ: "write", args: map[string]any{"path": p, "content": "Line 1\nLine 2"}},
				{typ: "edit", args: editArgs("str_replace", p, "old_str", "Non-existent Line", "new_str", "New Line"),
					has: []string{"No replacement was performed", "old_str `Non-existent Line` did not appear verbatim in " + p}},
			}
		}},
		{"empty new_str", func(p string) []editStep {
			return []editStep{
				{typ: "write", args: map[string]any{"path": p, "content": "Line 1\nLine to remove\nLine 3"}},
				{typ: "edit", args: editArgs("str_replace", p, "old_str", "Line to remove\n", "new_str", ""), hasNot: []string{"Line to remove"}, has: []string{"Line 1", "Line 3"}},
			}
		}},
		{"empty old_str", func(p string) []editStep {
			return []editStep{
				{typ: "write", args: map[string]any{"path": p, "content": "Line 1\nLine 2\nLine 3"}},
				{typ: "edit", args: editArgs("str_replace", p, "old_str", "", "new_str", "New string"),
					want: "ERROR:\nNo replacement was performed. Multiple occurrences of old_str `` in lines [1, 2, 3, 4]. Please ensure it is unique."},
			}
		}},
		{"none old_str", func(p string) []editStep {
			return []editStep{
				{typ: "write", args: map[string]any{"path": p, "content": "Line 1\nLine 2"}},
				{typ: "edit", args: editArgs("str_replace", p, "old_str", nil, "new_str", "x"), want: "ERROR:\nParameter `old_str` is required for command: str_replace."},
			}
		}},
		{"insert", func(p string) []editStep {
			return []editStep{
				{typ: "write", args: map[string]any{"path": p, "content": "Line 1\nLine 2"}},
				{typ: "edit", args: editArgs("insert", p, "insert_line", 1, "new_str", "Inserted line"), has: []string{"The file " + p + " has been edited"}},
				{typ: "edit", args: editArgs("view", p), has: []string{"Line 1", "Inserted line", "Line 2"}},
			}
		}},
		{"insert invalid line", func(p string) []editStep {
			return []editStep{
				{typ: "write", args: map[string]any{"path": p, "content": "Line 1\nLine 2"}},
				{typ: "edit", args: editArgs("insert", p, "insert_line", 10, "new_str", "x"), want: "ERROR:\nInvalid `insert_line` parameter: 10. It should be within the range of allowed values: [0, 2]"},
			}
		}},
		{"insert empty string", func(p string) []editStep {
			return []editStep{
				{typ: "write", args: map[string]any{"path": p, "content": "Line 1\nLine 2"}},
				{typ: "edit", args: editArgs("insert", p, "insert_line", 1, "new_str", ""), has: []string{"1\tLine 1", "2\t\n", "3\tLine 2"}},
			}
		}},
		{"insert none new_str", func(p string) []editStep {
			return []editStep{
				{typ: "write", args: map[string]any{"path": p, "content": "Line 1\nLine 2"}},
				{typ: "edit", args: editArgs("insert", p, "insert_line", 1, "new_str", nil), has: []string{"ERROR", "Parameter `new_str` is required for command: insert"}},
			}
		}},
		{"insert_line as a numeric string (C.4 #27)", func(p string) []editStep {
			return []editStep{
				{typ: "write", args: map[string]any{"path": p, "content": "Line 1\nLine 2"}},
				{typ: "edit", args: editArgs("insert", p, "insert_line", " 1 ", "new_str", "X"), has: []string{"2\tX"}},
				{typ: "edit", args: editArgs("insert", p, "insert_line", "one", "new_str", "X"), want: "ERROR:\nInvalid insert_line value: 'one'. Expected an integer."},
			}
		}},
		{"undo", func(p string) []editStep {
			return []editStep{
				{typ: "write", args: map[string]any{"path": p, "content": "This is a test file."}},
				{typ: "edit", args: editArgs("str_replace", p, "old_str", "test", "new_str", "sample"), has: []string{"This is a sample file."}},
				{typ: "edit", args: editArgs("undo_edit", p), has: []string{"Last edit to", "This is a test file."}},
				{typ: "edit", args: editArgs("view", p), has: []string{"This is a test file."}},
			}
		}},
		{"view missing path", func(p string) []editStep {
			return []editStep{{typ: "edit", args: editArgs("view", p), has: []string{"Invalid `path` parameter", "The path " + p + " does not exist"}}}
		}},
		{"create existing", func(p string) []editStep {
			return []editStep{
				{typ: "write", args: map[string]any{"path": p, "content": "x"}},
				{typ: "edit", args: editArgs("create", p, "file_text", "y"), has: []string{"File already exists"}},
			}
		}},
		{"same strings", func(p string) []editStep {
			return []editStep{
				{typ: "write", args: map[string]any{"path": p, "content": "Line 1\nLine 2"}},
				{typ: "edit", args: editArgs("str_replace", p, "old_str", "Line 1", "new_str", "Line 1"), has: []string{"No replacement was performed. `new_str` and `old_str` must be different."}},
			}
		}},
		{"missing insert_line", func(p string) []editStep {
			return []editStep{
				{typ: "write", args: map[string]any{"path": p, "content": "Line 1"}},
				{typ: "edit", args: editArgs("insert", p, "new_str", "x"), has: []string{"Parameter `insert_line` is required for command: insert"}},
			}
		}},
		{"undo without history", func(p string) []editStep {
			return []editStep{
				{typ: "write", args: map[string]any{"path": p, "content": ""}},
				{typ: "edit", args: editArgs("undo_edit", p), has: []string{"No edit history found for"}},
			}
		}},
		{"large file truncated", func(p string) []editStep {
			return []editStep{
				{typ: "write", args: map[string]any{"path": p, "content": strings.Repeat("Line 1\n", 16000)}},
				{typ: "edit", args: editArgs("view", p), has: []string{"Due to the max output limit, only part of this file has been shown to you."}},
			}
		}},
		{"read oh_aci with view_range", func(p string) []editStep {
			return []editStep{
				{typ: "write", args: map[string]any{"path": p, "content": "l1\nl2\nl3"}},
				{typ: "read", args: map[string]any{"path": p, "impl_source": "oh_aci", "view_range": []any{1, 10}},
					want: "NOTE: We only show up to 3 since there're only 3 lines in this file.\nHere's the result of running `cat -n` on " + p + ":\n     1\tl1\n     2\tl2\n     3\tl3\n"},
				{typ: "read", args: map[string]any{"path": p, "impl_source": "oh_aci", "view_range": json.RawMessage(`[1.0, 2]`)}, want: "ERROR:\nInvalid `view_range` parameter: [1.0, 2]. It should be a list of two integers."},
				{typ: "read", args: map[string]any{"path": p, "impl_source": "oh_aci", "view_range": []any{}}, has: []string{"     4\t\n"}},
			}
		}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := fmt.Sprintf("%s/c4_%d/test.txt", ws, i)
			if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
				t.Fatal(err)
			}
			for _, st := range c.steps(p) {
				o := s.act(t, st.typ, st.args, 0)
				if st.want != "" && o.Content != st.want {
					t.Fatalf("%s %v:\n got %q\nwant %q", st.typ, st.args["command"], o.Content, st.want)
				}
				for _, h := range st.has {
					if !strings.Contains(o.Content, h) {
						t.Fatalf("%s %v: %q lacks %q", st.typ, st.args["command"], o.Content, h)
					}
				}
				for _, h := range st.hasNot {
					if strings.Contains(o.Content, h) {
						t.Fatalf("%s %v: %q contains %q", st.typ, st.args["command"], o.Content, h)
					}
				}
			}
		})
	}
}

// The edit observation's JSON as the reference fills it.
func TestFilesEditObservationJSON(t *testing.T) {
	s := startServer(t, serverOpts{})
	p := s.WorkDir + "/a.txt"
	code, body := s.postJSON(t, "/execute_action", map[string]any{"action": map[string]any{"action": "edit",
		"args": editArgs("create", p, "file_text", "hello\nworld\n")}})
	want := `{"message":"I edited the file ` + p + `.","observation":"edit","content":"File created successfully at: ` + p + `","extras":{"path":"` + p +
		`","prev_exist":false,"old_content":null,"new_content":null,"impl_source":"oh_aci","diff":"--- ` + p + `\n+++ ` + p + `\n@@ -0,0 +1,2 @@\n+hello\n+world","_diff_cache":null}}`
	if code != 200 || string(body) != want {
		t.Fatalf("%d\n got %s\nwant %s", code, body, want)
	}
	o := s.act(t, "edit", editArgs("str_replace", p, "old_str", "world", "new_str", "there"), 0)
	if o.Extras["old_content"] != "world" || o.Extras["new_content"] != "there" || o.Extras["prev_exist"] != false ||
		o.Extras["diff"] != "--- "+p+"\n+++ "+p+"\n@@ -2 +2 @@\n-world\n+there" {
		t.Fatalf("extras %v", o.Extras)
	}
	o = s.act(t, "edit", editArgs("view", p), 0)
	if o.Extras["diff"] != "" || o.Extras["old_content"] != nil {
		t.Fatalf("view extras %v", o.Extras)
	}
	code, body = s.postJSON(t, "/execute_action", map[string]any{"action": map[string]any{"action": "edit",
		"args": map[string]any{"path": p, "command": "view", "impl_source": "llm_based_edit"}}})
	if code != 500 || strings.TrimSpace(string(body)) != `{"detail":"Internal server error: "}` {
		t.Fatalf("llm_based_edit: %d %s", code, body)
	}
}

// §5.3/§5.4: default read and write through the server.
func TestFilesReadWrite(t *testing.T) {
	s := startServer(t, serverOpts{})
	ws := s.WorkDir
	o := s.act(t, "read", map[string]any{"path": "hello.sh"}, 0)
	if o.Observation != "error" || o.Content != "File not found: "+ws+"/hello.sh. Your current working directory is "+ws+"." {
		t.Fatalf("missing: %+v", o)
	}
	o = s.act(t, "write", map[string]any{"path": "hello.sh", "content": `echo "Hello, World!"`}, 0)
	if o.Observation != "write" || o.Content != "" || o.Extras["path"] != ws+"/hello.sh" || o.Message != "I wrote to the file "+ws+"/hello.sh." {
		t.Fatalf("write: %+v", o)
	}
	fi, err := os.Stat(ws + "/hello.sh")
	if err != nil || fi.Mode().Perm() != 0o664 {
		t.Fatalf("mode: %v %v", fi, err)
	}
	o = s.act(t, "read", map[string]any{"path": "hello.sh"}, 0)
	if o.Observation != "read" || o.Content != "echo \"Hello, World!\"\n" || o.Extras["path"] != ws+"/hello.sh" || o.Extras["impl_source"] != "default" {
		t.Fatalf("read: %+v", o)
	}
	s.act(t, "write", map[string]any{"path": "five.txt", "content": "l0\nl1\nl2\nl3\nl4"}, 0)
	o = s.act(t, "read", map[string]any{"path": "five.txt", "start": 1, "end": 3}, 0)
	if o.Content != "l1\nl2\n" {
		t.Fatalf("slice: %q", o.Content)
	}
	o = s.act(t, "write", map[string]any{"path": "five.txt", "content": "X", "start": 1, "end": 4}, 0)
	if b, _ := os.ReadFile(ws + "/five.txt"); string(b) != "l0\nX\nl4\n" || o.Observation != "write" {
		t.Fatalf("partial write: %q", b)
	}
	if err := os.WriteFile(ws+"/img.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 0o644); err != nil {
		t.Fatal(err)
	}
	o = s.act(t, "read", map[string]any{"path": ws + "/img.png"}, 0)
	if o.Observation != "error" || o.Content != "ERROR_BINARY_FILE" {
		t.Fatalf("binary: %+v", o)
	}
	o = s.act(t, "read", map[string]any{"path": ws}, 0)
	if o.Content != "Path is a directory: "+ws+". You can only read files" {
		t.Fatalf("dir: %+v", o)
	}
	o = s.act(t, "write", map[string]any{"path": "deep/er/new.txt", "content": "x"}, 0)
	if b, _ := os.ReadFile(ws + "/deep/er/new.txt"); string(b) != "x\n" || o.Observation != "write" {
		t.Fatalf("parents: %+v %q", o, b)
	}
}

func TestFilesListFiles(t *testing.T) {
	s := startServer(t, serverOpts{})
	ws := s.WorkDir
	for _, d := range []string{"b_dir", "A_dir", ".git"} {
		os.MkdirAll(filepath.Join(ws, d), 0o755)
	}
	for _, f := range []string{"z.txt", "B.txt", ".env", "b_dir/inner.txt"} {
		os.WriteFile(filepath.Join(ws, f), nil, 0o644)
	}
	cases := []struct {
		body any
		want string
	}{
		{map[string]any{}, `[".git/","A_dir/","b_dir/",".env","B.txt","z.txt"]`},
		{map[string]any{"path": nil}, `[".git/","A_dir/","b_dir/",".env","B.txt","z.txt"]`},
		{map[string]any{"path": "b_dir"}, `["inner.txt"]`},
		{map[string]any{"path": ws + "/b_dir"}, `["inner.txt"]`},
		{map[string]any{"path": "/nonexistent"}, `[]`},
		{map[string]any{"path": ws + "/z.txt"}, `[]`},
	}
	for _, c := range cases {
		code, body := s.postJSON(t, "/list_files", c.body)
		if code != 200 || strings.TrimSpace(string(body)) != c.want {
			t.Errorf("list_files %v: %d %s, want %s", c.body, code, body, c.want)
		}
	}
	code, body := s.do(t, http.MethodPost, "/list_files", "application/json", strings.NewReader("not json"))
	if code != 500 || !strings.Contains(string(body), "An unexpected error occurred") {
		t.Errorf("bad body: %d %s", code, body)
	}
}

// upload posts content as multipart field "file" named name, streaming it.
func upload(t *testing.T, s *testServer, dest string, recursive *bool, name string, content io.Reader) (int, []byte) {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, err := mw.CreateFormFile("file", name)
		if err == nil {
			_, err = io.Copy(part, content)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	q := url.Values{}
	if dest != "" {
		q.Set("destination", dest)
	}
	if recursive != nil {
		q.Set("recursive", strconv.FormatBool(*recursive))
	}
	return s.do(t, http.MethodPost, "/upload_file?"+q.Encode(), mw.FormDataContentType(), pr)
}

func zipOf(t *testing.T, members map[string]string, links map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range members {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	for name, target := range links {
		h := &zip.FileHeader{Name: name}
		h.SetMode(os.ModeSymlink | 0o777)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(target))
	}
	zw.Close()
	return buf.Bytes()
}

func TestFilesUploadDownload(t *testing.T) {
	s := startServer(t, serverOpts{})
	ws := s.WorkDir
	yes, no := true, false

	code, body := upload(t, s, ws+"/up", &no, "hello.txt", strings.NewReader("Hello, World!"))
	if code != 200 || strings.TrimSpace(string(body)) != `{"filename":"hello.txt","destination":"`+ws+`/up","recursive":false}` {
		t.Fatalf("upload: %d %s", code, body)
	}
	if b, _ := os.ReadFile(ws + "/up/hello.txt"); string(b) != "Hello, World!" {
		t.Fatalf("uploaded %q", b)
	}
	// The client's recursive copy: a zip whose names start with the directory's name.
	z := zipOf(t, map[string]string{"test_dir/file1.txt": "File 1 content", "test_dir/sub/file2.txt": "File 2"}, nil)
	code, body = upload(t, s, ws, &yes, "tmpabc.zip", bytes.NewReader(z))
	if code != 200 {
		t.Fatalf("recursive: %d %s", code, body)
	}
	if b, _ := os.ReadFile(ws + "/test_dir/file1.txt"); string(b) != "File 1 content" {
		t.Fatalf("extracted %q", b)
	}
	if _, err := os.Stat(ws + "/tmpabc.zip"); !os.IsNotExist(err) {
		t.Fatal("zip left behind")
	}
	for _, c := range []struct {
		dest      string
		recursive *bool
		name      string
		status    int
		want      string
	}{
		{"relative", &no, "a.txt", 400, `{"detail":"Destination must be an absolute path"}`},
		{ws, &yes, "a.txt", 400, `{"detail":"Recursive uploads must be zip files"}`},
	} {
		code, body := upload(t, s, c.dest, c.recursive, c.name, strings.NewReader("x"))
		if code != c.status || strings.TrimSpace(string(body)) != c.want {
			t.Errorf("upload %s %s: %d %s", c.dest, c.name, code, body)
		}
	}

	// Malicious zips: refused, nothing written anywhere.
	outside := t.TempDir()
	for name, z := range map[string][]byte{
		"dotdot":   zipOf(t, map[string]string{"ok.txt": "x", "../../../" + filepath.Base(outside) + "/evil.txt": "x"}, nil),
		"absolute": zipOf(t, map[string]string{"ok.txt": "x", outside + "/evil.txt": "x"}, nil),
		"symlink":  zipOf(t, map[string]string{"ok.txt": "x"}, map[string]string{"l": outside}),
	} {
		dest := ws + "/mal_" + name
		code, body := upload(t, s, dest, &yes, "evil.zip", bytes.NewReader(z))
		if code != 400 || !strings.Contains(string(body), "Unsafe zip member") {
			t.Errorf("%s: %d %s", name, code, body)
		}
		if entries, _ := os.ReadDir(dest); len(entries) != 0 {
			t.Errorf("%s: wrote %v", name, entries)
		}
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Fatalf("wrote outside the destination: %v", entries)
	}

	// Download a directory and a single file.
	get := func(p string) (int, http.Header, []byte) {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/download_files?path="+url.QueryEscape(p), nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, b
	}
	names := func(b []byte) map[string]string {
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("not a zip: %v", err)
		}
		out := map[string]string{}
		for _, f := range zr.File {
			rc, _ := f.Open()
			c, _ := io.ReadAll(rc)
			rc.Close()
			out[f.Name] = string(c)
		}
		return out
	}
	code, h, b := get(ws + "/test_dir")
	if code != 200 || h.Get("Content-Type") != "application/zip" || h.Get("Content-Disposition") != `attachment; filename="test_dir.zip"` {
		t.Fatalf("download: %d %v", code, h)
	}
	if got := names(b); len(got) != 2 || got["file1.txt"] != "File 1 content" || got["sub/file2.txt"] != "File 2" {
		t.Fatalf("zip holds %v", got)
	}
	code, _, b = get(ws + "/up/hello.txt")
	if got := names(b); code != 200 || len(got) != 1 || got["hello.txt"] != "Hello, World!" {
		t.Fatalf("single file: %d %v", code, got)
	}
	for p, want := range map[string]string{"rel": `{"detail":"Path must be an absolute path"}`, ws + "/missing": `{"detail":"File not found"}`} {
		code, _, b := get(p)
		if code/100 != 4 || strings.TrimSpace(string(b)) != want {
			t.Errorf("download %s: %d %s", p, code, b)
		}
	}
}

// TestFilesUploadPeakRSS measures the server's peak RSS (VmHWM) while it receives a large
// upload. It runs only when GOHANDS_RSS_UPLOAD_MB is set (e.g. 1024), as it writes that
// much to disk:  GOHANDS_RSS_UPLOAD_MB=1024 go test -run TestFilesUploadPeakRSS -v ./test/e2e
func TestFilesUploadPeakRSS(t *testing.T) {
	mb, _ := strconv.Atoi(os.Getenv("GOHANDS_RSS_UPLOAD_MB"))
	if mb <= 0 {
		t.Skip("set GOHANDS_RSS_UPLOAD_MB to run")
	}
	s := startServer(t, serverOpts{})
	before := vmHWM(t, s.Cmd.Process.Pid)
	start := time.Now()
	no := false
	code, body := upload(t, s, s.WorkDir, &no, "big.bin", io.LimitReader(zeroReader{}, int64(mb)<<20))
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	fi, err := os.Stat(s.WorkDir + "/big.bin")
	if err != nil || fi.Size() != int64(mb)<<20 {
		t.Fatalf("stored %v %v", fi, err)
	}
	after := vmHWM(t, s.Cmd.Process.Pid)
	t.Logf("upload of %d MiB in %v: server peak RSS %d KiB before, %d KiB after", mb, time.Since(start).Round(time.Millisecond), before, after)
	os.Remove(s.WorkDir + "/big.bin")
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

func vmHWM(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return -1
}
