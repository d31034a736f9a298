package e2e

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test_ipython.py cases that do not depend on the reference's image, against a real
// kernel gateway, plus what the reference lacks: timeout with a real interrupt, a dead kernel
// replaced, images. Cells share one kernel, so the steps run in order.
func TestIPythonCells(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{Plugins: []string{"agent_skills", "jupyter"}, Env: jupyterEnv(t)})
	wd := s.WorkDir
	interp := strings.TrimSpace(s.ipy(t, "import sys; print(sys.executable)", 30, map[string]any{"include_extra": false}).Content)
	if !filepath.IsAbs(interp) {
		t.Fatalf("interpreter %q", interp)
	}
	footer := func(cwd string) string {
		return "\n[Jupyter current working directory: " + cwd + "]\n[Jupyter Python interpreter: " + interp + "]"
	}
	steps := []struct {
		name    string
		code    string
		timeout float64
		extra   map[string]any
		want    string         // exact content, footer included ("" = not checked)
		match   *regexp.Regexp // content must match
		images  int            // -1: image_urls must be null
	}{
		{name: "simple", code: "print(1)", want: "1" + footer(wd), images: -1},
		{name: "hello backticks", code: "print('Hello, `World`!\\n')", want: "Hello, `World`!" + footer(wd), images: -1},
		{name: "no output", code: "with open('test.txt', 'w') as f: f.write('Hello, world!')",
			want: "[Code executed successfully with no output]" + footer(wd), images: -1},
		{name: "getcwd", code: "import os; print(os.getcwd())", want: wd + footer(wd)},
		{name: "expression value", code: "6*7", want: "42" + footer(wd)},
		{name: "set variable", code: "x = 41", want: "[Code executed successfully with no output]" + footer(wd)},
		{name: "variable kept", code: "print(x + 1)", want: "42" + footer(wd)},
		{name: "include_extra false", code: "print('bare')", extra: map[string]any{"include_extra": false}, want: "bare"},
		{name: "stdout and stderr", code: "import sys; print('a'); print('b', file=sys.stderr)", want: "a\nb" + footer(wd)},
		{name: "traceback without colours", code: "1/0",
			match: regexp.MustCompile(`(?s)^[^\x1b]*ZeroDivisionError[^\x1b]*division by zero[^\x1b]*\n\[Jupyter current working directory: `)},
		{name: "missing module", code: "import pymsgbox",
			match: regexp.MustCompile(`ModuleNotFoundError: No module named 'pymsgbox'`)},
		{name: "chdir in kernel", code: "\nimport os\nos.makedirs('test_dir', exist_ok=True)\nos.chdir('test_dir')\nprint(os.getcwd())\n",
			want: filepath.Join(wd, "test_dir") + footer(wd)},
		// The kernel's own chdir is not read back and bash's cwd did not change: no re-sync.
		{name: "kernel cwd not reset", code: "import os; print(os.getcwd())", want: filepath.Join(wd, "test_dir") + footer(wd)},
		{name: "agent skills loaded", code: "print(all(callable(f) for f in (open_file, goto_line, scroll_down, scroll_up, search_dir, search_file, find_file, file_editor)))",
			want: "True" + footer(wd)},
	}
	for _, st := range steps {
		o := s.ipy(t, st.code, st.timeout, st.extra)
		if st.want != "" && o.Content != st.want {
			t.Errorf("%s: content\n%q\nwant\n%q", st.name, o.Content, st.want)
		}
		if st.match != nil && !st.match.MatchString(o.Content) {
			t.Errorf("%s: content %q does not match %v", st.name, o.Content, st.match)
		}
		if st.images == -1 && o.Extras["image_urls"] != nil {
			t.Errorf("%s: image_urls = %v, want null", st.name, o.Extras["image_urls"])
		}
		if o.Extras["code"] != st.code || o.Message != "Code executed in IPython cell." || o.Success == nil || !*o.Success {
			t.Errorf("%s: observation %+v", st.name, o)
		}
	}
	if b, err := os.ReadFile(filepath.Join(wd, "test.txt")); err != nil || string(b) != "Hello, world!" {
		t.Errorf("test.txt = %q, %v", b, err)
	}

	t.Run("timeout interrupts the kernel", func(t *testing.T) {
		s.ipy(t, "interrupted = False", 30)
		o := s.ipy(t, "try:\n    import time\n    time.sleep(60)\nexcept KeyboardInterrupt:\n    interrupted = True\n    raise\n", 3)
		if want := "[Execution timed out (3.0 seconds).]" + footer(wd); o.Content != want {
			t.Fatalf("content %q, want %q", o.Content, want)
		}
		// Without a real interrupt the kernel would still sleep and this cell would time out.
		o = s.ipy(t, "print(interrupted)", 20)
		if o.body() != "True" {
			t.Fatalf("after the timeout: %q", o.Content)
		}
	})

	t.Run("cwd follows bash", func(t *testing.T) {
		r := s.run(t, "mkdir -p from_bash && cd from_bash", 30)
		if r.exitCode() != 0 {
			t.Fatalf("cd in bash: %+v", r)
		}
		sub := filepath.Join(wd, "from_bash")
		o := s.ipy(t, "import os; print(os.getcwd())", 30)
		if want := sub + footer(sub); o.Content != want {
			t.Fatalf("content %q, want %q", o.Content, want)
		}
		s.run(t, "cd "+wd, 30)
		if o := s.ipy(t, "import os; print(os.getcwd())", 30); o.body() != wd {
			t.Fatalf("after cd back: %q", o.Content)
		}
	})

	t.Run("image", func(t *testing.T) {
		if o := s.ipy(t, "import matplotlib", 60); strings.Contains(o.Content, "ModuleNotFoundError") {
			missing(t, "matplotlib in the kernel (scripts/deps.d/30-jupyter.sh)")
		}
		o := s.ipy(t, "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()", 60)
		imgs, _ := o.Extras["image_urls"].([]any)
		if len(imgs) != 1 {
			t.Fatalf("image_urls = %v (content %q)", o.Extras["image_urls"], o.Content)
		}
		if u, _ := imgs[0].(string); !strings.HasPrefix(u, "data:image/png;base64,iVBORw0KGgo") {
			t.Fatalf("image url %.60q", u)
		}
	})

	t.Run("dead kernel is replaced", func(t *testing.T) {
		s.ipy(t, "lost = 1", 30)
		o := s.ipy(t, "import os; os._exit(1)", 60)
		if !strings.Contains(o.Content, "The Jupyter kernel died while running this cell") {
			t.Fatalf("content %q", o.Content)
		}
		o = s.ipy(t, "import os; print(os.getcwd(), 'lost' in globals(), callable(open_file))", 60)
		if o.body() != wd+" False True" {
			t.Fatalf("after restart: %q", o.Content)
		}
	})
}

func TestIPythonAgentSkills(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{Plugins: []string{"agent_skills", "jupyter"}, Env: jupyterEnv(t)})
	wd := s.WorkDir
	var lines []string
	for i := 1; i <= 150; i++ {
		lines = append(lines, fmt.Sprintf("line %d", i))
	}
	if err := os.WriteFile(filepath.Join(wd, "big.txt"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(wd, "small.py"), []byte("a = 1\nb = 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	numbered := func(from, to int) string {
		var b strings.Builder
		for i := from; i <= to; i++ {
			fmt.Fprintf(&b, "%d|line %d\n", i, i)
		}
		return b.String()
	}
	big := filepath.Join(wd, "big.txt")
	small := filepath.Join(wd, "small.py")
	cases := []struct{ code, want string }{
		{"open_file('small.py')", "[File: " + small + " (2 lines total)]\n(this is the beginning of the file)\n1|a = 1\n2|b = 2\n(this is the end of the file)"},
		{"open_file('big.txt')", "[File: " + big + " (150 lines total)]\n(this is the beginning of the file)\n" + numbered(1, 100) +
			"(50 more lines below)\n[Use `scroll_down` to view the next 100 lines of the file!]"},
		{"scroll_down()", "[File: " + big + " (150 lines total)]\n(50 more lines above)\n" + numbered(51, 150) + "(this is the end of the file)"},
		{"goto_line(200)", "ERROR: Line number must be between 1 and 150."},
		{"search_file('line 15')", "[Found 2 matches for \"line 15\" in " + big + "]\nLine 15: line 15\nLine 150: line 150\n[End of matches for \"line 15\" in " + big + "]"},
		{"search_file('nothing here', 'small.py')", "[No matches found for \"nothing here\" in small.py]"},
		{"search_dir('b = 2')", "[Found 1 matches for \"b = 2\" in ./]\n./small.py (Line 2): b = 2\n[End of matches for \"b = 2\" in ./]"},
		{"find_file('small')", "[Found 1 matches for \"small\" in ./]\n./small.py\n[End of matches for \"small\" in ./]"},
		{"open_file('nope.txt')", "ERROR: File nope.txt not found."},
	}
	for _, c := range cases {
		if o := s.ipy(t, c.code, 30); o.body() != c.want {
			t.Errorf("%s:\n%q\nwant\n%q", c.code, o.body(), c.want)
		}
	}

	// file_editor goes through the server's own editor: the undo history is shared with
	// `edit` actions.
	p := filepath.Join(wd, "ed.txt")
	code := fmt.Sprintf("print(file_editor(command='create', path=%q, file_text='Line 1\\nLine 2\\nLine 3'))\n"+
		"print(file_editor(command='view', path=%q))\n"+
		"print(file_editor(command='str_replace', path=%q, old_str='Line 2', new_str='New Line 2'))\n", p, p, p)
	o := s.ipy(t, code, 60)
	for _, want := range []string{"<oh_aci_output_", `"output": "File created successfully at: ` + p + `"`, `"prev_exist": false`,
		"Line 1", "Line 3", "New Line 2", `"formatted_output_and_error": `} {
		if !strings.Contains(o.Content, want) {
			t.Errorf("file_editor output lacks %q:\n%s", want, o.Content)
		}
	}
	e := s.act(t, "edit", map[string]any{"command": "undo_edit", "path": p, "impl_source": "oh_aci"}, 30)
	if !strings.Contains(e.Content, "Last edit to "+p+" undone successfully") {
		t.Errorf("undo through the edit action after the kernel's edit: %q", e.Content)
	}
	if b, _ := os.ReadFile(p); string(b) != "Line 1\nLine 2\nLine 3" {
		t.Errorf("after undo: %q", b)
	}
	o = s.ipy(t, fmt.Sprintf("print(file_editor(command='view', path=%q))", filepath.Join(wd, "missing.txt")), 30)
	if !strings.Contains(o.Content, `"output": null,"error": "Invalid `+"`path`"+` parameter: `) || !strings.Contains(o.Content, `"formatted_output_and_error": "ERROR:\n`) {
		t.Errorf("error form: %q", o.Content)
	}
}

// Without the jupyter plugin the reference fails the action with a 500.
func TestIPythonWithoutJupyter(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	code, body := s.postJSON(t, "/execute_action", map[string]any{"action": map[string]any{"action": "run_ipython", "args": map[string]any{"code": "print(1)"}}})
	if code != 500 || !strings.Contains(string(body), "JupyterRequirement not found. Unable to run IPython action.") {
		t.Fatalf("%d %s", code, body)
	}
	if code, body := s.do(t, http.MethodGet, "/vscode/connection_token", "", nil); code != 200 || strings.TrimSpace(string(body)) != `{"token":null}` {
		t.Fatalf("token: %d %s", code, body)
	}
	if _, ok := s.plugins(t)["jupyter"]; ok {
		t.Fatal("plugin status without plugins")
	}
}

func TestVSCode(t *testing.T) {
	t.Parallel()
	root := openVSCodeRoot(t)
	cases := []struct {
		name string
		env  func(port int) []string
		base string
	}{
		{name: "plain", base: ""},
		{name: "runtime url", base: "/rt-42/vscode", env: func(int) []string {
			return []string{"RUNTIME_URL=https://runtime.example/rt-42", "RUNTIME_ID=rt-42"}
		}},
		// The reference crashes on this one.
		{name: "explicit base path", base: "/custom/path", env: func(int) []string {
			return []string{"OPENVSCODE_SERVER_BASE_PATH=custom/path/"}
		}},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			port := freePort(t)
			base := t.TempDir()
			env := []string{fmt.Sprintf("VSCODE_PORT=%d", port), "OPENVSCODE_SERVER_ROOT=" + root, "WORKSPACE_BASE=" + base}
			if c.env != nil {
				env = append(env, c.env(port)...)
			}
			s := startServer(t, serverOpts{Plugins: []string{"vscode"}, Env: env, APIKey: "k3y"})
			token := vscodeToken(t, s)
			if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(token) {
				t.Fatalf("token %q", token)
			}
			if b, err := os.ReadFile(filepath.Join(base, ".vscode", "settings.json")); err != nil || !strings.Contains(string(b), `"workbench.colorTheme": "Default Dark Modern"`) {
				t.Fatalf("settings.json: %q %v", b, err)
			}
			url := fmt.Sprintf("http://127.0.0.1:%d%s/", port, c.base)
			code, page := browse(t, url+"?tkn="+token)
			if code != 200 || !strings.Contains(page, "workbench") {
				t.Fatalf("GET with token: %d %.300s", code, page)
			}
			if code, _ := browse(t, url+"?tkn=wrong"); code != 403 {
				t.Fatalf("GET with a wrong token: %d", code)
			}
			st := s.plugins(t)["vscode"]
			if st.State != "running" || st.PID == 0 {
				t.Fatalf("status %+v", st)
			}
		})
	}
}

func TestVSCodeTokenNull(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() }) // the subtests run after this function returns
	cases := []struct {
		name      string
		env       []string
		wantToken bool
	}{
		{name: "no VSCODE_PORT", env: nil},
		{name: "invalid VSCODE_PORT", env: []string{"VSCODE_PORT=abc"}},
		// As in the reference the token is generated before the port check.
		{name: "port busy", env: []string{fmt.Sprintf("VSCODE_PORT=%d", busy.Addr().(*net.TCPAddr).Port)}, wantToken: true},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := append([]string{"WORKSPACE_BASE=" + t.TempDir(), "OPENVSCODE_SERVER_ROOT=/nonexistent", "VSCODE_PORT="}, c.env...)
			s := startServer(t, serverOpts{Plugins: []string{"vscode"}, Env: env})
			code, body := s.do(t, http.MethodGet, "/vscode/connection_token", "", nil)
			if code != 200 {
				t.Fatalf("%d %s", code, body)
			}
			if got := strings.TrimSpace(string(body)) != `{"token":null}`; got != c.wantToken {
				t.Fatalf("body %s, want a token: %v", body, c.wantToken)
			}
			if st := s.plugins(t)["vscode"]; st.State != "disabled" {
				t.Fatalf("status %+v", st)
			}
		})
	}
}

// Each plugin process killed with SIGKILL comes back by itself and is usable; the next action
// waits for it; nothing outlives the server.
func TestPluginSupervision(t *testing.T) {
	t.Parallel()
	root := openVSCodeRoot(t)
	port := freePort(t)
	env := append(jupyterEnv(t), fmt.Sprintf("VSCODE_PORT=%d", port), "OPENVSCODE_SERVER_ROOT="+root, "WORKSPACE_BASE="+t.TempDir())
	s := startServer(t, serverOpts{Plugins: []string{"jupyter", "agent_skills", "vscode"}, Env: env})
	st := s.plugins(t)
	for _, name := range []string{"jupyter", "vscode"} {
		if st[name].State != "running" || st[name].PID == 0 {
			t.Fatalf("%s not running at /alive: %+v", name, st[name])
		}
	}
	s.ipy(t, "kept = 'no'", 30)
	pids := map[int]bool{}

	t.Run("gateway", func(t *testing.T) {
		old := st["jupyter"]
		pids[old.PID], pids[detailInt(old, "kernel_pid")] = true, true
		if err := syscall.Kill(old.PID, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		// No waiting here: the cell itself waits for the new gateway.
		o := s.ipy(t, "import os; print(os.getcwd(), callable(open_file))", 60)
		if o.body() != s.WorkDir+" True" {
			t.Fatalf("cell after the gateway was killed: %q", o.Content)
		}
		now := s.waitPlugin(t, "jupyter", 30*time.Second, func(p pluginStatus) bool { return p.State == "running" })
		if now.PID == old.PID || now.Restarts < 1 {
			t.Fatalf("status after restart %+v (old pid %d)", now, old.PID)
		}
		if !eventually(5*time.Second, func() bool { return pidGone(old.PID) && pidGone(detailInt(old, "kernel_pid")) }) {
			t.Fatalf("old gateway %d or its kernel %d still alive", old.PID, detailInt(old, "kernel_pid"))
		}
	})

	t.Run("kernel", func(t *testing.T) {
		cur := s.plugins(t)["jupyter"]
		kpid := detailInt(cur, "kernel_pid")
		if kpid == 0 {
			t.Fatalf("no kernel pid in %+v", cur)
		}
		pids[kpid] = true
		s.ipy(t, "kept = 'yes'", 30)
		if err := syscall.Kill(kpid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		o := s.ipy(t, "print('kept' in globals(), callable(open_file))", 60)
		if o.body() != "False True" {
			t.Fatalf("cell after the kernel was killed: %q", o.Content)
		}
	})

	t.Run("vscode", func(t *testing.T) {
		old := s.plugins(t)["vscode"]
		pids[old.PID] = true
		if err := syscall.Kill(old.PID, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		now := s.waitPlugin(t, "vscode", 30*time.Second, func(p pluginStatus) bool {
			return p.State == "running" && p.PID != old.PID
		})
		if now.Restarts < 1 {
			t.Fatalf("status %+v", now)
		}
		token := vscodeToken(t, s)
		if code, page := browse(t, fmt.Sprintf("http://127.0.0.1:%d/?tkn=%s", port, token)); code != 200 || !strings.Contains(page, "workbench") {
			t.Fatalf("after restart: %d %.200s", code, page)
		}
	})

	t.Run("no orphans", func(t *testing.T) {
		cur := s.plugins(t)
		for _, p := range []int{cur["jupyter"].PID, detailInt(cur["jupyter"], "kernel_pid"), cur["vscode"].PID} {
			pids[p] = true
		}
		_ = s.Cmd.Process.Signal(os.Interrupt)
		if !eventually(15*time.Second, func() bool {
			for p := range pids {
				if p > 0 && !pidGone(p) {
					return false
				}
			}
			return true
		}) {
			t.Fatalf("plugin processes outlived the server: %v", pids)
		}
	})
}

func eventually(d time.Duration, f func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if f() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return f()
}

func vscodeToken(t testing.TB, s *testServer) string {
	t.Helper()
	code, body := s.do(t, http.MethodGet, "/vscode/connection_token", "", nil)
	m := regexp.MustCompile(`^\{"token":"([^"]+)"\}$`).FindStringSubmatch(strings.TrimSpace(string(body)))
	if code != 200 || m == nil {
		t.Fatalf("connection_token: %d %s", code, body)
	}
	return m[1]
}

// browse fetches a page as a browser does: following redirects, keeping cookies.
func browse(t testing.TB, url string) (int, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b)
}
