// Package jupyter runs the Jupyter kernel gateway (or `jupyter server`, which has the same
// kernels API) as a supervised process and executes cells on its kernel over the websocket
// channel, with the reference's message handling.
package jupyter

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/gohands/gohands/plugins/proc"
)

// Kinds of Jupyter process.
const (
	KindGateway = "kernelgateway" // jupyter_kernel_gateway, the reference's choice
	KindServer  = "server"        // jupyter_server: the same /api/kernels API
)

// Config configures the Jupyter plugin.
type Config struct {
	// Jupyter is the jupyter executable; empty means `jupyter` on PATH.
	Jupyter string
	// Kind forces KindGateway or KindServer; empty picks the gateway when it is installed.
	Kind string
	// Dir is the process's working directory (the kernel starts there).
	Dir string
	// User runs the process (and so the kernel).
	User proc.User
	// Env is extra KEY=VALUE for the process and the kernels it starts.
	Env []string
	// Setup cells run on every fresh kernel, after the cwd sync (e.g. the agent-skills import).
	Setup []string
	// Cwd gives bash's working directory for the first sync at start.
	Cwd func() string
	// Debug logs every kernel message.
	Debug bool
	// Logf logs plugin events; nil discards them.
	Logf func(string, ...any)
}

// Gateway is the supervised Jupyter process. It implements plugins.Service.
type Gateway struct {
	cfg Config

	mu         sync.Mutex
	kind       string
	port       int
	runtimeDir string // JUPYTER_RUNTIME_DIR of the current process, removed on restart and Stop
	kernel     *Kernel
	httpc      *http.Client
	lastStart  time.Time
}

// New returns the plugin; the supervisor starts it.
func New(cfg Config) *Gateway {
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	return &Gateway{cfg: cfg, httpc: &http.Client{Timeout: 2 * time.Second}}
}

// Name is the plugin name.
func (g *Gateway) Name() string { return "jupyter" }

// Command builds the gateway process on a fresh loopback port with a fresh token.
func (g *Gateway) Command() (*exec.Cmd, error) {
	exe, kind, err := Locate(g.cfg.Jupyter, g.cfg.Kind, os.Getenv("PATH"))
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	token := newID()
	var args []string
	switch kind {
	case KindGateway:
		args = []string{"kernelgateway", "--KernelGatewayApp.ip=127.0.0.1",
			"--KernelGatewayApp.port=" + strconv.Itoa(port), "--KernelGatewayApp.port_retries=0",
			"--KernelGatewayApp.auth_token=" + token}
	default:
		args = []string{"server", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
			"--ServerApp.port=" + strconv.Itoa(port), "--ServerApp.port_retries=0",
			"--ServerApp.token=" + token, "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True"}
		if g.cfg.Dir != "" {
			args = append(args, "--ServerApp.root_dir="+g.cfg.Dir)
		}
	}
	// The gateway's restarter polls the kernel every 3 s by default; a dead kernel should be
	// replaced well before the next cell.
	args = append(args, "--KernelRestarter.time_to_dead=0.5")
	// A runtime dir of its own (connection files, cookie secret): a kernel killed with its
	// group never removes its kernel-<id>.json, which would pile up in the user's
	// ~/.local/share/jupyter/runtime; this one is removed on restart and Stop.
	rt, err := os.MkdirTemp("", "gohands-jupyter-runtime-")
	if err != nil {
		return nil, fmt.Errorf("jupyter runtime dir: %w", err)
	}
	if u := g.cfg.User; u.Switch {
		if err := os.Chown(rt, u.UID, u.GID); err != nil {
			_ = os.RemoveAll(rt)
			return nil, fmt.Errorf("jupyter runtime dir: %w", err)
		}
	}
	cmd := exec.Command(exe, args...)
	cmd.Dir = g.cfg.Dir
	extra := append([]string{"PYDEVD_DISABLE_FILE_VALIDATION=1", "PYTHONUNBUFFERED=1", "JUPYTER_RUNTIME_DIR=" + rt}, g.cfg.Env...)
	cmd.Env = proc.Env(proc.BaseEnv(), g.cfg.User, extra...)
	proc.Prepare(cmd, g.cfg.User)

	base := "http://127.0.0.1:" + strconv.Itoa(port)
	g.mu.Lock()
	if g.kernel != nil {
		g.kernel.Close()
	}
	if g.runtimeDir != "" {
		_ = os.RemoveAll(g.runtimeDir) // the previous process has exited: a restart
	}
	g.runtimeDir = rt
	g.kind, g.port, g.lastStart = kind, port, time.Now()
	g.kernel = newKernel(base, token, g.cfg.Setup, g.cfg.Logf, g.cfg.Debug)
	g.mu.Unlock()
	return cmd, nil
}

// Ready polls the gateway's API (not its output), then creates the kernel and runs the
// init cells, so the first action finds a warm kernel.
func (g *Gateway) Ready(ctx context.Context) error {
	k := g.Kernel()
	if k == nil {
		return errors.New("not started")
	}
	for {
		if _, err := k.request(ctx, http.MethodGet, "/api", nil); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	cwd := g.cfg.Dir
	if g.cfg.Cwd != nil {
		cwd = g.cfg.Cwd()
	}
	return k.Start(ctx, cwd)
}

// Exited drops the connection of the dead gateway and kills its kernel, which lives in its own
// session and would otherwise linger until its parent poller notices.
func (g *Gateway) Exited() {
	g.mu.Lock()
	k := g.kernel
	g.mu.Unlock()
	if k != nil {
		k.Close()
		killKernel(k.pidLocked())
	}
}

// Stop kills the kernel if it outlived the gateway's shutdown and removes its runtime dir.
func (g *Gateway) Stop() {
	g.Exited()
	g.mu.Lock()
	rt := g.runtimeDir
	g.runtimeDir = ""
	g.mu.Unlock()
	if rt != "" {
		_ = os.RemoveAll(rt)
	}
}

// Kernel is the current kernel client (nil before the first start).
func (g *Gateway) Kernel() *Kernel {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.kernel
}

// Detail is the plugin's part of the status page.
func (g *Gateway) Detail() map[string]any {
	g.mu.Lock()
	d := map[string]any{"kind": g.kind, "port": g.port}
	k := g.kernel
	g.mu.Unlock()
	if k != nil && k.mu.TryLock() { // never block the status page behind a running cell
		d["kernel_id"], d["kernel_pid"], d["kernel_generation"] = k.id, k.pid, k.gen
		k.mu.Unlock()
	} else if k != nil {
		d["busy"] = true
	}
	return d
}

func killKernel(pid int) {
	if pid > 0 && proc.Alive(pid) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// Locate finds the jupyter executable and which kind of server to run: the kernel gateway
// when `jupyter-kernelgateway` sits beside jupyter or on path, else `jupyter server`.
func Locate(jupyter, kind, path string) (string, string, error) {
	exe := jupyter
	if exe == "" {
		var err error
		if exe, err = lookPath("jupyter", path); err != nil {
			return "", "", errors.New("jupyter is not installed: no `jupyter` on PATH (install jupyter_kernel_gateway and ipykernel, or set GOHANDS_JUPYTER)")
		}
	} else if _, err := os.Stat(exe); err != nil {
		return "", "", fmt.Errorf("jupyter executable %s: %w", exe, err)
	}
	if kind != "" {
		return exe, kind, nil
	}
	dirs := []string{filepath.Dir(exe)}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		dirs = append(dirs, filepath.Dir(real))
	}
	for _, k := range []string{KindGateway, KindServer} {
		for _, d := range dirs {
			if isExec(filepath.Join(d, "jupyter-"+k)) {
				return exe, k, nil
			}
		}
		if _, err := lookPath("jupyter-"+k, path); err == nil {
			return exe, k, nil
		}
	}
	return "", "", fmt.Errorf("neither `jupyter kernelgateway` nor `jupyter server` is installed beside %s", exe)
}

func lookPath(name, path string) (string, error) {
	for _, d := range filepath.SplitList(path) {
		if d == "" {
			continue
		}
		if p := filepath.Join(d, name); isExec(p) {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// freePort asks the kernel for a free loopback port. Another process may take it before the
// gateway binds; the gateway then exits and the supervisor retries on a new port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
