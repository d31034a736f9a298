package jupyter

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gohands/gohands/plugins/proc"
)

// testJupyter finds the jupyter the deps scripts install (scripts/deps.d/30-jupyter.sh), or
// one on PATH. In CI a missing Jupyter fails the test; elsewhere it skips.
func testJupyter(t testing.TB) string {
	t.Helper()
	for _, p := range []string{os.Getenv("GOHANDS_JUPYTER"), "/opt/gohands/jupyter/bin/jupyter"} {
		if p != "" && isExec(p) {
			return p
		}
	}
	if p, err := exec.LookPath("jupyter"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("jupyter not installed: run scripts/deps.d/30-jupyter.sh")
	}
	t.Skip("jupyter not installed: run scripts/deps.d/30-jupyter.sh")
	return ""
}

// started is a gateway process run directly (without the supervisor) for one test.
type started struct {
	g   *Gateway
	cmd *exec.Cmd
}

func startGateway(t testing.TB, cfg Config) *started {
	t.Helper()
	if cfg.Jupyter == "" {
		cfg.Jupyter = testJupyter(t)
	}
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	cfg.Logf = t.Logf
	g := New(cfg)
	cmd, err := g.Command()
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuf
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = proc.KillGroup(cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
		_ = proc.KillGroup(cmd.Process.Pid, syscall.SIGKILL)
		g.Stop()
		if t.Failed() {
			t.Logf("gateway output:\n%s", out.String())
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := g.Ready(ctx); err != nil {
		t.Fatalf("ready: %v\n%s", err, out.String())
	}
	return &started{g: g, cmd: cmd}
}

type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *started) exec(t testing.TB, code string, timeout time.Duration, cwd string) (Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	return s.g.Kernel().Execute(ctx, Cell{Code: code, Timeout: timeout, Cwd: cwd})
}

func TestExecuteKinds(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{KindGateway, KindServer} {
		kind := kind
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			s := startGateway(t, Config{Kind: kind, Dir: dir})
			r, err := s.exec(t, "print(1)", 0, dir)
			if err != nil || r.Text != "1\n" {
				t.Fatalf("print(1) = %q, %v", r.Text, err)
			}
			if !strings.HasPrefix(s.g.Kernel().Interpreter(), "/") {
				t.Errorf("interpreter %q", s.g.Kernel().Interpreter())
			}
			r, err = s.exec(t, "import os; os.getcwd()", 0, dir)
			want, _ := filepath.EvalSymlinks(dir)
			if err != nil || !strings.Contains(r.Text, want) {
				t.Fatalf("cwd = %q, %v (want %s)", r.Text, err, want)
			}
		})
	}
}

// TestRuntimeDirRemoved: the kernel's connection file lives in a runtime dir of the gateway's
// own, removed on Stop, so a kernel killed with its group leaves no kernel-<id>.json in the
// user's ~/.local/share/jupyter/runtime (one was left there per test run before).
func TestRuntimeDirRemoved(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	g := New(Config{Jupyter: testJupyter(t), Dir: t.TempDir(), Env: []string{"HOME=" + home}, Logf: t.Logf})
	cmd, err := g.Command()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Stop) // the runtime dir, also when a check below fails first
	rt := g.runtimeDir
	if rt == "" || !slices.Contains(cmd.Env, "JUPYTER_RUNTIME_DIR="+rt) {
		t.Fatalf("runtime dir %q not in the gateway's env", rt)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := g.Ready(ctx); err != nil {
		_ = proc.KillGroup(cmd.Process.Pid, syscall.SIGKILL)
		t.Fatalf("ready: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(rt, "kernel-*.json"))
	if len(files) != 1 {
		t.Fatalf("connection files in the runtime dir: %v", files)
	}
	// as the server stops it: the whole group killed, then Stop
	_ = proc.KillGroup(cmd.Process.Pid, syscall.SIGKILL)
	<-done
	g.Stop()
	if _, err := os.Stat(rt); !os.IsNotExist(err) {
		t.Fatalf("runtime dir left behind: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(home, ".local/share/jupyter/runtime/kernel-*.json")); len(left) != 0 {
		t.Fatalf("kernel files in the user's runtime dir: %v", left)
	}
}
