package swerex

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/gohands/gohands/internal/pycompat"
)

// maxCaptureBytes bounds what execute keeps of each output stream; the rest is read and
// dropped so the command never blocks on a full pipe.
const maxCaptureBytes = 64 << 20

// Command is the validated Command model.
type Command struct {
	Argv        []string // nil when Command is a string
	Str         string
	IsList      bool
	Timeout     *float64
	Shell       bool
	Check       bool
	ErrorMsg    string
	Env         map[string]string // nil: inherit the server's
	Cwd         *string
	MergeOutput bool
}

// CommandResponse is the CommandResponse model.
type CommandResponse struct {
	Stdout   string `json:"stdout"`
	Stderr   string `json:"stderr"`
	ExitCode *int   `json:"exit_code"`
}

// Execute is LocalRuntime.execute: subprocess.run(command, shell, timeout, env, cwd) with
// the output captured. Unlike the reference, the command's standard input is /dev/null (a
// command that reads it must not hang the server) and a timeout kills its whole process
// group, not only its first process.
func (rt *Runtime) Execute(ctx context.Context, c Command) (CommandResponse, error) {
	args := c.Argv
	if !c.IsList {
		args = []string{c.Str}
	}
	if c.Shell {
		args = append([]string{"/bin/sh", "-c"}, args...)
	}
	if len(args) == 0 {
		return CommandResponse{}, rexErr("builtins.IndexError", "list index out of range")
	}
	var env []string
	if c.Env != nil {
		keys := make([]string, 0, len(c.Env))
		for k := range c.Env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		env = make([]string, 0, len(keys))
		for _, k := range keys {
			env = append(env, k+"="+c.Env[k])
		}
	} else {
		env = os.Environ()
	}
	if c.Cwd != nil {
		fi, err := os.Stat(*c.Cwd)
		if err != nil {
			return CommandResponse{}, asRex(&fs.PathError{Op: "chdir", Path: *c.Cwd, Err: errnoOf(err)})
		}
		if !fi.IsDir() {
			return CommandResponse{}, asRex(&fs.PathError{Op: "chdir", Path: *c.Cwd, Err: syscall.ENOTDIR})
		}
	}
	path, err := lookPath(args[0], env)
	if err != nil {
		return CommandResponse{}, asRex(err)
	}
	cmd := exec.Command(path)
	cmd.Args = args
	cmd.Env = env
	if c.Cwd != nil {
		cmd.Dir = *c.Cwd
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout := &capBuf{max: maxCaptureBytes}
	stderr := &capBuf{max: maxCaptureBytes}
	cmd.Stdout = stdout
	if c.MergeOutput {
		cmd.Stderr = stdout
	} else {
		cmd.Stderr = stderr
	}
	cmd.WaitDelay = time.Second // a grandchild holding the pipes must not hold the answer
	if err := cmd.Start(); err != nil {
		return CommandResponse{}, asRex(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var timeout <-chan time.Time
	if c.Timeout != nil {
		t := time.NewTimer(seconds(*c.Timeout))
		defer t.Stop()
		timeout = t.C
	}
	var waitErr error
	select {
	case waitErr = <-done:
	case <-timeout:
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		return CommandResponse{}, rexErr(clsCommandTimeout, fmt.Sprintf("Timeout (%ss) exceeded while running command", pycompat.FloatRepr(*c.Timeout)))
	case <-ctx.Done():
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		return CommandResponse{}, ctx.Err()
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(waitErr, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = -int(ws.Signal()) // Python's returncode for a signal
		} else {
			code = ee.ExitCode()
		}
	} else if waitErr != nil && !errors.Is(waitErr, exec.ErrWaitDelay) {
		return CommandResponse{}, asRex(waitErr)
	}
	r := CommandResponse{Stdout: pycompat.DecodeUTF8Backslash(stdout.b), ExitCode: &code}
	if !c.MergeOutput {
		r.Stderr = pycompat.DecodeUTF8Backslash(stderr.b)
	}
	if c.Check && code != 0 {
		msg := fmt.Sprintf("Command %s failed with exit code %d. Stdout:\n%s\nStderr:\n%s", c.repr(), code, pycompat.StrRepr(r.Stdout), pycompat.StrRepr(r.Stderr))
		if c.ErrorMsg != "" {
			msg = c.ErrorMsg + ": " + msg
		}
		return CommandResponse{}, rexErr(clsNonZeroExit, msg)
	}
	return r, nil
}

func (c Command) repr() string {
	if !c.IsList {
		return pycompat.StrRepr(c.Str)
	}
	parts := make([]string, len(c.Argv))
	for i, a := range c.Argv {
		parts[i] = pycompat.StrRepr(a)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func errnoOf(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}

// lookPath finds the program as subprocess does: a name with a slash is used as is,
// else each directory of PATH (the given environment's, or os.defpath) is tried.
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		if err := executable(name); err != nil {
			return "", &fs.PathError{Op: "exec", Path: name, Err: err}
		}
		return name, nil
	}
	pathVar, found := "", false
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			pathVar, found = v, true
		}
	}
	if !found {
		pathVar = "/bin:/usr/bin" // os.defpath
	}
	var first error
	for _, dir := range filepath.SplitList(pathVar) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		err := executable(p)
		if err == nil {
			return p, nil
		}
		if first == nil && err != syscall.ENOENT && err != syscall.ENOTDIR {
			first = err
		}
	}
	if first == nil {
		first = syscall.ENOENT
	}
	return "", &fs.PathError{Op: "exec", Path: name, Err: first}
}

func executable(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return errnoOf(err)
	}
	if fi.IsDir() {
		return syscall.EACCES
	}
	if err := syscall.Access(p, 1); err != nil {
		return err
	}
	return nil
}

// capBuf keeps the first max bytes written to it and drops the rest.
type capBuf struct {
	b   []byte
	max int
}

func (c *capBuf) Write(p []byte) (int, error) {
	if room := c.max - len(c.b); room > 0 {
		if len(p) < room {
			room = len(p)
		}
		c.b = append(c.b, p[:room]...)
	}
	return len(p), nil
}
