package shell

import "golang.org/x/sys/unix"

// InputWaitSuffix ends the observation of a command that Run returned early because the
// caller's Request.InputWait fired (the opt-in early return on an input wait): like a no-change
// timeout the command keeps running and takes input with is_input.
const InputWaitSuffix = "\n[The command is waiting for input: it is reading from the terminal. " + TimeoutMessage + "]"

// PID is bash's process id; bash leads its own session and process group, and its PTY is the
// controlling terminal of everything it starts.
func (s *Session) PID() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// SetOutputObserver makes f see everything bash prints from now on, prompts removed: off is
// the offset in bash's raw output of the read that carried text. f runs in the PTY reader
// with the session locked, so it must return quickly and must not call the session. nil
// removes it; without an observer the reader does no extra work.
func (s *Session) SetOutputObserver(f func(off int64, text []byte)) {
	s.mu.Lock()
	s.observer = f
	s.mu.Unlock()
}

// OutputPending reports whether bash has printed bytes the session has not read yet (the PTY
// holds them). An input-wait check must not decide while a prompt is still in flight.
func (s *Session) OutputPending() bool {
	rc, err := s.ptmx.SyscallConn()
	if err != nil {
		return false
	}
	n := 0
	_ = rc.Control(func(fd uintptr) { n, _ = unix.IoctlGetInt(int(fd), unix.TIOCINQ) })
	return n > 0
}
