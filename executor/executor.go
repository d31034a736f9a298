// Package executor is the V0 action-execution protocol: action and observation JSON, the
// dispatcher, and the HTTP routes. It decodes, calls a domain package, and encodes.
package executor

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gohands/gohands/files"
	"github.com/gohands/gohands/plugins"
	"github.com/gohands/gohands/sandbox"
	"github.com/gohands/gohands/shell"
)

// Executor owns the main bash session, the file service and the plugins, and runs one
// action at a time, as the reference does.
type Executor struct {
	cfg     Config
	user    sandbox.User
	files   *files.Service
	plugins *plugins.Manager

	mu       sync.Mutex // serialises actions
	bash     *shell.Session
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
	u, err := initUserAndWorkingDir(x.cfg)
	if err != nil {
		return err
	}
	x.user = u
	fc := x.cfg.Files
	fc.WorkspaceRoot = x.cfg.WorkingDir
	fc.UID, fc.GID = u.UID, u.GID
	x.files = files.New(fc)

	x.bash, err = x.newSession(x.cfg.WorkingDir)
	if err != nil {
		return fmt.Errorf("start bash: %w", err)
	}
	if err := x.startPlugins(ctx); err != nil {
		return err
	}
	init := []string{`alias git="git --no-pager"`}
	if u.UID != 0 {
		init = append(init, "cd "+shellQuote(x.cfg.WorkingDir))
	}
	for _, c := range init {
		res := x.bash.Run(ctx, shell.Request{Command: c, Blocking: true, Timeout: 300 * time.Second})
		if res.Metadata.ExitCode != 0 {
			return fmt.Errorf("init command %q failed (exit %d): %s", c, res.Metadata.ExitCode, res.Content)
		}
	}
	return nil
}

// Close stops bash and the plugins.
func (x *Executor) Close() {
	x.stopPlugins()
	if x.bash != nil {
		x.bash.Close()
	}
	if x.files != nil {
		x.files.Close()
	}
}

func (x *Executor) newSession(dir string) (*shell.Session, error) {
	return shell.Start(shell.Config{
		User:            x.user,
		WorkDir:         dir,
		NoChangeTimeout: x.cfg.NoChangeTimeout,
	})
}

// Execute runs one action. Errors are the reference's "Internal server error" cases.
func (x *Executor) Execute(ctx context.Context, a *Action) (*Observation, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.statMu.Lock()
	x.lastExec = time.Now()
	x.statMu.Unlock()

	var h handler
	switch a.Type {
	case "run":
		h = x.run
	case "run_ipython":
		h = x.runIPython
	case "read":
		h = x.read
	case "write":
		h = x.write
	case "edit":
		h = x.edit
	case "browse", "browse_interactive":
		h = x.browse
	default:
		return nil, fmt.Errorf("'ActionExecutor' object has no attribute '%s'", a.Type)
	}
	return h(ctx, a)
}

// cwd is the main shell's working directory, used to resolve relative file paths.
func (x *Executor) cwd() string {
	if x.bash == nil {
		return x.cfg.WorkingDir
	}
	return x.bash.Cwd()
}

// browse answers like the reference does when the browser is not available. gohands
// ships no browser (see docs/compatibility.md).
func (x *Executor) browse(_ context.Context, a *Action) (*Observation, error) {
	return ErrorObs("Browser functionality is not supported or disabled."), nil
}
