// Package shell runs one persistent interactive bash on a PTY and turns what it prints into
// the reference's command observations: PS1 metadata, completion and timeout detection,
// screen rendering, and command splitting.
package shell

import (
	"time"

	"github.com/gohands/gohands/sandbox"
)

// User is the sandbox user; it lives in package sandbox (kept here as an alias so that
// code written against shell.User keeps compiling).
type User = sandbox.User

// Config starts a session.
type Config struct {
	User            User
	WorkDir         string
	NoChangeTimeout time.Duration // 0 means 10 s
	Env             []string      // extra environment, KEY=VALUE
	// Stream keeps bash's output as one continuous stream for Expect (the SWE-ReX door);
	// the V0 Run path does not need it.
	Stream bool
	// StreamMax bounds the unconsumed stream; 0 means 16 MiB.
	StreamMax int
}

// Request is one CmdRunAction.
type Request struct {
	Command     string
	IsInput     bool
	Blocking    bool
	Hidden      bool
	Timeout     time.Duration // hard timeout; 0 means none
	TimeoutText string        // the timeout as the client's float text, e.g. "1.0"
	// InputWait, when closed while the command runs, makes Run return at once as after a
	// no-change timeout, with InputWaitSuffix (the opt-in early return on an input wait).
	InputWait <-chan struct{}
}

// Metadata is what the PS1 prompt reported.
type Metadata struct {
	ExitCode          int
	PID               int
	Username          *string
	Hostname          *string
	WorkingDir        *string
	PyInterpreterPath *string
}

// Result is a command observation. Failures the reference answers with an error observation
// are Run's error instead (a *fault.Error).
type Result struct {
	Command  string
	Content  string
	Metadata Metadata
	Prefix   string
	Suffix   string
	Hidden   bool
}
