// Package swerex is the SWE-ReX front door (swe-rex 1.4.0, swerex/server.py): the routes
// SWE-agent's RemoteRuntime calls, on the same engine as the V0 door (shell sessions on a
// PTY, the files service). It never imports another door.
package swerex

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gohands/gohands/files"
	"github.com/gohands/gohands/internal/fault"
	"github.com/gohands/gohands/internal/pycompat"
	"github.com/gohands/gohands/shell"
)

// ps1Name is the prompt SWE-ReX's sessions show; observations name it as the matched
// expect string.
const ps1Name = "SHELLPS1PREFIX"

// uniqueString is SWE-ReX's marker for re-synchronising after an interactive program quits.
const uniqueString = "UNIQUESTRING29234"

// Config is what the door needs; cmd/ fills it once.
type Config struct {
	AuthToken string
	WorkDir   string // where sessions start (the server's working directory)
	Files     *files.Service
	// StreamMax bounds the output a session keeps unconsumed (0: the shell's default).
	StreamMax int
}

// Runtime holds the named bash sessions (runtime/local.py LocalRuntime).
type Runtime struct {
	cfg      Config
	mu       sync.Mutex
	sessions map[string]*session
}

type session struct {
	mu sync.Mutex     // one action at a time, as pexpect allows
	sh *shell.Session // set once started (under mu)
	// live is sh for closing, which must not wait for a running action to release mu.
	live atomic.Pointer[shell.Session]
	// owed counts the prompts still to come for command lines bash has been given whose
	// prompt no answer has consumed (a command that timed out, or that an expect string
	// ended while it kept running). A later command skips them, so that its answer is its
	// own output and exit code, not an earlier command's.
	owed int
}

// NewRuntime returns a runtime with no sessions.
func NewRuntime(cfg Config) *Runtime {
	if cfg.Files == nil {
		cfg.Files = files.New(files.Config{})
	}
	return &Runtime{cfg: cfg, sessions: map[string]*session{}}
}

// Close closes every session (POST /close). Unlike the reference, which keeps the closed
// sessions registered, their names become free again.
func (rt *Runtime) Close() {
	rt.mu.Lock()
	ss := rt.sessions
	rt.sessions = map[string]*session{}
	rt.mu.Unlock()
	for _, s := range ss {
		if sh := s.live.Load(); sh != nil {
			sh.Close()
		}
	}
}

func (rt *Runtime) get(name string) (*session, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	s, ok := rt.sessions[name]
	if !ok {
		return nil, rexErr(clsNoSession, fmt.Sprintf("session %s does not exist", pycompat.StrRepr(name)))
	}
	return s, nil
}

// CreateSession starts bash, sources startup_source and waits startup_timeout for the
// prompt (LocalRuntime.create_session + BashSession.start).
func (rt *Runtime) CreateSession(ctx context.Context, name string, sources []string, startupTimeout float64) (string, error) {
	rt.mu.Lock()
	if _, ok := rt.sessions[name]; ok {
		rt.mu.Unlock()
		return "", rexErr(clsSessionExists, fmt.Sprintf("session %s already exists", name))
	}
	s := &session{}
	s.mu.Lock()
	defer s.mu.Unlock()
	rt.sessions[name] = s // registered before it starts, as the reference does
	rt.mu.Unlock()

	sh, err := shell.Start(shell.Config{WorkDir: rt.cfg.WorkDir, Stream: true, StreamMax: rt.cfg.StreamMax})
	if err != nil {
		rt.mu.Lock()
		if rt.sessions[name] == s {
			delete(rt.sessions, name)
		}
		rt.mu.Unlock()
		return "", err
	}
	s.sh = sh
	s.live.Store(sh)
	rt.mu.Lock()
	still := rt.sessions[name] == s
	rt.mu.Unlock()
	if !still { // closed (close_session, /close) while it started
		sh.Close()
		return "", rexErr(clsRuntimeError, fmt.Sprintf("session %s was closed while it started", name))
	}
	if len(sources) == 0 {
		return "", nil
	}
	cmds := make([]string, 0, len(sources)+1)
	for _, p := range sources {
		cmds = append(cmds, "source "+p)
	}
	// Start-up files often replace the prompt: put ours back after them.
	cmds = append(cmds, sh.PromptSetup())
	if err := sh.SendCommand(strings.Join(cmds, " ; ")); err != nil {
		return "", err
	}
	res, err := sh.Expect(ctx, nil, seconds(startupTimeout), true)
	if err != nil {
		s.owed++ // the session stays, as in the reference; its start-up prompt is owed
		return "", pexpectErr(err)
	}
	return outputText(res), nil
}

// CloseSession ends a session and forgets its name.
func (rt *Runtime) CloseSession(name string) error {
	rt.mu.Lock()
	s, ok := rt.sessions[name]
	delete(rt.sessions, name)
	rt.mu.Unlock()
	if !ok {
		return rexErr(clsNoSession, fmt.Sprintf("session %s does not exist", pycompat.StrRepr(name)))
	}
	if sh := s.live.Load(); sh != nil {
		sh.Close()
	}
	return nil
}

// Observation is a BashObservation; ExitCode nil is JSON null.
type Observation struct {
	Output        string `json:"output"`
	ExitCode      *int   `json:"exit_code"`
	FailureReason string `json:"failure_reason"`
	ExpectString  string `json:"expect_string"`
	SessionType   string `json:"session_type"`
}

func observation(out string, code *int, expect string) Observation {
	return Observation{Output: out, ExitCode: code, ExpectString: expect, SessionType: "bash"}
}

// BashAction is the validated bash action with its defaults.
type BashAction struct {
	Command           string
	Session           string
	Timeout           *float64
	IsInteractiveCmd  bool
	IsInteractiveQuit bool
	Check             string
	ErrorMsg          string
	Expect            []string
}

// InterruptAction is the validated bash_interrupt action.
type InterruptAction struct {
	Session string
	Timeout float64
	NRetry  int
	Expect  []string
}

func (rt *Runtime) session(name string) (*session, error) {
	s, err := rt.get(name)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.sh == nil {
		s.mu.Unlock()
		return nil, rexErr(clsRuntimeError, "shell not initialized")
	}
	return s, nil
}

// Run is BashSession.run for a bash action.
func (rt *Runtime) Run(ctx context.Context, a BashAction) (Observation, error) {
	s, err := rt.session(a.Session)
	if err != nil {
		return Observation{}, err
	}
	defer s.mu.Unlock()
	var obs Observation
	if a.IsInteractiveCmd || a.IsInteractiveQuit {
		obs, err = s.runInteractive(ctx, a)
	} else {
		obs, err = s.runNormal(ctx, a)
	}
	if err != nil {
		return Observation{}, err
	}
	if a.Check == "raise" && (obs.ExitCode == nil || *obs.ExitCode != 0) {
		code := "None"
		if obs.ExitCode != nil {
			code = fmt.Sprint(*obs.ExitCode)
		}
		msg := fmt.Sprintf("Command %s failed with exit code %s. Here is the output:\n%s", pycompat.StrRepr(a.Command), code, pycompat.StrRepr(obs.Output))
		if a.ErrorMsg != "" {
			msg = a.ErrorMsg + ": " + msg
		}
		return Observation{}, rexErr(clsNonZeroExit, msg)
	}
	return obs, nil
}

func (s *session) runNormal(ctx context.Context, a BashAction) (Observation, error) {
	if err := shell.CheckSyntax(a.Command); err != nil {
		se, ok := err.(*shell.SyntaxError)
		if !ok {
			return Observation{}, err
		}
		stdout, stderr := pycompat.DecodeUTF8Backslash(se.Stdout), pycompat.DecodeUTF8Backslash(se.Stderr)
		msg := fmt.Sprintf("Error (exit code %d) while checking bash command \n%s\n---- Stderr ----\n%s\n---- Stdout ----\n%s",
			se.ExitCode, pycompat.StrRepr(a.Command), stderr, stdout)
		return Observation{}, &rexError{class: clsSyntax, msg: msg, extra: omap{{"bash_stdout", stdout}, {"bash_stderr", stderr}}}
	}
	pats, err := compileExpect(a.Expect)
	if err != nil {
		return Observation{}, err
	}
	command := strings.TrimSpace(a.Command)
	if err := s.sh.SendCommand(command); err != nil {
		return Observation{}, err
	}
	// Prompts owed to earlier commands come first; their output belongs to this answer, as
	// the reference (which waits for the next prompt and then reads on to its exit-code
	// marker) also returns it.
	var earlier strings.Builder
	var deadline time.Time
	if a.Timeout != nil {
		deadline = time.Now().Add(timeoutOf(a.Timeout))
	}
	var res shell.ExpectResult
	for {
		var err error
		res, err = s.sh.Expect(ctx, pats, untilDeadline(deadline), true)
		if err != nil {
			s.owed++ // this command's prompt is still to come
			if fault.Is(err, fault.Timeout) {
				return Observation{}, rexErr(clsCommandTimeout, fmt.Sprintf("timeout after %s seconds while running command %s",
					pyOptFloat(a.Timeout), pycompat.StrRepr(joinedCommand(command))))
			}
			return Observation{}, pexpectErr(err)
		}
		if res.Index >= 0 || s.owed == 0 {
			break
		}
		s.owed--
		earlier.WriteString(outputText(res))
	}
	if res.Index >= 0 {
		s.owed++ // an expect string ended the wait; the command runs on
	}
	out := earlier.String() + outputText(res)
	matched := expectName(a.Expect, res.Index)
	if a.Check == "ignore" {
		return observation(out, nil, matched), nil
	}
	if res.Index >= 0 {
		// An expect string ended the wait: no prompt, so no exit code to read.
		if a.Check == "raise" {
			return Observation{}, rexErr(clsNoExitCode, "timeout while getting exit code")
		}
		return observation(out, nil, matched), nil
	}
	code := res.ExitCode
	return observation(out, &code, matched), nil
}

func (s *session) runInteractive(ctx context.Context, a BashAction) (Observation, error) {
	pats, err := compileExpect(a.Expect)
	if err != nil {
		return Observation{}, err
	}
	// A line typed while nothing runs goes to bash, which owes a prompt for it; a line typed
	// while a program runs is that program's input.
	toBash := s.owed == 0
	if err := s.sh.Send(a.Command + "\n"); err != nil {
		return Observation{}, err
	}
	res, err := s.sh.Expect(ctx, pats, timeoutOf(a.Timeout), true)
	switch {
	case err != nil && toBash:
		s.owed++
	case err == nil && res.Index < 0 && !toBash:
		s.owed-- // the program ended: its command's prompt
	case err == nil && res.Index >= 0 && toBash:
		s.owed++ // the program runs on
	}
	if err != nil {
		if fault.Is(err, fault.Timeout) {
			return Observation{}, rexErr(clsCommandTimeout, fmt.Sprintf("timeout after %s seconds while running command %s",
				pyOptFloat(a.Timeout), pycompat.StrRepr(a.Command)))
		}
		return Observation{}, pexpectErr(err)
	}
	out := outputText(res)
	if a.IsInteractiveQuit {
		if a.IsInteractiveCmd {
			return Observation{}, rexErr("builtins.AssertionError", "")
		}
		// Back at bash: make sure every prompt the program's exit printed is consumed.
		if err := s.resync(ctx); err != nil {
			return Observation{}, err
		}
	} else {
		// The program echoes what it reads: drop that echo.
		out = strings.TrimFunc(strings.TrimPrefix(strings.TrimLeftFunc(out, pycompat.IsSpace), a.Command), pycompat.IsSpace)
	}
	zero := 0
	return observation(out, &zero, expectName(a.Expect, res.Index)), nil
}

// Interrupt is BashSession.interrupt: Ctrl-C up to n_retry times, each waiting timeout for
// the prompt (or an expect string); then Ctrl-Z and `kill -9 %1`.
func (rt *Runtime) Interrupt(ctx context.Context, a InterruptAction) (Observation, error) {
	s, err := rt.session(a.Session)
	if err != nil {
		return Observation{}, err
	}
	defer s.mu.Unlock()
	pats, err := compileExpect(a.Expect)
	if err != nil {
		return Observation{}, err
	}
	wait := seconds(a.Timeout)
	for i := 0; i < a.NRetry; i++ {
		// The previous C-c's prompt may have come after the wait gave up: a second C-c
		// would reach bash at its prompt and make it print one more, which the next
		// command would take for its own. Look before sending again.
		if i > 0 {
			if res, err := s.sh.Expect(ctx, pats, time.Nanosecond, true); err == nil {
				s.owed = 0
				zero := 0
				return observation(pycompat.Strip(outputText(res)), &zero, expectName(a.Expect, res.Index)), nil
			}
		}
		if err := s.sh.SendControl('c'); err != nil {
			return Observation{}, err
		}
		res, err := s.sh.Expect(ctx, pats, wait, true)
		if err != nil {
			if ctx.Err() != nil {
				return Observation{}, ctx.Err()
			}
			sleepCtx(ctx, 200*time.Millisecond)
			continue
		}
		if res.Index < 0 {
			s.owed = 0 // the terminal dropped any lines typed ahead with the C-c
		}
		zero := 0
		return observation(pycompat.Strip(outputText(res)), &zero, expectName(a.Expect, res.Index)), nil
	}
	// The job ignores Ctrl-C (a pager): stop it and kill it. These waits are at least a
	// second (the reference gives them `timeout` too): a stopped pager or a busy machine may
	// take longer than 0.2 s to give bash back, and failing here leaves the job running.
	wait = max(wait, time.Second)
	var out strings.Builder
	if err := s.sh.SendControl('z'); err != nil {
		return Observation{}, err
	}
	res, err := s.sh.Expect(ctx, pats, wait, true)
	if err != nil {
		return Observation{}, rexErr(clsPexpectTimeout, "Failed to interrupt session")
	}
	out.WriteString(pycompat.DecodeUTF8Backslash(res.Before))
	// kill -9 %1 as the reference, then wait (builtins only, bounded) until bash has reaped
	// the job, so that its "Killed" notice is printed before this prompt and not at some
	// later one: the notice is then handed to the next command deterministically.
	if err := s.sh.SendCommand("kill -9 %1; for ((__i=0; __i<100000; __i++)); do kill -0 %1 2>/dev/null || break; done; unset __i"); err != nil {
		return Observation{}, err
	}
	res, err = s.sh.Expect(ctx, pats, wait, true)
	if err != nil {
		return Observation{}, rexErr(clsPexpectTimeout, "Failed to interrupt session")
	}
	// The reference's clients see bash's "[1]+  Killed ..." notice with the next command
	// (in the reference it usually races past this prompt): put it there.
	s.sh.Unread(res.Before)
	if res.Index < 0 {
		s.owed = 0
	}
	zero := 0
	return observation(pycompat.Strip(out.String()), &zero, expectName(a.Expect, res.Index)), nil
}

// resync types SWE-ReX's marker echo and consumes everything up to it and the prompt after
// it (stray prompts included), as the reference does after an interactive program quits.
func (s *session) resync(ctx context.Context) error {
	if err := s.sh.SendCommand("echo '" + uniqueString + "'"); err != nil {
		return err
	}
	uniq := []*regexp.Regexp{regexp.MustCompile(uniqueString)}
	if _, err := s.sh.Expect(ctx, uniq, time.Second, false); err != nil {
		return pexpectErr(err)
	}
	if _, err := s.sh.Expect(ctx, nil, time.Second, true); err != nil {
		return pexpectErr(err)
	}
	s.owed = 0 // in step with bash again
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// compileExpect compiles the expect strings: pexpect treats them as Python regular
// expressions; Go's RE2 syntax covers the common ones (no look-arounds or backreferences).
func compileExpect(exp []string) ([]*regexp.Regexp, error) {
	pats := make([]*regexp.Regexp, len(exp))
	for i, e := range exp {
		re, err := regexp.Compile(e)
		if err != nil {
			return nil, rexErr("re.error", fmt.Sprintf("cannot compile expect string %s: %v", pycompat.StrRepr(e), err))
		}
		pats[i] = re
	}
	return pats, nil
}

func expectName(exp []string, i int) string {
	if i >= 0 && i < len(exp) {
		return exp[i]
	}
	return ps1Name
}

// outputText is SWE-ReX's _strip_control_chars of what came before the match, decoded as
// pexpect does (UTF-8, invalid bytes as \xNN).
func outputText(res shell.ExpectResult) string {
	s := stripControlChars(pycompat.DecodeUTF8Backslash(res.Before))
	if res.Dropped > 0 {
		s = fmt.Sprintf("[gohands: %d bytes of earlier output were dropped]\n", res.Dropped) + s
	}
	return s
}

// stripControlChars is re.sub(r"\x1B[@-_][0-?]*[ -/]*[@-~]", "", s).replace("\r\n", "\n") in
// one pass (outputs can be megabytes): the character classes follow each other, so the
// greedy match needs no backtracking; a "\r\n" that a removed sequence joins is replaced too,
// as the replace runs after the sub.
func stripControlChars(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c == 0x1b && i+1 < len(s) && s[i+1] >= '@' && s[i+1] <= '_' {
			j := i + 2
			for j < len(s) && s[j] >= '0' && s[j] <= '?' {
				j++
			}
			for j < len(s) && s[j] >= ' ' && s[j] <= '/' {
				j++
			}
			if j < len(s) && s[j] >= '@' && s[j] <= '~' {
				i = j + 1
				continue
			}
		}
		if c == '\n' && len(out) > 0 && out[len(out)-1] == '\r' {
			out[len(out)-1] = '\n'
		} else {
			out = append(out, c)
		}
		i++
	}
	return string(out)
}

// joinedCommand is the command as the reference sends it (its top-level commands joined
// with " ; "), which its timeout message quotes.
func joinedCommand(command string) string {
	cmds := shell.SplitCommands(command)
	for i := range cmds {
		cmds[i] = strings.TrimSpace(cmds[i])
	}
	return strings.Join(cmds, " ; ")
}

func seconds(f float64) time.Duration {
	if f <= 0 {
		return time.Nanosecond // pexpect with timeout 0 only looks at what is there
	}
	return time.Duration(f * float64(time.Second))
}

// untilDeadline is the time left until d (0: no deadline, so no timeout).
func untilDeadline(d time.Time) time.Duration {
	if d.IsZero() {
		return 0
	}
	if left := time.Until(d); left > 0 {
		return left
	}
	return time.Nanosecond
}

func timeoutOf(f *float64) time.Duration {
	if f == nil {
		return 0
	}
	return seconds(*f)
}

func pyOptFloat(f *float64) string {
	if f == nil {
		return "None"
	}
	return pycompat.FloatRepr(*f)
}

// pexpectErr maps a failed wait to the pexpect exception the reference lets escape.
func pexpectErr(err error) error {
	if f, ok := fault.As(err); ok {
		switch f.Kind {
		case fault.Timeout:
			return rexErr(clsPexpectTimeout, "Timeout exceeded.")
		case fault.Unavailable:
			return rexErr(clsPexpectEOF, f.Msg)
		}
	}
	return err
}
