// Package e2e starts the real action-execution-server binary on a loopback port and speaks
// HTTP to it, as the OpenHands backend does.
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// TestMain removes the binary serverBinary built: a test run leaves nothing in the temp dir.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// serverBinary builds cmd/action-execution-server once per test run.
func serverBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gohands-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "action-execution-server")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/action-execution-server")
		cmd.Dir = repoRoot()
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func repoRoot() string {
	wd, _ := os.Getwd()
	return filepath.Clean(filepath.Join(wd, "..", ".."))
}

// serverOpts configures one server process.
type serverOpts struct {
	Plugins []string // --plugins
	Env     []string // extra KEY=VALUE
	WorkDir string   // default: a fresh t.TempDir()
	APIKey  string   // SESSION_API_KEY
	Args    []string // extra command-line arguments
}

// testServer is a running server.
type testServer struct {
	URL     string
	WorkDir string
	APIKey  string
	Cmd     *exec.Cmd
	Done    <-chan struct{} // closed once the process has exited; then Cmd.ProcessState is set
	Log     *bytes.Buffer
	client  *http.Client
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startServer starts the binary and waits until /alive answers 200, as the backend does.
func startServer(t testing.TB, o serverOpts) *testServer {
	t.Helper()
	bin := serverBinary(t)
	if o.WorkDir == "" {
		o.WorkDir = t.TempDir()
	}
	port := freePort(t)
	u, _ := currentUser()
	args := []string{fmt.Sprint(port), "--working-dir", o.WorkDir, "--username", u.name, "--user-id", u.uid, "--no-enable-browser"}
	if len(o.Plugins) > 0 {
		args = append(args, "--plugins")
		args = append(args, o.Plugins...)
	}
	args = append(args, o.Args...)
	cmd := exec.Command(bin, args...)
	// each server writes its file viewer URL to its own file (the reference's /tmp/oh-server-url)
	cmd.Env = append(os.Environ(), "GOHANDS_SERVER_URL_FILE="+filepath.Join(t.TempDir(), "oh-server-url"))
	cmd.Env = append(cmd.Env, o.Env...)
	if o.APIKey != "" {
		cmd.Env = append(cmd.Env, "SESSION_API_KEY="+o.APIKey)
	}
	logBuf := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logBuf, logBuf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &testServer{URL: fmt.Sprintf("http://127.0.0.1:%d", port), WorkDir: o.WorkDir, APIKey: o.APIKey, Cmd: cmd,
		Log: &logBuf.buf, client: &http.Client{Timeout: 10 * time.Minute}}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.Done = done
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logBuf.String())
		}
	})
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			t.Fatalf("server exited before /alive: %s", logBuf.String())
		default:
		}
		resp, err := http.Get(s.URL + "/alive")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("server not alive in time: %s", logBuf.String())
	return nil
}

// do sends a request with the session key (when set) and returns status and body.
func (s *testServer) do(t testing.TB, method, path, contentType string, body io.Reader) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if s.APIKey != "" {
		req.Header.Set("X-Session-API-Key", s.APIKey)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// postJSON posts v as JSON.
func (s *testServer) postJSON(t testing.TB, path string, v any) (int, []byte) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return s.do(t, http.MethodPost, path, "application/json", bytes.NewReader(b))
}

// obs is a decoded observation.
type obs struct {
	Observation string         `json:"observation"`
	Content     string         `json:"content"`
	Message     string         `json:"message"`
	Extras      map[string]any `json:"extras"`
	Success     *bool          `json:"success"`
}

// meta returns extras.metadata of a run observation.
func (o obs) meta() map[string]any {
	m, _ := o.Extras["metadata"].(map[string]any)
	return m
}

func (o obs) exitCode() int {
	if f, ok := o.meta()["exit_code"].(float64); ok {
		return int(f)
	}
	return -999
}

func (o obs) suffix() string { s, _ := o.meta()["suffix"].(string); return s }

// prefix is metadata.prefix of a run observation.
func (o obs) prefix() string { s, _ := o.meta()["prefix"].(string); return s }

// act posts {"action": {"action": typ, "args": args, "timeout": timeout}} and requires 200.
// timeout <= 0 leaves it out.
func (s *testServer) act(t testing.TB, typ string, args map[string]any, timeout float64) obs {
	t.Helper()
	a := map[string]any{"action": typ, "args": args}
	if timeout > 0 {
		a["timeout"] = timeout
	}
	code, body := s.postJSON(t, "/execute_action", map[string]any{"action": a})
	if code != 200 {
		t.Fatalf("execute_action %s %v: status %d: %s", typ, args, code, body)
	}
	var o obs
	if err := json.Unmarshal(body, &o); err != nil {
		t.Fatalf("bad observation %s: %v", body, err)
	}
	return o
}

// run sends a CmdRunAction as the client does: with a hard timeout (blocking) when
// hard > 0, else the client default of 120 s non-blocking.
func (s *testServer) run(t testing.TB, command string, hard float64, extra ...map[string]any) obs {
	t.Helper()
	args := map[string]any{"command": command, "is_input": false, "blocking": hard > 0}
	for _, e := range extra {
		for k, v := range e {
			args[k] = v
		}
	}
	timeout := hard
	if timeout <= 0 {
		timeout = 120
	}
	return s.act(t, "run", args, timeout)
}

type userInfo struct{ name, uid string }

func currentUser() (userInfo, error) {
	out, err := exec.Command("id", "-un").Output()
	if err != nil {
		return userInfo{}, err
	}
	uid, err := exec.Command("id", "-u").Output()
	if err != nil {
		return userInfo{}, err
	}
	return userInfo{name: strings.TrimSpace(string(out)), uid: strings.TrimSpace(string(uid))}, nil
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// sandboxUser picks a fresh user name and uid for a server to create (root only; the test is
// skipped otherwise) and a working dir that user can reach. The user is deleted afterwards.
func sandboxUser(t *testing.T, prefix string, uidBase int) (name string, uid int, wd string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("user creation needs root (CI runs as root)")
	}
	if _, err := exec.LookPath("useradd"); err != nil {
		t.Skip("no useradd on this machine")
	}
	name = fmt.Sprintf("%s%d", prefix, time.Now().UnixNano()%100000)
	uid = uidBase + time.Now().Nanosecond()%10000
	t.Cleanup(func() { _ = exec.Command("userdel", "-r", name).Run() })
	wd = t.TempDir()
	// The user must be able to reach the working dir: open up the test's private temp parent.
	if err := os.Chmod(filepath.Dir(wd), 0o755); err != nil {
		t.Fatal(err)
	}
	return name, uid, wd
}
