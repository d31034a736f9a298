package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// jupyterEnv puts the Jupyter that scripts/deps.d/30-jupyter.sh installs on PATH. In CI a
// missing Jupyter fails the test; elsewhere it skips.
func jupyterEnv(t testing.TB) []string {
	t.Helper()
	for _, dir := range []string{os.Getenv("GOHANDS_JUPYTER_VENV"), "/opt/gohands/jupyter"} {
		if dir != "" {
			if _, err := os.Stat(filepath.Join(dir, "bin", "jupyter")); err == nil {
				return []string{"PATH=" + filepath.Join(dir, "bin") + string(os.PathListSeparator) + os.Getenv("PATH")}
			}
		}
	}
	if _, err := exec.LookPath("jupyter"); err == nil {
		return nil
	}
	missing(t, "jupyter (scripts/deps.d/30-jupyter.sh)")
	return nil
}

// openVSCodeRoot is the openvscode-server-shaped root scripts/deps.d/35-vscode.sh installs.
func openVSCodeRoot(t testing.TB) string {
	t.Helper()
	for _, dir := range []string{os.Getenv("GOHANDS_OVS_ROOT"), "/opt/gohands/openvscode-server"} {
		if dir != "" {
			if _, err := os.Stat(filepath.Join(dir, "bin", "openvscode-server")); err == nil {
				return dir
			}
		}
	}
	missing(t, "a VS Code server (scripts/deps.d/35-vscode.sh)")
	return ""
}

func missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed", what)
	}
	t.Skipf("%s is not installed", what)
}

// ipy sends an IPythonRunCellAction; timeout <= 0 leaves it out.
func (s *testServer) ipy(t testing.TB, code string, timeout float64, extra ...map[string]any) obs {
	t.Helper()
	args := map[string]any{"code": code}
	for _, e := range extra {
		for k, v := range e {
			args[k] = v
		}
	}
	o := s.act(t, "run_ipython", args, timeout)
	if o.Observation != "run_ipython" {
		t.Fatalf("run_ipython %q: got %s observation: %s", code, o.Observation, o.Content)
	}
	return o
}

// body is the cell output without the two footer lines.
func (o obs) body() string {
	c := o.Content
	if i := strings.LastIndex(c, "\n[Jupyter current working directory: "); i >= 0 {
		c = c[:i]
	}
	return c
}

type pluginStatus struct {
	State    string         `json:"state"`
	PID      int            `json:"pid"`
	Restarts int            `json:"restarts"`
	Detail   map[string]any `json:"detail"`
}

func (s *testServer) plugins(t testing.TB) map[string]pluginStatus {
	t.Helper()
	code, b := s.do(t, http.MethodGet, "/server_info", "", nil)
	if code != 200 {
		t.Fatalf("server_info: %d %s", code, b)
	}
	var info struct {
		Plugins map[string]pluginStatus `json:"plugins"`
	}
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatal(err)
	}
	return info.Plugins
}

// waitPlugin polls /server_info until cond holds for the plugin.
func (s *testServer) waitPlugin(t testing.TB, name string, within time.Duration, cond func(pluginStatus) bool) pluginStatus {
	t.Helper()
	deadline := time.Now().Add(within)
	var last pluginStatus
	for time.Now().Before(deadline) {
		last = s.plugins(t)[name]
		if cond(last) {
			return last
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("plugin %s: condition not met within %v; last status %+v", name, within, last)
	return last
}

// pidGone reports whether pid no longer exists (or is a zombie).
func pidGone(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return true
	}
	b, err := os.ReadFile(filepath.Join("/proc", itoa(pid), "stat"))
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && i+2 < len(s) && s[i+2] == 'Z'
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func detailInt(p pluginStatus, k string) int {
	f, _ := p.Detail[k].(float64)
	return int(f)
}
