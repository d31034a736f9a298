package plugins

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strconv"
	"time"

	"github.com/gohands/gohands/plugins/agentskills"
	"github.com/gohands/gohands/plugins/jupyter"
	"github.com/gohands/gohands/plugins/proc"
	"github.com/gohands/gohands/plugins/vscode"
)

// Env is what the server tells the plugins about itself when it starts them.
type Env struct {
	User          proc.User     // the sandbox user the plugin processes run as
	Username      string        // --username as given
	WorkingDir    string        // --working-dir
	Cwd           func() string // bash's current directory
	ServerPort    int           // this server's port, for the agent skills' callbacks
	SessionAPIKey string        // sent by the agent skills' callbacks
	Logger        *log.Logger   // nil: log.Default()
}

// Manager starts the configured plugins, supervises their processes and stops them.
type Manager struct {
	cfg       Config
	sup       *Supervisor
	jupyter   *jupyter.Gateway
	vscode    *vscode.Server
	skillsDir string
}

// NewManager returns a manager for cfg.Names.
func NewManager(cfg Config) *Manager { return &Manager{cfg: cfg} }

// Has reports whether the plugin was requested.
func (m *Manager) Has(name string) bool { return m != nil && m.cfg.Has(name) }

// Start brings every plugin up concurrently within cfg.InitTimeout. Jupyter is up when its
// kernel has run the init cells (cwd sync, and the agent-skills import when both are loaded).
func (m *Manager) Start(ctx context.Context, env Env) error {
	l := env.Logger
	if l == nil {
		l = log.Default()
	}
	m.sup = NewSupervisor(l, DefaultBackoff)
	var svcs []Service
	if m.cfg.Has("jupyter") {
		jenv := []string{"GOHANDS_ACTION_SERVER_URL=http://127.0.0.1:" + strconv.Itoa(env.ServerPort)}
		if env.SessionAPIKey != "" {
			jenv = append(jenv, "GOHANDS_SESSION_API_KEY="+env.SessionAPIKey)
		}
		var setup []string
		if m.cfg.Has("agent_skills") {
			dir, err := agentskills.Install()
			if err != nil {
				return err
			}
			m.skillsDir = dir
			pp := dir
			if old := os.Getenv("PYTHONPATH"); old != "" {
				pp += string(os.PathListSeparator) + old
			}
			jenv = append(jenv, "PYTHONPATH="+pp)
			setup = append(setup, agentskills.ImportCell)
		}
		u := env.User
		if m.cfg.LocalRuntime {
			u = proc.User{} // the local runtime starts Jupyter as the server's own user
		}
		m.jupyter = jupyter.New(jupyter.Config{
			Jupyter: m.cfg.Jupyter, Dir: env.WorkingDir, User: u, Env: jenv, Setup: setup,
			Cwd: env.Cwd, Debug: m.cfg.Debug,
			Logf: func(f string, a ...any) { l.Printf("[jupyter] "+f, a...) },
		})
		svcs = append(svcs, m.jupyter)
	}
	if m.cfg.Has("vscode") {
		m.vscode = vscode.New(vscode.Config{
			Port: m.cfg.VSCodePort, Root: m.cfg.OpenVSCodeRoot, WorkspaceBase: m.cfg.WorkspaceBase,
			WorkspaceMount: m.cfg.WorkspaceMount, BasePath: m.cfg.OpenVSCodeBasePath,
			RuntimeURL: m.cfg.RuntimeURL, RuntimeID: m.cfg.RuntimeID,
			RuntimeUsername: m.cfg.RuntimeUsername, Username: env.Username, User: env.User,
			Logf: func(f string, a ...any) { l.Printf("[vscode] "+f, a...) },
		})
		svcs = append(svcs, m.vscode)
	}
	timeout := m.cfg.InitTimeout
	if timeout <= 0 {
		timeout = 120 * time.Second
	}
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return m.sup.Start(sctx, svcs...)
}

// Stop kills every plugin process (and the Jupyter kernel) and removes what Start wrote.
func (m *Manager) Stop() {
	if m == nil {
		return
	}
	if m.sup != nil {
		m.sup.Stop()
	}
	if m.jupyter != nil {
		m.jupyter.Stop()
	}
	if m.skillsDir != "" {
		os.RemoveAll(m.skillsDir)
	}
}

// Status is the plugins' part of /server_info.
func (m *Manager) Status() map[string]Status {
	if m == nil || m.sup == nil {
		return nil
	}
	st := m.sup.Status()
	if m.cfg.Has("agent_skills") {
		s := Status{State: "loaded"}
		if m.skillsDir != "" {
			s.Detail = map[string]any{"module": agentskills.Module, "path": m.skillsDir}
		}
		st["agent_skills"] = s
	}
	return st
}

// VSCodeToken is the connection token, and whether the reference would report one: the
// plugin is loaded and got a port.
func (m *Manager) VSCodeToken() (string, bool) {
	if m == nil || m.vscode == nil || m.vscode.Token() == "" {
		return "", false
	}
	return m.vscode.Token(), true
}

// ErrNoJupyter means the jupyter plugin is not loaded.
var ErrNoJupyter = errors.New("jupyter plugin not loaded")

// RunCell runs one cell. When the gateway is down (crashed, restarting) it waits for it, up to
// the init timeout, instead of failing. It also returns the kernel's interpreter path.
func (m *Manager) RunCell(ctx context.Context, c jupyter.Cell) (jupyter.Result, string, error) {
	if m == nil || m.jupyter == nil {
		return jupyter.Result{}, "", ErrNoJupyter
	}
	wait := m.cfg.InitTimeout
	if wait <= 0 {
		wait = 120 * time.Second
	}
	deadline := time.Now().Add(wait)
	for {
		wctx, cancel := context.WithDeadline(ctx, deadline)
		err := m.sup.Wait(wctx, "jupyter")
		cancel()
		if err != nil {
			return jupyter.Result{}, "", fmt.Errorf("jupyter is not available: %w", err)
		}
		k := m.jupyter.Kernel()
		res, err := k.Execute(ctx, c)
		if jupyter.NotSent(err) && time.Now().Before(deadline) && ctx.Err() == nil {
			// The gateway went away before the cell was sent: wait for its replacement.
			select {
			case <-time.After(50 * time.Millisecond):
			case <-ctx.Done():
			}
			continue
		}
		return res, k.Interpreter(), err
	}
}
