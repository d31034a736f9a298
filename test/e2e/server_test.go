package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestAliveAndServerInfo checks the two open endpoints and their JSON shape.
func TestAliveAndServerInfo(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{APIKey: "sekrit"})
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/alive", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var alive map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&alive)
	resp.Body.Close()
	if resp.StatusCode != 200 || alive["status"] != "ok" {
		t.Fatalf("/alive without key: %d %v", resp.StatusCode, alive)
	}
	resp, err = http.Get(s.URL + "/server_info")
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Uptime    *float64 `json:"uptime"`
		IdleTime  *float64 `json:"idle_time"`
		Resources struct {
			CPUPercent *float64 `json:"cpu_percent"`
			Memory     struct {
				RSS     *uint64  `json:"rss"`
				VMS     *uint64  `json:"vms"`
				Percent *float64 `json:"percent"`
			} `json:"memory"`
			Disk struct {
				Total   *uint64  `json:"total"`
				Used    *uint64  `json:"used"`
				Free    *uint64  `json:"free"`
				Percent *float64 `json:"percent"`
			} `json:"disk"`
			IO struct {
				ReadBytes  *uint64 `json:"read_bytes"`
				WriteBytes *uint64 `json:"write_bytes"`
			} `json:"io"`
		} `json:"resources"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	r := info.Resources
	if info.Uptime == nil || info.IdleTime == nil || r.CPUPercent == nil || r.Memory.RSS == nil || *r.Memory.RSS == 0 ||
		r.Memory.VMS == nil || r.Memory.Percent == nil || r.Disk.Total == nil || *r.Disk.Total == 0 || r.Disk.Percent == nil ||
		r.IO.ReadBytes == nil || r.IO.WriteBytes == nil {
		t.Fatalf("server_info shape: %+v", info)
	}
}

// TestAuth covers SESSION_API_KEY: every path but /alive and /server_info needs the header.
func TestAuth(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{APIKey: "k3y"})
	body := `{"action":{"action":"run","args":{"command":"echo hi"},"timeout":10}}`
	cases := []struct {
		name, method, path, key string
		want                    int
	}{
		{"no key", "POST", "/execute_action", "", 403},
		{"wrong key", "POST", "/execute_action", "nope", 403},
		{"prefix of key", "POST", "/execute_action", "k3", 403},
		{"right key", "POST", "/execute_action", "k3y", 200},
		{"404 needs key too", "GET", "/no/such/path", "", 403},
		{"404 with key", "GET", "/no/such/path", "k3y", 404},
		{"list_files", "POST", "/list_files", "", 403},
		{"vscode token", "GET", "/vscode/connection_token", "", 403},
		{"alive is open", "GET", "/alive", "", 200},
		{"server_info is open", "GET", "/server_info", "", 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, s.URL+c.path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if c.key != "" {
				req.Header.Set("X-Session-API-Key", c.key)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var b map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&b)
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Fatalf("status %d, want %d (%v)", resp.StatusCode, c.want, b)
			}
			if c.want == 403 && b["detail"] != "Invalid API Key" {
				t.Fatalf("body %v", b)
			}
			if c.want == 404 && b["detail"] != "Not Found" {
				t.Fatalf("body %v", b)
			}
		})
	}
}

// TestMalformedRequests checks the reference's status codes and error bodies.
func TestMalformedRequests(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	cases := []struct {
		name       string
		body       string
		wantStatus int
		wantDetail string // prefix
	}{
		{"not json", `{{{`, 422, "Invalid request parameters"},
		{"array body", `[1,2]`, 422, "Invalid request parameters"},
		{"no action key", `{"foo": 1}`, 422, "Invalid request parameters"},
		{"action not object", `{"action": "run"}`, 422, "Invalid request parameters"},
		{"observation payload", `{"action": {"observation": "run", "content": ""}}`, 500, "Internal server error: 400: Invalid action type"},
		{"no type", `{"action": {"args": {}}}`, 500, "Internal server error: Unknown event type: "},
		{"unknown type", `{"action": {"action": "fly", "args": {}}}`, 500, "Internal server error: 'action['action']='fly'' is not defined. Available actions: dict_keys(["},
		{"known type without handler", `{"action": {"action": "think", "args": {"thought": "x"}}}`, 500, "Internal server error: 'ActionExecutor' object has no attribute 'think'"},
		{"mcp action", `{"action": {"action": "call_tool_mcp", "args": {"name": "x"}}}`, 500, "Internal server error: 'ActionExecutor' object has no attribute 'call_tool_mcp'"},
		{"missing arg (issue 11 item 12)", `{"action": {"action": "run", "args": {}}}`, 500, "Internal server error: action={'action': 'run', 'args': {}} has the wrong arguments: CmdRunAction.__init__() missing 1 required positional argument: 'command'"},
		{"unknown arg beside a missing one", `{"action": {"action": "run", "args": {"x": 1}}}`, 500, "Internal server error: action={'action': 'run', 'args': {'x': 1}} has the wrong arguments: CmdRunAction.__init__() missing 1 required positional argument: 'command'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body := s.do(t, "POST", "/execute_action", "application/json", strings.NewReader(c.body))
			var b map[string]any
			if err := json.Unmarshal(body, &b); err != nil {
				t.Fatalf("non-JSON error body %q", body)
			}
			d, _ := b["detail"].(string)
			if code != c.wantStatus || !strings.HasPrefix(d, c.wantDetail) {
				t.Fatalf("got %d %q, want %d %q", code, d, c.wantStatus, c.wantDetail)
			}
		})
	}
	// The server is still healthy afterwards.
	if o := s.run(t, "echo still-alive", 10); o.Content != "still-alive" {
		t.Fatalf("%+v", o)
	}
}

// TestLenientDecoding: the top-level keys the agent loop sends (id, timestamp, source,
// message, tool_call_metadata, llm_metrics) are taken, every field of the action's class is
// taken, and an unknown arg is ignored (spec §2.3: the reference's TypeError there is not kept).
func TestLenientDecoding(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	body := `{"action": {"id": 12, "timestamp": "2025-11-14T10:00:00.123456", "source": "agent",
	  "message": "Running command: echo hi", "action": "run",
	  "tool_call_metadata": {"function_name": "execute_bash", "tool_call_id": "toolu_01", "model_response": {"x": 1}, "total_calls_in_response": 1},
	  "llm_metrics": {"accumulated_cost": 0.01},
	  "args": {"command": "echo hi", "is_input": false, "thought": "Let me", "blocking": false, "is_static": false, "cwd": null,
	           "hidden": false, "confirmation_state": "confirmed", "security_risk": 0, "brand_new_arg": [1, 2]},
	  "timeout": 120.0}}`
	code, raw := s.do(t, "POST", "/execute_action", "application/json", strings.NewReader(body))
	if code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	var o map[string]any
	_ = json.Unmarshal(raw, &o)
	want := map[string]bool{"message": true, "observation": true, "content": true, "extras": true, "success": true}
	for k := range o {
		if !want[k] {
			t.Fatalf("unexpected top-level key %q in %s", k, raw)
		}
	}
	ex := o["extras"].(map[string]any)
	for k := range ex {
		if k != "command" && k != "metadata" && k != "hidden" {
			t.Fatalf("unexpected extras key %q", k)
		}
	}
	md := ex["metadata"].(map[string]any)
	for _, k := range []string{"exit_code", "pid", "username", "hostname", "working_dir", "py_interpreter_path", "prefix", "suffix"} {
		if _, ok := md[k]; !ok {
			t.Fatalf("metadata lacks %q: %s", k, raw)
		}
	}
	if o["content"] != "hi" || o["message"] != "Command `echo hi` executed with exit code 0." || o["success"] != true {
		t.Fatalf("%s", raw)
	}
}

// TestConcurrentActions: 20 requests at once are served one at a time, each answer whole.
func TestConcurrentActions(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			b, _ := json.Marshal(map[string]any{"action": map[string]any{"action": "run",
				"args": map[string]any{"command": fmt.Sprintf("echo start-%d && sleep 0.05 && echo end-%d", i, i)}, "timeout": 60}})
			resp, err := http.Post(s.URL+"/execute_action", "application/json", bytes.NewReader(b))
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			var o obs
			if err := json.NewDecoder(resp.Body).Decode(&o); err != nil {
				errs <- err
				return
			}
			want := fmt.Sprintf("start-%d\nend-%d", i, i)
			if resp.StatusCode != 200 || o.Content != want || o.exitCode() != 0 {
				errs <- fmt.Errorf("request %d: %d %+v", i, resp.StatusCode, o)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestRunActions covers the run action's options over HTTP.
func TestRunActions(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{Env: []string{"NO_CHANGE_TIMEOUT_SECONDS=1"}})

	// is_static runs in a fresh shell in cwd and leaves the main session alone.
	other := t.TempDir()
	if o := s.run(t, "mkdir -p sub && cd sub", 10); o.exitCode() != 0 {
		t.Fatalf("%+v", o)
	}
	o := s.run(t, "pwd", 0, map[string]any{"is_static": true, "cwd": other})
	if o.Content != other || o.exitCode() != 0 {
		t.Fatalf("static: %+v", o)
	}
	if o := s.run(t, "pwd", 10); o.Content != filepath.Join(s.WorkDir, "sub") {
		t.Fatalf("main session moved: %+v", o)
	}

	// hidden: echoed back in extras, and the content is not truncated.
	o = s.run(t, "seq 1 20000", 30, map[string]any{"hidden": true})
	if o.Extras["hidden"] != true || strings.Contains(o.Content, "Observation truncated") || !strings.Contains(o.Content, "\n20000") {
		t.Fatalf("hidden: len %d extras %v", len(o.Content), o.Extras)
	}
	o = s.run(t, "seq 1 20000", 30)
	if !strings.Contains(o.Content, "\n[... Observation truncated due to length ...]\n") || len([]rune(o.Content)) > 30100 {
		t.Fatalf("not truncated: %d", len(o.Content))
	}

	// blocking ignores the no-change timeout (test_setup.py: sleep 3 with NO_CHANGE_TIMEOUT_SECONDS=1).
	o = s.run(t, "sleep 3 && echo done", 600, map[string]any{"hidden": true})
	if o.Content != "done" || o.exitCode() != 0 {
		t.Fatalf("blocking: %+v", o)
	}
	// Non-blocking gets the soft timeout with the int seconds text.
	o = s.run(t, "sleep 3", 0)
	if o.exitCode() != -1 || o.prefix() != "" || !strings.Contains(o.suffix(), "[The command has no new output after 1 seconds.") {
		t.Fatalf("soft timeout: %+v", o)
	}
	o = s.act(t, "run", map[string]any{"command": "", "blocking": true}, 30)
	if !strings.Contains(o.suffix(), "[The command completed with exit code 0.]") {
		t.Fatalf("continue: %+v", o)
	}
	// A shell that exits is replaced on the next action.
	s.run(t, "exit", 10)
	if o := s.run(t, "echo reborn", 10); o.Content != "reborn" || o.exitCode() != 0 {
		t.Fatalf("after exit: %+v", o)
	}
	s.run(t, "kill -9 $$", 10)
	if o := s.run(t, "echo reborn2", 10); o.Content != "reborn2" {
		t.Fatalf("after kill: %+v", o)
	}
	// Environment set through export persists, and ~/.bashrc edits work as in test_env_vars.py.
	if o := s.run(t, `export QUUX="abc\"def"`, 10); o.exitCode() != 0 {
		t.Fatalf("%+v", o)
	}
	if o := s.run(t, "echo $QUUX", 10); o.Content != `abc"def` {
		t.Fatalf("%+v", o)
	}
	_ = os.Getpid()
}

// TestGitNoPager: the init alias makes git print instead of paging.
func TestGitNoPager(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	if o := s.run(t, "alias git", 10); !strings.Contains(o.Content, "git --no-pager") {
		t.Fatalf("%+v", o)
	}
}

// TestUpdateMCPServer: the reference's validation and answers for the MCP sync.
func TestUpdateMCPServer(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	cases := []struct {
		body   string
		status int
		detail string
		log    string
	}{
		{`[]`, 200, "MCP server updated successfully", ""},
		{`{"name": "x"}`, 400, "Request must be a list of MCP tools to sync", ""},
		{`null`, 400, "Request must be a list of MCP tools to sync", ""},
		{`[{"name": "fetch", "command": "no-such-uvx-here", "args": ["mcp-server-fetch"], "env": {}}]`, 200, "MCP server updated successfully",
			`MCP server "fetch": command not found: no-such-uvx-here`},
		// The reference answers these with a 500 (its pydantic error); gohands says what is wrong.
		{`[{"name": "bad name!", "command": "x"}]`, 400, "Invalid MCP server config at index 0: name: Server name can only contain letters, numbers, hyphens, and underscores", ""},
		{`[{"name": "ok", "command": ""}]`, 400, "Invalid MCP server config at index 0: command: Command cannot be empty", ""},
		{`[{"name": "ok", "command": "x", "env": {"A": 1}}]`, 400, "Invalid MCP server config at index 0: env: A: input should be a valid string (got 1)", ""},
		{`[{"name": "a", "command": "x"}, {"name": " a ", "command": "y"}]`, 400, `Invalid MCP server config at index 1: duplicate server name "a" (also at index 0)`, ""},
	}
	for _, c := range cases {
		code, raw := s.do(t, "POST", "/update_mcp_server", "application/json", strings.NewReader(c.body))
		var b map[string]string
		_ = json.Unmarshal(raw, &b)
		if code != c.status || b["detail"] != c.detail || !strings.Contains(b["router_error_log"], c.log) {
			t.Fatalf("%s: %d %s", c.body, code, raw)
		}
	}
}

// TestBodyTooLarge: a JSON body over the limit is refused with 413 and the server goes on.
func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	big := io.MultiReader(strings.NewReader(`{"action": {"action": "write", "args": {"path": "x", "content": "`),
		io.LimitReader(repeatReader('a'), 65<<20), strings.NewReader(`"}}}`))
	code, body := s.do(t, "POST", "/execute_action", "application/json", big)
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "Request body too large") {
		t.Fatalf("%d %s", code, body)
	}
	if o := s.run(t, "echo ok", 10); o.Content != "ok" {
		t.Fatalf("%+v", o)
	}
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}
