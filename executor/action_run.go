package executor

import (
	"context"
	"strings"
	"time"

	"github.com/gohands/gohands/internal/fault"
	"github.com/gohands/gohands/internal/pycompat"
	"github.com/gohands/gohands/shell"
)

// runArgs: the reference only tests the flags for truth, and a non-str command fails its
// command.strip() inside run's catch-all (an error observation).
type runArgs struct {
	Command  pyStr   `json:"command"`
	IsInput  pyBool  `json:"is_input"`
	Blocking pyBool  `json:"blocking"`
	IsStatic pyBool  `json:"is_static"`
	Cwd      *string `json:"cwd"`
	Hidden   pyBool  `json:"hidden"`
}

// run executes a CmdRunAction in the main session, or in a fresh one when is_static.
func (x *Executor) run(ctx context.Context, a *Action) (*Observation, error) {
	var args runArgs
	if err := a.DecodeArgs(&args); err != nil {
		return nil, err
	}
	if args.Command.NotStr != "" {
		return ErrorObs("'" + args.Command.NotStr + "' object has no attribute 'strip'"), nil
	}
	if a.TimeoutErr != "" {
		return ErrorObs(a.TimeoutErr), nil
	}
	req := shell.Request{Command: args.Command.S, IsInput: bool(args.IsInput), Blocking: bool(args.Blocking), Hidden: bool(args.Hidden)}
	if a.Timeout != nil {
		req.Timeout = time.Duration(*a.Timeout * float64(time.Second))
		req.TimeoutText = pycompat.FloatRepr(*a.Timeout)
	}
	sess := x.bash.Load()
	if args.IsStatic {
		dir := x.cfg.WorkingDir
		if args.Cwd != nil && *args.Cwd != "" {
			dir = *args.Cwd
		}
		s, err := x.newSession(dir)
		if err != nil {
			return ErrorObs(err.Error()), nil
		}
		defer x.closeSession(s)
		sess = s
	} else if !sess.Alive() {
		// bash exited (`exit`, `kill -9 $$`): give the agent a fresh session, not a dead server.
		s, err := x.newSession(sess.Cwd())
		if err != nil {
			return ErrorObs(err.Error()), nil
		}
		x.closeSession(sess)
		x.setBash(s)
		sess = s
		_, _ = sess.Run(ctx, shell.Request{Command: `alias git="git --no-pager"`, Blocking: true, Timeout: 30 * time.Second})
	}
	c := x.tel.Begin("run", args.Command.S, x.terminal(sess))
	if x.cfg.InputWaitReturn {
		req.InputWait = c.InputWait()
	}
	res, err := sess.Run(ctx, req)
	if err != nil {
		c.End(nil, "error: "+err.Error())
		// Every expected shell failure is an error observation, as in the reference.
		if f, ok := fault.As(err); ok {
			return ErrorObs(f.Msg), nil
		}
		return nil, err
	}
	code := res.Metadata.ExitCode
	note := ""
	if strings.HasPrefix(res.Suffix, "\n[The command timed out") || strings.HasPrefix(res.Suffix, "\n[The command has no new output") ||
		res.Suffix == shell.InputWaitSuffix {
		note = "the action returned; the command is still running"
	}
	rec := c.End(&code, note)
	md := CmdMetadata{
		ExitCode: res.Metadata.ExitCode, PID: res.Metadata.PID,
		Username: res.Metadata.Username, Hostname: res.Metadata.Hostname,
		WorkingDir: res.Metadata.WorkingDir, PyInterpreterPath: res.Metadata.PyInterpreterPath,
		Prefix: res.Prefix, Suffix: res.Suffix,
	}
	if x.tel != nil && x.cfg.TelemetryMetadata {
		md.Telemetry = &rec
	}
	return CmdOutputObs(res.Command, res.Content, md, res.Hidden), nil
}
