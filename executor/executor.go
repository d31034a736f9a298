// Package executor is the V0 action-execution protocol: action and observation JSON, the
// dispatcher, and the HTTP routes. It decodes, calls a domain package, and encodes.
package executor

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gohands/gohands/browser"
	"github.com/gohands/gohands/files"
	"github.com/gohands/gohands/mcp"
	"github.com/gohands/gohands/plugins"
	"github.com/gohands/gohands/sandbox"
	"github.com/gohands/gohands/shell"
	"github.com/gohands/gohands/telemetry"
)

// Executor owns the main bash session, the file service and the plugins, and runs one
// action at a time, as the reference does.
type Executor struct {
	cfg     Config
	user    sandbox.User
	files   *files.Service
	plugins *plugins.Manager
	mcp     *mcp.Manager
	browser *browser.Service   // nil when the browser is disabled
	tel     *telemetry.Service // nil when telemetry is off
	terms   terminals

	mu sync.Mutex // serialises actions; held by no function but Execute and runIPython
	// bash is the main session. Only an action (under mu) replaces it; x.cwd reads it from
	// any goroutine (the plugin supervisor's Jupyter start), and the session guards its own
	// state, so the pointer itself is the only shared word.
	bash     atomic.Pointer[shell.Session]
	started  time.Time
	lastExec time.Time
	statMu   sync.Mutex // guards lastExec
}

// handler runs one action type. A returned error becomes HTTP 500 "Internal server error: …".
type handler func(ctx context.Context, a *Action) (*Observation, error)

// New prepares an executor; Start brings it up.
func New(cfg Config) *Executor {
	now := time.Now()
	return &Executor{cfg: cfg, started: now, lastExec: now}
}

// Start initialises the user and working dir, starts bash and the plugins, and runs the
// reference's init commands. The HTTP port must open only after it returns.
func (x *Executor) Start(ctx context.Context) error {
	u, owner, err := initUserAndWorkingDir(x.cfg)
	if err != nil {
		return err
	}
	x.user = u
	fc := x.cfg.Files
	fc.WorkspaceRoot = x.cfg.WorkingDir
	fc.Owner = owner
	x.files = files.New(fc)
	if !x.cfg.TelemetryOff {
		tc := x.cfg.Telemetry
		tc.Files.Roots = append([]string{x.cfg.WorkingDir}, tc.Files.Roots...)
		x.tel = telemetry.New(tc)
	}

	bash, err := x.newSession(x.cfg.WorkingDir)
	if err != nil {
		return fmt.Errorf("start bash: %w", err)
	}
	x.setBash(bash)
	x.startMCP()
	if err := x.startPlugins(ctx); err != nil {
		return err
	}
	if err := x.newBrowser(ctx); err != nil {
		return fmt.Errorf("start browser: %w", err)
	}
	init := []string{`alias git="git --no-pager"`}
	if u.UID != 0 {
		init = append(init, "cd "+shellQuote(x.cfg.WorkingDir))
	}
	for _, c := range init {
		res, err := bash.Run(ctx, shell.Request{Command: c, Blocking: true, Timeout: 300 * time.Second})
		if err != nil {
			return fmt.Errorf("init command %q: %w", c, err)
		}
		if res.Metadata.ExitCode != 0 {
			return fmt.Errorf("init command %q failed (exit %d): %s", c, res.Metadata.ExitCode, res.Content)
		}
	}
	return nil
}

// Close stops bash, the plugins, the MCP servers and Chromium.
func (x *Executor) Close() {
	// Each part has its own grace (SIGTERM before SIGKILL): wait for them side by side, so that
	// shutdown takes the longest grace, not their sum.
	var wg sync.WaitGroup
	for _, stop := range []func(){x.stopMCP, x.stopPlugins, x.closeBrowser, func() {
		if b := x.bash.Load(); b != nil {
			x.closeSession(b)
		}
	}} {
		wg.Add(1)
		go func() { defer wg.Done(); stop() }()
	}
	wg.Wait()
	x.tel.Close()
	if x.files != nil {
		x.files.Close()
	}
}

func (x *Executor) newSession(dir string) (*shell.Session, error) {
	s, err := shell.Start(shell.Config{
		User:            x.user,
		WorkDir:         dir,
		NoChangeTimeout: x.cfg.NoChangeTimeout,
	})
	if err == nil {
		x.attach(s)
	}
	return s, err
}

// Execute runs one action. Errors are the reference's "Internal server error" cases.
func (x *Executor) Execute(ctx context.Context, a *Action) (*Observation, error) {
	x.statMu.Lock()
	x.lastExec = time.Now()
	x.statMu.Unlock()
	if a.Type == "run_ipython" {
		// A cell may call back into /execute_action (the kernel's file_editor), so it runs
		// without the action lock; runIPython takes it only to order itself after earlier
		// actions. See docs/compatibility.md.
		return x.record(x.runIPython)(ctx, a)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if err := ctx.Err(); err != nil {
		// The caller left (or the server is stopping) while this action queued: do not start it.
		return nil, err
	}

	var h handler
	switch a.Type {
	case "run":
		h = x.run
	case "read":
		h = x.read
	case "write":
		h = x.record(x.write)
	case "edit":
		h = x.record(x.edit)
	case "browse", "browse_interactive":
		h = x.browse
	default:
		return nil, fmt.Errorf("'ActionExecutor' object has no attribute '%s'", a.Type)
	}
	if obs, err := foreignClass(a); obs != nil || err != nil {
		return obs, err
	}
	return h(ctx, a)
}

// cwd is the main shell's working directory, used to resolve relative file paths. Safe from
// any goroutine.
func (x *Executor) cwd() string {
	b := x.bash.Load()
	if b == nil {
		return x.cfg.WorkingDir
	}
	return b.Cwd()
}

// setBash makes s the main session.
func (x *Executor) setBash(s *shell.Session) { x.bash.Store(s) }

func (x *Executor) closeBrowser() {
	if x.browser != nil {
		x.browser.Close()
	}
}
