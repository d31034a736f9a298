package swerex

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gohands/gohands/files"
)

const testToken = "tok"

func newTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	rt := NewRuntime(Config{AuthToken: testToken, WorkDir: t.TempDir(), Files: files.New(files.Config{}), StreamMax: 1 << 20})
	srv := httptest.NewServer(NewHandler(rt))
	t.Cleanup(func() {
		srv.Close()
		rt.Close()
	})
	return srv
}

type call struct {
	method, path, body string
	header             map[string]string
}

func do(t *testing.T, srv *httptest.Server, c call) (int, string, http.Header) {
	t.Helper()
	method := c.method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequest(method, srv.URL+c.path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-API-Key", testToken)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range c.header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// TestRoutes checks each route's status and exact body for good and bad requests (bodies
// as swe-rex 1.4.0 with FastAPI 0.165 answers them).
func TestRoutes(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		call
		status int
		want   string // exact body, or a substring when prefixed with "~"
	}{
		{"root", call{method: "GET", path: "/"}, 200, `{"message":"hello world"}`},
		{"is_alive", call{method: "GET", path: "/is_alive"}, 200, `{"is_alive":true,"message":""}`},
		{"no key", call{method: "GET", path: "/is_alive", header: map[string]string{"X-API-Key": ""}}, 401, `{"detail":"Not authenticated"}`},
		{"wrong key", call{method: "GET", path: "/", header: map[string]string{"X-API-Key": "bad"}}, 401, `{"detail":"Invalid API Key"}`},
		{"no key on unknown path", call{method: "GET", path: "/nope", header: map[string]string{"X-API-Key": ""}}, 401, `{"detail":"Not authenticated"}`},
		{"not found", call{method: "GET", path: "/nope"}, 404, `{"detail":"Not Found"}`},
		{"trailing slash redirects", call{method: "GET", path: "/is_alive/?a=1"}, 307, ``},
		{"method", call{method: "GET", path: "/execute"}, 405, `{"detail":"Method Not Allowed"}`},
		{"empty body", call{path: "/execute"}, 422, `{"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}`},
		{"bad json", call{path: "/execute", body: `{"command": "echo hi", "shell": true,}`}, 422,
			`{"detail":[{"type":"json_invalid","loc":["body",37],"msg":"JSON decode error","input":{},"ctx":{"error":"Expecting property name enclosed in double quotes"}}]}`},
		{"not an object", call{path: "/execute", body: `[]`}, 422,
			`{"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":[]}]}`},
		{"command type", call{path: "/execute", body: `{"command": 5}`}, 422,
			`{"detail":[{"type":"string_type","loc":["body","command","str"],"msg":"Input should be a valid string","input":5},{"type":"list_type","loc":["body","command","list[str]"],"msg":"Input should be a valid list","input":5}]}`},
		{"lax fields", call{path: "/execute", body: `{"command": "a", "timeout": "x", "shell": "maybe", "check": 2, "env": {"a": 1}, "cwd": 5, "merge_output_streams": null}`}, 422,
			`{"detail":[{"type":"float_parsing","loc":["body","timeout"],"msg":"Input should be a valid number, unable to parse string as a number","input":"x"},{"type":"bool_parsing","loc":["body","shell"],"msg":"Input should be a valid boolean, unable to interpret input","input":"maybe"},{"type":"bool_parsing","loc":["body","check"],"msg":"Input should be a valid boolean, unable to interpret input","input":2},{"type":"string_type","loc":["body","env","a"],"msg":"Input should be a valid string","input":1},{"type":"string_type","loc":["body","cwd"],"msg":"Input should be a valid string","input":5},{"type":"bool_type","loc":["body","merge_output_streams"],"msg":"Input should be a valid boolean","input":null}]}`},
		{"no tag", call{path: "/run_in_session", body: `{"command": "x"}`}, 422,
			`{"detail":[{"type":"union_tag_not_found","loc":["body"],"msg":"Unable to extract tag using discriminator 'action_type'","input":{"command":"x"},"ctx":{"discriminator":"'action_type'"}}]}`},
		{"bad tag", call{path: "/run_in_session", body: `{"action_type": 5}`}, 422,
			`{"detail":[{"type":"union_tag_invalid","loc":["body"],"msg":"Input tag '5' found using 'action_type' does not match any of the expected tags: 'bash', 'bash_interrupt'","input":{"action_type":5},"ctx":{"discriminator":"'action_type'","tag":"5","expected_tags":"'bash', 'bash_interrupt'"}}]}`},
		{"bash fields", call{path: "/run_in_session", body: `{"action_type": "bash", "command": "x", "check": "nope", "timeout": true, "expect": "x", "is_interactive_command": "maybe"}`}, 422,
			`{"detail":[{"type":"bool_parsing","loc":["body","bash","is_interactive_command"],"msg":"Input should be a valid boolean, unable to interpret input","input":"maybe"},{"type":"literal_error","loc":["body","bash","check"],"msg":"Input should be 'silent', 'raise' or 'ignore'","input":"nope","ctx":{"expected":"'silent', 'raise' or 'ignore'"}},{"type":"list_type","loc":["body","bash","expect"],"msg":"Input should be a valid list","input":"x"}]}`},
		{"interrupt fields", call{path: "/run_in_session", body: `{"action_type": "bash_interrupt", "n_retry": 1.5, "timeout": null}`}, 422,
			`{"detail":[{"type":"float_type","loc":["body","bash_interrupt","timeout"],"msg":"Input should be a valid number","input":null},{"type":"int_from_float","loc":["body","bash_interrupt","n_retry"],"msg":"Input should be a valid integer, got a number with a fractional part","input":1.5}]}`},
		{"no session", call{path: "/run_in_session", body: `{"action_type": "bash", "command": "echo", "session": "nos"}`}, 511, `~"class_path":"swerex.exceptions.SessionDoesNotExistError"`},
		{"close no session", call{path: "/close_session", body: `{"session_type": "bash", "session": "nos"}`}, 511, `{"swerexception":{"message":"session 'nos' does not exist","class_path":"swerex.exceptions.SessionDoesNotExistError"`},
		{"execute", call{path: "/execute", body: `{"command": "echo $FOO; pwd", "shell": true, "env": {"FOO": "bar"}, "cwd": "/tmp"}`}, 200, `{"stdout":"bar\n/tmp\n","stderr":"","exit_code":0}`},
		{"execute argv", call{path: "/execute", body: `{"command": ["echo", "-n", "a b"]}`}, 200, `{"stdout":"a b","stderr":"","exit_code":0}`},
		{"execute list shell", call{path: "/execute", body: `{"command": ["echo", "a"], "shell": true}`}, 200, `{"stdout":"\n","stderr":"","exit_code":0}`},
		{"execute bytes", call{path: "/execute", body: `{"command": "printf '\\xff<&>'", "shell": true}`}, 200, `{"stdout":"\\xff<&>","stderr":"","exit_code":0}`},
		{"execute merge", call{path: "/execute", body: `{"command": "echo out; echo err >&2", "shell": true, "merge_output_streams": true}`}, 200, `{"stdout":"out\nerr\n","stderr":"","exit_code":0}`},
		{"execute signal", call{path: "/execute", body: `{"command": "kill -9 $$", "shell": true}`}, 200, `{"stdout":"","stderr":"","exit_code":-9}`},
		{"execute check", call{path: "/execute", body: `{"command": "exit 3", "shell": true, "check": true, "error_msg": "EM"}`}, 511,
			`{"swerexception":{"message":"EM: Command 'exit 3' failed with exit code 3. Stdout:\n''\nStderr:\n''","class_path":"swerex.exceptions.NonZeroExitCodeError"`},
		{"execute missing binary", call{path: "/execute", body: `{"command": ["nonexistentbinary"]}`}, 511,
			`{"swerexception":{"message":"[Errno 2] No such file or directory: 'nonexistentbinary'","class_path":"builtins.FileNotFoundError"`},
		{"execute string no shell", call{path: "/execute", body: `{"command": "echo a"}`}, 511, `{"swerexception":{"message":"[Errno 2] No such file or directory: 'echo a'"`},
		{"execute bad cwd", call{path: "/execute", body: `{"command": "pwd", "shell": true, "cwd": "/nonexist"}`}, 511,
			`{"swerexception":{"message":"[Errno 2] No such file or directory: '/nonexist'","class_path":"builtins.FileNotFoundError"`},
		{"execute timeout", call{path: "/execute", body: `{"command": "sleep 30", "shell": true, "timeout": 0.2}`}, 511,
			`{"swerexception":{"message":"Timeout (0.2s) exceeded while running command","class_path":"swerex.exceptions.CommandTimeoutError"`},
		{"execute stdin", call{path: "/execute", body: `{"command": "cat", "shell": true, "timeout": 5}`}, 200, `{"stdout":"","stderr":"","exit_code":0}`},
		{"write", call{path: "/write_file", body: `{"path": "` + dir + `/a/b/f.txt", "content": "x\r\ny\rz"}`}, 200, `{}`},
		{"read universal newlines", call{path: "/read_file", body: `{"path": "` + dir + `/a/b/f.txt"}`}, 200, `{"content":"x\ny\nz"}`},
		{"read missing", call{path: "/read_file", body: `{"path": "/nonexist"}`}, 511,
			`{"swerexception":{"message":"[Errno 2] No such file or directory: '/nonexist'","class_path":"builtins.FileNotFoundError"`},
		{"read dir", call{path: "/read_file", body: `{"path": "` + dir + `"}`}, 511, `~"class_path":"builtins.IsADirectoryError"`},
		{"write dir", call{path: "/write_file", body: `{"path": "` + dir + `", "content": "x"}`}, 511, `~"class_path":"builtins.IsADirectoryError"`},
		{"read bad encoding", call{path: "/read_file", body: `{"path": "/etc/hostname", "encoding": "bogus"}`}, 511,
			`{"swerexception":{"message":"unknown encoding: bogus","class_path":"builtins.LookupError"`},
		{"read missing field", call{path: "/read_file", body: `{}`}, 422, `{"detail":[{"type":"missing","loc":["body","path"],"msg":"Field required","input":{}}]}`},
		{"close", call{path: "/close", body: `garbage`}, 200, `{}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body, _ := do(t, srv, c.call)
			if status != c.status {
				t.Fatalf("status %d, want %d (body %s)", status, c.status, body)
			}
			if sub, ok := strings.CutPrefix(c.want, "~"); ok {
				if !strings.Contains(body, sub) {
					t.Fatalf("body %s\nwant it to contain %s", body, sub)
				}
			} else if !strings.HasPrefix(body, c.want) || (c.status != 511 && body != c.want) {
				t.Fatalf("body %s\nwant       %s", body, c.want)
			}
		})
	}
}

func TestAuthHeaders(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	_, _, h := do(t, srv, call{method: "GET", path: "/", header: map[string]string{"X-API-Key": ""}})
	if got := h.Get("WWW-Authenticate"); got != "APIKey" {
		t.Errorf("WWW-Authenticate %q, want APIKey", got)
	}
	_, _, h = do(t, srv, call{method: "GET", path: "/", header: map[string]string{"X-API-Key": "bad"}})
	if got := h.Get("WWW-Authenticate"); got != "" {
		t.Errorf("wrong key: WWW-Authenticate %q, want none", got)
	}
	_, _, h = do(t, srv, call{method: "GET", path: "/is_alive/?a=1"})
	if got, want := h.Get("Location"), srv.URL+"/is_alive?a=1"; got != want {
		t.Errorf("redirect to %q, want %q", got, want)
	}
}

// TestRequestIDReplay: a repeated X-Request-ID gets the stored answer (without running the
// request again); a 511 is not stored, as in the reference.
func TestRequestIDReplay(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	dir := t.TempDir()
	f := filepath.Join(dir, "f")
	rid := map[string]string{"X-Request-ID": "r1"}
	if st, _, _ := do(t, srv, call{path: "/write_file", body: `{"path": "` + f + `", "content": "one"}`, header: rid}); st != 200 {
		t.Fatal(st)
	}
	// Same id, other content: replayed, so the file keeps "one".
	if st, _, _ := do(t, srv, call{path: "/write_file", body: `{"path": "` + f + `", "content": "two"}`, header: rid}); st != 200 {
		t.Fatal(st)
	}
	if b, _ := os.ReadFile(f); string(b) != "one" {
		t.Fatalf("file %q: the repeated request ran again", b)
	}
	rid2 := map[string]string{"X-Request-ID": "r2"}
	body := `{"session_type": "bash", "session": "s"}`
	if st, _, _ := do(t, srv, call{path: "/close_session", body: body, header: rid2}); st != 511 {
		t.Fatal(st)
	}
	do(t, srv, call{path: "/create_session", body: body})
	if st, b, _ := do(t, srv, call{path: "/close_session", body: body, header: rid2}); st != 200 {
		t.Fatalf("511 was replayed: %d %s", st, b)
	}
}

// TestRequestIDRetryWhileRunning: a retry sent while the first attempt runs waits for it and
// gets its answer; the command runs once.
func TestRequestIDRetryWhileRunning(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	dir := t.TempDir()
	do(t, srv, call{path: "/create_session", body: `{"session_type":"bash","session":"r"}`})
	body := `{"action_type":"bash","session":"r","command":"sleep 0.5; echo x >> ` + dir + `/count; wc -l < ` + dir + `/count","timeout":20}`
	rid := map[string]string{"X-Request-ID": "same"}
	var wg sync.WaitGroup
	answers := make([]string, 2)
	for i := range answers {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, answers[i], _ = do(t, srv, call{path: "/run_in_session", body: body, header: rid})
		}(i)
	}
	wg.Wait()
	if answers[0] != answers[1] || !strings.Contains(answers[0], `"output":"1\n"`) {
		t.Fatalf("answers %q / %q: want the same, from one run", answers[0], answers[1])
	}
}

func upload(t *testing.T, srv *httptest.Server, fields map[string]string, name string, content []byte) (int, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if content != nil {
		fw, _ := w.CreateFormFile("file", name)
		fw.Write(content)
	}
	for k, v := range fields {
		w.WriteField(k, v)
	}
	w.Close()
	st, body, _ := do(t, srv, call{path: "/upload", body: b.String(), header: map[string]string{"Content-Type": w.FormDataContentType()}})
	return st, body
}

func zipOf(t *testing.T, members map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, content := range members {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	zw.Close()
	return b.Bytes()
}

func TestUpload(t *testing.T) {
	t.Parallel()
	rt := NewRuntime(Config{AuthToken: testToken, WorkDir: t.TempDir(), Files: files.New(files.Config{MaxUploadBytes: 1024})})
	srv := httptest.NewServer(NewHandler(rt))
	t.Cleanup(func() {
		srv.Close()
		rt.Close()
	})
	dir := t.TempDir()
	for _, c := range []struct {
		name    string
		fields  map[string]string
		content []byte
		status  int
		want    string
		check   func(t *testing.T)
	}{
		{"file", map[string]string{"target_path": dir + "/new/f.txt", "unzip": "false"}, []byte("data"), 200, `{}`, func(t *testing.T) {
			if b, _ := os.ReadFile(dir + "/new/f.txt"); string(b) != "data" {
				t.Errorf("content %q", b)
			}
		}},
		{"zip", map[string]string{"target_path": dir + "/tree", "unzip": "true"}, zipOf(t, map[string]string{"a.txt": "A", "sub/b.txt": "B"}), 200, `{}`, func(t *testing.T) {
			if b, _ := os.ReadFile(dir + "/tree/sub/b.txt"); string(b) != "B" {
				t.Errorf("content %q", b)
			}
		}},
		{"zip slip", map[string]string{"target_path": dir + "/slip", "unzip": "true"}, zipOf(t, map[string]string{"../evil.txt": "x"}), 511, `~"class_path":"builtins.ValueError"`, func(t *testing.T) {
			if _, err := os.Stat(dir + "/evil.txt"); err == nil {
				t.Error("a member escaped target_path")
			}
		}},
		{"not a zip", map[string]string{"target_path": dir + "/nz", "unzip": "true"}, []byte("plain"), 511,
			`{"swerexception":{"message":"File is not a zip file","class_path":"zipfile.BadZipFile"`, nil},
		{"missing fields", map[string]string{}, nil, 422,
			`{"detail":[{"type":"missing","loc":["body","file"],"msg":"Field required","input":null},{"type":"missing","loc":["body","target_path"],"msg":"Field required","input":null}]}`, nil},
		{"too large", map[string]string{"target_path": dir + "/big", "unzip": "false"}, bytes.Repeat([]byte("x"), 2048), 511,
			`{"swerexception":{"message":"File exceeds the maximum upload size of 1024 bytes","class_path":"builtins.ValueError"`, func(t *testing.T) {
				if _, err := os.Stat(dir + "/big"); err == nil {
					t.Error("a file over the limit was written")
				}
			}},
		{"bad unzip", map[string]string{"target_path": dir + "/x", "unzip": "maybe"}, []byte("d"), 422,
			`{"detail":[{"type":"bool_parsing","loc":["body","unzip"],"msg":"Input should be a valid boolean, unable to interpret input","input":"maybe"}]}`, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, body := upload(t, srv, c.fields, "f.bin", c.content)
			if st != c.status {
				t.Fatalf("status %d, want %d: %s", st, c.status, body)
			}
			if sub, ok := strings.CutPrefix(c.want, "~"); ok {
				if !strings.Contains(body, sub) {
					t.Fatalf("body %s, want %s in it", body, sub)
				}
			} else if !strings.HasPrefix(body, c.want) {
				t.Fatalf("body %s, want %s", body, c.want)
			}
			if c.check != nil {
				c.check(t)
			}
		})
	}
}

type obs struct {
	Output       string `json:"output"`
	ExitCode     *int   `json:"exit_code"`
	ExpectString string `json:"expect_string"`
}

func run(t *testing.T, srv *httptest.Server, body string) (int, obs, string) {
	t.Helper()
	st, b, _ := do(t, srv, call{path: "/run_in_session", body: body})
	var o obs
	if st == 200 {
		if err := json.Unmarshal([]byte(b), &o); err != nil {
			t.Fatal(err)
		}
	}
	return st, o, b
}

// TestSession runs a sequence of actions in one session: each step's status and output
// depend on the ones before (cwd, a timed-out command, an interactive program).
func TestSession(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	if st, b, _ := do(t, srv, call{path: "/create_session", body: `{"session_type": "bash", "session": "s"}`}); st != 200 || b != `{"output":"","session_type":"bash"}` {
		t.Fatalf("create: %d %s", st, b)
	}
	if st, _, _ := do(t, srv, call{path: "/create_session", body: `{"session_type": "bash", "session": "s"}`}); st != 511 {
		t.Fatalf("second create: %d", st)
	}
	code := func(n int) *int { return &n }
	for _, c := range []struct {
		name    string
		body    string
		status  int
		out     string
		code    *int
		sub     string // a part of the body
		anyBody bool   // only status and sub are checked
	}{
		{"echo", `{"action_type":"bash","session":"s","command":"echo hi"}`, 200, "hi\n", code(0), "", false},
		{"cd", `{"action_type":"bash","session":"s","command":"cd /tmp && pwd"}`, 200, "/tmp\n", code(0), "", false},
		{"cwd kept", `{"action_type":"bash","session":"s","command":"pwd"}`, 200, "/tmp\n", code(0), "", false},
		{"heredoc", `{"action_type":"bash","session":"s","command":"cat <<'EOF'\nline1\n$HOME\nEOF"}`, 200, "line1\n$HOME\n", code(0), "", false},
		{"several lines", `{"action_type":"bash","session":"s","command":"\n echo a\n\n echo b \n"}`, 200, "a\nb\n", code(0), "", false},
		{"no newline", `{"action_type":"bash","session":"s","command":"printf x"}`, 200, "x", code(0), "", false},
		{"silent", `{"action_type":"bash","session":"s","command":"false","check":"silent"}`, 200, "", code(1), "", false},
		{"ignore", `{"action_type":"bash","session":"s","command":"false","check":"ignore"}`, 200, "", nil, "", false},
		{"raise", `{"action_type":"bash","session":"s","command":"echo o; false"}`, 511, "", nil,
			`"message":"Command 'echo o; false' failed with exit code 1. Here is the output:\n'o\\n'","class_path":"swerex.exceptions.NonZeroExitCodeError"`, true},
		{"syntax", `{"action_type":"bash","session":"s","command":"(a"}`, 511, "", nil,
			`"extra_info":{"bash_stdout":"","bash_stderr":"bash: line 2: syntax error: unexpected end of file\n"}`, true},
		{"timeout", `{"action_type":"bash","session":"s","command":"sleep 30","timeout":0.2}`, 511, "", nil,
			`"message":"timeout after 0.2 seconds while running command 'sleep 30'","class_path":"swerex.exceptions.CommandTimeoutError"`, true},
		{"interrupt", `{"action_type":"bash_interrupt","session":"s"}`, 200, "", code(0), "", false},
		{"usable after interrupt", `{"action_type":"bash","session":"s","command":"echo back"}`, 200, "back\n", code(0), "", false},
		// A command that timed out still owes its prompt: the next command waits for it and
		// answers with its own output, and the one after is in step (regression: every later
		// answer was the previous command's).
		{"timeout, no interrupt", `{"action_type":"bash","session":"s","command":"sleep 1; echo slept","timeout":0.2}`, 511, "", nil, "CommandTimeoutError", true},
		{"next waits for it", `{"action_type":"bash","session":"s","command":"echo next","timeout":10}`, 200, "slept\nnext\n", code(0), "", false},
		{"in step", `{"action_type":"bash","session":"s","command":"echo next2","timeout":10}`, 200, "next2\n", code(0), "", false},
		{"expect string", `{"action_type":"bash","session":"s","command":"read -p 'name? ' x","expect":["name\\? "],"check":"silent","timeout":5}`, 200, "", nil, `"expect_string":"name\\? "`, true},
		{"answer", `{"action_type":"bash","session":"s","command":"joe","is_interactive_command":true,"timeout":5}`, 200, "", code(0), `"expect_string":"SHELLPS1PREFIX"`, true},
		{"read got it", `{"action_type":"bash","session":"s","command":"echo $x"}`, 200, "joe\n", code(0), "", false},
		{"flood bounded", `{"action_type":"bash","session":"s","command":"head -c 3000000 /dev/zero | tr '\\0' a; echo","check":"silent","timeout":60}`, 200, "", nil, "[gohands: ", true},
		{"after flood", `{"action_type":"bash","session":"s","command":"echo ok"}`, 200, "ok\n", code(0), "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, o, b := run(t, srv, c.body)
			if st != c.status {
				t.Fatalf("status %d, want %d: %s", st, c.status, b[:min(len(b), 500)])
			}
			if c.sub != "" && !strings.Contains(b, c.sub) {
				t.Fatalf("body %s\nwant %s in it", b[:min(len(b), 500)], c.sub)
			}
			if c.anyBody {
				return
			}
			if o.Output != c.out {
				t.Errorf("output %q, want %q", o.Output, c.out)
			}
			if (o.ExitCode == nil) != (c.code == nil) || (o.ExitCode != nil && *o.ExitCode != *c.code) {
				t.Errorf("exit code %v, want %v", o.ExitCode, c.code)
			}
		})
	}
	if st, _, _ := do(t, srv, call{path: "/close_session", body: `{"session_type": "bash", "session": "s"}`}); st != 200 {
		t.Fatalf("close: %d", st)
	}
}

// TestConcurrentSessions: sessions created, used and closed from many requests at once
// (run with -race): isolated state, no lost or crossed answers, close never waits for a
// running command.
func TestConcurrentSessions(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			name := fmt.Sprintf("c%d", i)
			if st, b, _ := do(t, srv, call{path: "/create_session", body: `{"session_type":"bash","session":"` + name + `"}`}); st != 200 {
				t.Errorf("create %s: %d %s", name, st, b)
				return
			}
			for j := 0; j < 5; j++ {
				st, o, b := run(t, srv, fmt.Sprintf(`{"action_type":"bash","session":"%s","command":"echo %s-%d","timeout":20}`, name, name, j))
				if want := fmt.Sprintf("%s-%d\n", name, j); st != 200 || o.Output != want {
					t.Errorf("%s: %d %q (%s), want %q", name, st, o.Output, b, want)
				}
			}
		}(i)
	}
	wg.Wait()
	// A command that runs on; close_session does not wait for it, and its request ends.
	done := make(chan int)
	go func() {
		st, _, _ := run(t, srv, `{"action_type":"bash","session":"c0","command":"sleep 60"}`)
		done <- st
	}()
	for {
		// Wait until the sleep is running: the session's lock is taken.
		if st, _, _ := run(t, srv, `{"action_type":"bash","session":"c1","command":"pgrep -x sleep >/dev/null","check":"silent","timeout":20}`); st == 200 {
			break
		}
	}
	if st, b, _ := do(t, srv, call{path: "/close_session", body: `{"session_type":"bash","session":"c0"}`}); st != 200 {
		t.Fatalf("close while running: %d %s", st, b)
	}
	if st := <-done; st != 511 {
		t.Fatalf("the running command's answer: %d, want 511 (EOF)", st)
	}
	if st, _, _ := do(t, srv, call{path: "/close", body: `{}`}); st != 200 {
		t.Fatal(st)
	}
}

// TestStripControlChars compares the one-pass strip with the reference's regular expression
// and replace, on tricky inputs and fuzzed ones.
func TestStripControlChars(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "plain\r\n", "\x1b[31mred\x1b[0m\r\n", "\r\x1b[0m\n", "\r\r\n", "\x1b[", "\x1b", "a\x1b[?2004hb", "\x1b\\xff", "\x1b[1;2", "\x1b]0;title\x07x", "é\x1b[Kü"} {
		if got, want := stripControlChars(s), referenceStrip(s); got != want {
			t.Errorf("%q: %q, want %q", s, got, want)
		}
	}
}

func FuzzStripControlChars(f *testing.F) {
	for _, s := range []string{"\x1b[31mred\x1b[0m\r\n", "\r\x1b[0m\n", "a\x1b[?2004hb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := stripControlChars(s), referenceStrip(s); got != want {
			t.Fatalf("%q: %q, want %q", s, got, want)
		}
	})
}

var ansiEscape = regexp.MustCompile("\x1B[@-_][0-?]*[ -/]*[@-~]")

func referenceStrip(s string) string {
	return strings.ReplaceAll(ansiEscape.ReplaceAllString(s, ""), "\r\n", "\n")
}

// TestInterruptRetryLeavesNoStrayPrompt: when a C-c's prompt comes after the short wait gave
// up, the retry's C-c reaches bash at its prompt and bash prints another prompt; the next
// command must still get its own output (regression: it got "" from that stray prompt).
func TestInterruptRetryLeavesNoStrayPrompt(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	do(t, srv, call{path: "/create_session", body: `{"session_type":"bash","session":"i"}`})
	if st, _, b := run(t, srv, `{"action_type":"bash","session":"i","command":"sleep 30","timeout":0.2}`); st != 511 {
		t.Fatalf("sleep: %d %s", st, b)
	}
	// A wait of 1 µs gives up before any prompt can arrive: the second C-c goes to bash.
	if st, _, b := run(t, srv, `{"action_type":"bash_interrupt","session":"i","timeout":0.000001}`); st != 200 {
		t.Fatalf("interrupt: %d %s", st, b)
	}
	for _, w := range []string{"after\n", "again\n"} {
		st, o, b := run(t, srv, `{"action_type":"bash","session":"i","command":"echo `+strings.TrimSpace(w)+`","timeout":20}`)
		if st != 200 || o.Output != w {
			t.Fatalf("next command: %d %q (%s), want %q", st, o.Output, b, w)
		}
	}
}

// TestFilePathsAsPathlib: the reference's read_file / write_file go through pathlib.Path,
// which drops a trailing slash, `.` parts and doubled slashes ("" is "."), and
// Path.parent.mkdir(parents=True, exist_ok=True), whose errors name the directory it tried.
// Answers and messages here are those of swe-rex 1.4.0's server for the same requests.
func TestFilePathsAsPathlib(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	dir := t.TempDir()
	f := dir + "/f.txt"
	if err := os.WriteFile(f, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		call
		status int
		want   string
	}{
		{"write trailing slash", call{path: "/write_file", body: `{"path": "` + f + `/", "content": "new"}`}, 200, `{}`},
		{"read trailing slash", call{path: "/read_file", body: `{"path": "` + f + `/"}`}, 200, `{"content":"new"}`},
		{"read dot and doubled slash", call{path: "/read_file", body: `{"path": "` + dir + `/.//f.txt"}`}, 200, `{"content":"new"}`},
		{"read missing normalised", call{path: "/read_file", body: `{"path": "/nonexist//./x/"}`}, 511,
			`{"swerexception":{"message":"[Errno 2] No such file or directory: '/nonexist/x'","class_path":"builtins.FileNotFoundError"`},
		{"read empty path", call{path: "/read_file", body: `{"path": ""}`}, 511,
			`{"swerexception":{"message":"[Errno 21] Is a directory: '.'","class_path":"builtins.IsADirectoryError"`},
		{"write empty path", call{path: "/write_file", body: `{"path": "", "content": "x"}`}, 511,
			`{"swerexception":{"message":"[Errno 21] Is a directory: '.'","class_path":"builtins.IsADirectoryError"`},
		{"write under a file", call{path: "/write_file", body: `{"path": "` + f + `/x", "content": "x"}`}, 511,
			`{"swerexception":{"message":"[Errno 17] File exists: '` + f + `'","class_path":"builtins.FileExistsError"`},
		{"write deep under a file", call{path: "/write_file", body: `{"path": "` + f + `/a/b/x", "content": "x"}`}, 511,
			`{"swerexception":{"message":"[Errno 20] Not a directory: '` + f + `/a/b'","class_path":"builtins.NotADirectoryError"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body, _ := do(t, srv, c.call)
			if status != c.status || !strings.HasPrefix(body, c.want) || (c.status != 511 && body != c.want) {
				t.Fatalf("got %d %s\nwant %d %s", status, body, c.status, c.want)
			}
		})
	}
}

// TestUploadEmptyFormValues: FastAPI takes an empty form value as absent (target_path is
// then missing, unzip its default), and a file part with filename="" is still the file.
func TestUploadEmptyFormValues(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	dir := t.TempDir()
	if st, body := upload(t, srv, map[string]string{"target_path": ""}, "f.txt", []byte("x")); st != 422 ||
		body != `{"detail":[{"type":"missing","loc":["body","target_path"],"msg":"Field required","input":null}]}` {
		t.Fatalf("empty target_path: %d %s", st, body)
	}
	if st, body := upload(t, srv, map[string]string{"target_path": dir + "/a.txt", "unzip": ""}, "f.txt", []byte("a")); st != 200 {
		t.Fatalf("empty unzip: %d %s", st, body)
	}
	if st, body := upload(t, srv, map[string]string{"target_path": dir + "/b.txt"}, "", []byte("b")); st != 200 {
		t.Fatalf("empty filename: %d %s", st, body)
	}
	// A repeated field: Starlette's FormData.get gives the last value.
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fw, _ := w.CreateFormFile("file", "f")
	fw.Write([]byte("c"))
	w.WriteField("target_path", dir+"/first.txt")
	w.WriteField("target_path", dir+"/c.txt")
	w.Close()
	if st, body, _ := do(t, srv, call{path: "/upload", body: b.String(), header: map[string]string{"Content-Type": w.FormDataContentType()}}); st != 200 {
		t.Fatalf("repeated target_path: %d %s", st, body)
	}
	if _, err := os.Stat(filepath.Join(dir, "first.txt")); !os.IsNotExist(err) {
		t.Fatalf("the first target_path was used: %v", err)
	}
	// A file in the way: Python's OSError subclass for the errno.
	if st, body := upload(t, srv, map[string]string{"target_path": dir + "/a.txt/x"}, "f", []byte("x")); st != 511 ||
		!strings.HasPrefix(body, `{"swerexception":{"message":"[Errno 17] File exists: '`+dir+`/a.txt'","class_path":"builtins.FileExistsError"`) {
		t.Fatalf("upload under a file: %d %s", st, body)
	}
	for name, want := range map[string]string{"a.txt": "a", "b.txt": "b", "c.txt": "c"} {
		if got, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(got) != want {
			t.Fatalf("%s: %q %v", name, got, err)
		}
	}
}

// TestSessionNounset: `set -u` (or `set -eu`) typed into a session leaves it usable, as
// in the reference, whose prompt expands no unset variable: ours must not expand `$!`
// bare, which is unset until the first background job.
func TestSessionNounset(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	if st, b, _ := do(t, srv, call{path: "/create_session", body: `{"session_type": "bash", "session": "u"}`}); st != 200 {
		t.Fatalf("create: %d %s", st, b)
	}
	for _, c := range []struct{ cmd, out string }{
		{"set -u", ""},
		{"echo ok", "ok\n"},
		{"set -e", ""},
		{"echo still", "still\n"},
	} {
		st, o, b := run(t, srv, `{"action_type":"bash","session":"u","timeout":10,"command":"`+c.cmd+`"}`)
		if st != 200 || o.Output != c.out || o.ExitCode == nil || *o.ExitCode != 0 {
			t.Fatalf("%s: %d %s", c.cmd, st, b)
		}
	}
}
