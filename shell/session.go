package shell

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/creack/pty"

	"github.com/gohands/gohands/sandbox"
)

const (
	// The reference's tmux pane is 1000x1000 with 10000 lines of history.
	termCols   = 1000
	termRows   = 1000
	keepRows   = 10000 + termRows
	rawBufSize = 1 << 20
	// Lines longer than this do not fit the tty's canonical line buffer (4095 bytes); such
	// commands are handed to bash through a file instead of being typed.
	maxTypedLine = 4000
)

// TimeoutMessage is the reference's TIMEOUT_MESSAGE_TEMPLATE.
const TimeoutMessage = `You may wait longer to see additional output by sending empty command '', send other commands to interact with the current process, send keys ("C-c", "C-z", "C-d") to interrupt/kill the previous command before sending your new command, or use the timeout parameter in execute_bash for future commands.`

const continuePrefix = "[Below is the output of the previous command.]\n"

type status int

const (
	statusNone status = iota
	statusCompleted
	statusNoChange
	statusHardTimeout
)

// Session is one persistent interactive bash on a PTY.
type Session struct {
	cfg  Config
	cmd  *exec.Cmd
	ptmx *os.File
	tmp  string // private dir for commands too long to type

	mu         sync.Mutex // guards everything below up to runMu
	raw        *Buffer    // every byte bash printed, by offset
	screen     *Screen    // what the pane shows since the last clear, prompts removed
	scan       scanner
	prompts    int       // prompts seen since the last clear
	last       prompt    // the newest prompt
	atPrompt   bool      // only blank output since the newest prompt
	lastChange time.Time // last time the screen changed
	echoed     bool      // text was typed since the last clear: the reference's pane shows its echo
	echoWipes  int       // the screen's HistoryWipes when it was typed
	changed    chan struct{}
	exited     bool
	exitErr    error
	cwd        string
	observer   func(off int64, text []byte) // see SetOutputObserver

	runMu      sync.Mutex // one Run at a time; guards the fields below up to closeOnce
	status     status
	prevOutput string
	// prevSeen is the truth of the reference's prev_output: its pane text after the prompt,
	// which, unlike ours, includes the echo of what was typed. It decides the continuation
	// prefix of the next observation of the same command.
	prevSeen  bool
	closeOnce sync.Once
	done      chan struct{} // closed when bash has exited

	stream *streamBuf // output as one stream, when cfg.Stream (guarded by mu)
}

// Start starts bash as cfg.User in cfg.WorkDir and waits for its first prompt.
func Start(cfg Config) (*Session, error) {
	if cfg.NoChangeTimeout <= 0 {
		cfg.NoChangeTimeout = 10 * time.Second
	}
	nonce, err := newNonce()
	if err != nil {
		return nil, err
	}
	s := &Session{
		scan:    scanner{m: newMarkers(nonce)},
		cfg:     cfg,
		raw:     NewBuffer(rawBufSize),
		screen:  NewScreen(termCols, keepRows),
		changed: make(chan struct{}),
		done:    make(chan struct{}),
		cwd:     cfg.WorkDir,
	}
	if cfg.Stream {
		s.stream = &streamBuf{max: cfg.StreamMax}
		if s.stream.max <= 0 {
			s.stream.max = streamMax
		}
	}
	if err := s.spawn(); err != nil {
		return nil, err
	}
	// Install the prompt and wait for the first one; everything before it (.bashrc output,
	// the user's own prompt) is not part of any command's output.
	if _, err := s.ptmx.Write([]byte(s.scan.m.setup)); err != nil {
		s.Close()
		return nil, fmt.Errorf("bash setup: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.waitPrompt(ctx, 0); err != nil {
		out := s.screenText()
		s.Close()
		return nil, fmt.Errorf("bash did not show its prompt: %w (output: %q)", err, out)
	}
	s.clear()
	s.mu.Lock()
	s.stream.reset() // start-up output is no command's
	s.mu.Unlock()
	return s, nil
}

func (s *Session) spawn() error {
	ptmx, tty, err := pty.Open()
	if err != nil {
		return fmt.Errorf("open pty: %w", err)
	}
	defer tty.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: termRows, Cols: termCols}); err != nil {
		ptmx.Close()
		return fmt.Errorf("pty size: %w", err)
	}
	if err := setSaneTermios(ptmx); err != nil {
		ptmx.Close()
		return err
	}
	dir := s.cfg.WorkDir
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		dir = "/"
	}
	// --noediting: no readline, so nothing redraws or echoes what we type (the tty's echo is
	// off); -i: an interactive shell that reads ~/.bashrc, like the reference's `su user -`.
	cmd := exec.Command("/bin/bash", "--noediting", "-i")
	if _, err := os.Stat("/bin/bash"); err != nil {
		cmd = exec.Command("bash", "--noediting", "-i")
	}
	cmd.Dir = dir
	cmd.Env = s.env()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if s.cfg.User.Switch {
		cmd.SysProcAttr.Credential = &syscall.Credential{
			Uid: uint32(s.cfg.User.UID), Gid: uint32(s.cfg.User.GID), Groups: s.cfg.User.Groups,
		}
	}
	if err := cmd.Start(); err != nil {
		ptmx.Close()
		return fmt.Errorf("start bash as %s in %s: %w", s.cfg.User.Name, dir, err)
	}
	s.cmd, s.ptmx = cmd, ptmx
	go s.readLoop()
	go func() {
		err := cmd.Wait()
		s.mu.Lock()
		s.exited, s.exitErr = true, err
		s.broadcastLocked()
		s.mu.Unlock()
		close(s.done)
	}()
	return nil
}

// env is the server's environment plus what `su user` sets for the target user. The server's
// own prompt settings must not leak in: the session installs its own.
func (s *Session) env() []string {
	var base []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "PROMPT_COMMAND" || k == "PS1" {
			continue
		}
		base = append(base, kv)
	}
	return sandbox.UserEnv(base, s.cfg.User, append([]string{"TERM=xterm"}, s.cfg.Env...)...)
}

func (s *Session) readLoop() {
	buf := make([]byte, 64<<10)
	for {
		n, err := s.ptmx.Read(buf)
		if n > 0 {
			s.ingest(buf[:n])
		}
		if err != nil {
			return
		}
	}
}

func (s *Session) ingest(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	off := s.raw.End()
	_, _ = s.raw.Write(p)
	s.scan.feed(p, func(t []byte) {
		if len(t) == 0 {
			return
		}
		if s.observer != nil {
			s.observer(off, t)
		}
		if s.stream == nil { // a stream-mode door never reads the screen
			_, _ = s.screen.Write(t)
		}
		s.stream.addText(t)
		s.lastChange = time.Now()
		if len(bytes.TrimSpace(t)) > 0 {
			s.atPrompt = false
		}
	}, func(pr prompt) {
		s.prompts++
		s.stream.addPrompt(pr)
		s.last = pr
		s.atPrompt = true
		s.lastChange = time.Now()
	})
	s.broadcastLocked()
}

func (s *Session) broadcastLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitPrompt waits until more than n prompts have been seen since the last clear.
func (s *Session) waitPrompt(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		got, exited, ch := s.prompts, s.exited, s.changed
		s.mu.Unlock()
		if got > n {
			return nil
		}
		if exited {
			return errors.New("bash exited")
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// clear forgets the screen, as the reference's C-l + clear-history after a command.
func (s *Session) clear() {
	s.mu.Lock()
	s.takeScreenLocked()
	s.mu.Unlock()
}

// takeScreenLocked returns what the screen shows (and how many rows it dropped) and clears
// it, prompts included. s.mu must be held.
func (s *Session) takeScreenLocked() (text string, dropped int) {
	text, dropped = s.screen.Text(), s.screen.Dropped()
	s.screen.Reset()
	s.prompts = 0
	s.echoed = false
	return text, dropped
}

func (s *Session) screenText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.screen.Text()
}

// Cwd is the working directory the newest prompt reported.
func (s *Session) Cwd() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cwd
}

// Alive reports whether bash is still running.
func (s *Session) Alive() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.exited
}

// OutputEnd is the offset one past the newest byte bash printed.
func (s *Session) OutputEnd() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.raw.End()
}

// ReadOutput appends bash's raw output from offset off to dst and returns it with the offset
// it really started from (later than off if those bytes were already dropped).
func (s *Session) ReadOutput(off int64, dst []byte) ([]byte, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.raw.ReadFrom(off, dst)
}

// Close ends bash and every process of its session.
func (s *Session) Close() {
	s.closeOnce.Do(func() {
		if s.cmd != nil && s.cmd.Process != nil {
			pid := s.cmd.Process.Pid
			// SIGHUP first: bash passes it on to its jobs, as when a terminal closes.
			_ = syscall.Kill(pid, syscall.SIGHUP)
			select {
			case <-s.done:
			case <-time.After(500 * time.Millisecond):
			}
			killSession(pid)
			select {
			case <-s.done:
			case <-time.After(2 * time.Second):
			}
		}
		if s.ptmx != nil {
			s.ptmx.Close()
		}
		if s.tmp != "" {
			os.RemoveAll(s.tmp)
		}
	})
}

// writeCommandFile stores a command too long to type, readable by the shell's user.
func (s *Session) writeCommandFile(command string) (string, error) {
	if s.tmp == "" {
		dir, err := os.MkdirTemp("", "gohands-cmd-")
		if err != nil {
			return "", err
		}
		if s.cfg.User.Switch {
			_ = os.Chown(dir, s.cfg.User.UID, s.cfg.User.GID)
		}
		s.tmp = dir
	}
	f, err := os.CreateTemp(s.tmp, "cmd-*.sh")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.WriteString(command); err != nil {
		return "", err
	}
	if s.cfg.User.Switch {
		_ = f.Chown(s.cfg.User.UID, s.cfg.User.GID)
	}
	return filepath.Clean(f.Name()), nil
}
