package shell

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/gohands/gohands/internal/fault"
)

// errInterrupted is the reference's answer when its session loop ends without an observation.
const errInterrupted = "Bash session was likely interrupted..."

// Run executes one request with the reference's state machine (action-server.md §6.6, §6.7).
// An expected failure that the reference answers with an error observation is a
// *fault.Error: Invalid for several commands at once, Unavailable when bash is gone or the
// caller left, Tool when the command could not be handed to bash.
func (s *Session) Run(ctx context.Context, req Request) (Result, error) {
	s.runMu.Lock()
	defer s.runMu.Unlock()

	command := strings.TrimSpace(req.Command)
	running := s.status == statusNoChange || s.status == statusHardTimeout
	if !running {
		if command == "" {
			return defaultResult("ERROR: No previous running command to retrieve logs from."), nil
		}
		if req.IsInput {
			return defaultResult("ERROR: No previous running command to interact with."), nil
		}
	}
	if cmds := SplitCommands(command); len(cmds) > 1 {
		var b strings.Builder
		b.WriteString("ERROR: Cannot execute multiple commands at once.\n" +
			"Please run each command separately OR chain them into a single command via && or ;\n" +
			"Provided commands:")
		for i, c := range cmds {
			fmt.Fprintf(&b, "\n(%d) %s", i+1, c)
		}
		return Result{}, fault.New(fault.Invalid, "%s", b.String())
	}

	start := time.Now()
	s.mu.Lock()
	atPrompt, exited := s.atPrompt, s.exited
	s.mu.Unlock()
	if exited {
		return Result{}, fault.New(fault.Unavailable, errInterrupted)
	}
	if running && !atPrompt && !req.IsInput && command != "" {
		md := defaultMetadata()
		res := Result{Command: command, Metadata: md, Hidden: req.Hidden,
			Suffix: "\n[Your command \"" + command + "\" is NOT executed. The previous command is still running - " +
				"You CANNOT send new commands until the previous command is completed. By setting `is_input` to `true`, " +
				"you can interact with the current process: " + TimeoutMessage + "]"}
		res.Content = s.commandOutput(command, s.screenText(), &res.Prefix, continuePrefix, false)
		return res, nil
	}

	special := isSpecialKey(command)
	initial := s.promptCount()
	// Input typed to a program in raw mode (a line editor such as Python's REPL) is echoed by
	// the program itself, and the reference strips that echo. In canonical mode only the
	// reference's tty would have echoed it, and ours does not: nothing to strip.
	stripEcho := req.IsInput && !special && command != "" && !canonicalInput(s.ptmx)
	var cmdFile string
	idle := false // bash was at its prompt when the input was sent
	if command != "" {
		var payload []byte
		switch {
		case special:
			payload = []byte{command[2] & 0x1f}
		case req.IsInput:
			payload = []byte(command + "\n")
		default:
			typed := command
			if hasLongLine(command) {
				f, err := s.writeCommandFile(command)
				if err != nil {
					return Result{}, fault.Wrap(fault.Tool, err, fmt.Sprintf("cannot hand the command to bash: %v", err))
				}
				cmdFile = f
				typed = `eval "$(< '` + f + `')"`
			}
			// Programs may leave the tty echoing or raw; bash needs it canonical and silent.
			_ = setSaneTermios(s.ptmx)
			payload = []byte(typed + "\n")
		}
		s.mu.Lock()
		idle = s.atPrompt
		s.atPrompt = false
		if idle && isCtrlC(command) && ignoresSignal(s.cmd.Process.Pid, syscall.SIGINT) {
			// bash sits at its prompt and ignores SIGINT: nothing will answer this C-c, and
			// waiting for a prompt would leave the session "running" for good.
			s.atPrompt = true
		}
		if !special {
			s.echoed, s.echoWipes = true, s.screen.HistoryWipes()
		}
		if special && running && echoesControl(s.ptmx) {
			// The reference's tty echoes ^C/^Z/^\ in front of what the program prints next.
			if c := command[2] | 0x20; c == 'c' || c == 'z' || command[2] == '\\' {
				_, _ = s.screen.Write([]byte{'^', command[2] &^ 0x20})
				s.lastChange = time.Now()
			}
		}
		s.mu.Unlock()
		initial = s.promptCount()
		if _, err := s.ptmx.Write(payload); err != nil {
			return Result{}, fault.Wrap(fault.Unavailable, err, fmt.Sprintf("%s (%v)", errInterrupted, err))
		}
	}
	if cmdFile != "" {
		defer os.Remove(cmdFile)
	}
	note := ""
	if running && !idle && isCtrlC(command) {
		note = s.escalateInterrupt(ctx, initial)
	}
	noted := func(r Result) (Result, error) {
		r.Suffix += note
		return r, nil
	}
	var timer *time.Timer
	inputWaited := false
	for {
		s.mu.Lock()
		done := s.prompts > initial || s.atPrompt
		exited := s.exited
		lastChange := s.lastChange
		ch := s.changed
		s.mu.Unlock()
		if done {
			return noted(s.completed(command, req.Hidden, stripEcho))
		}
		if exited {
			return noted(s.exitedResult(command, req.Hidden))
		}
		if inputWaited {
			return s.timedOut(command, stripEcho, statusNoChange, InputWaitSuffix), nil
		}
		if lastChange.Before(start) {
			lastChange = start
		}
		now := time.Now()
		var wait time.Duration = -1
		if !req.Blocking {
			left := s.cfg.NoChangeTimeout - now.Sub(lastChange)
			if left <= 0 {
				return noted(s.timedOut(command, stripEcho, statusNoChange,
					"\n[The command has no new output after "+strconv.Itoa(int(s.cfg.NoChangeTimeout/time.Second))+" seconds. "+TimeoutMessage+"]"))
			}
			wait = left
		}
		if req.Timeout > 0 {
			left := req.Timeout - now.Sub(start)
			if left <= 0 {
				text := req.TimeoutText
				if text == "" {
					text = strconv.FormatFloat(req.Timeout.Seconds(), 'f', -1, 64)
				}
				return noted(s.timedOut(command, stripEcho, statusHardTimeout,
					"\n[The command timed out after "+text+" seconds. "+TimeoutMessage+"]"))
			}
			if wait < 0 || left < wait {
				wait = left
			}
		}
		var timeout <-chan time.Time
		if wait >= 0 {
			// One timer for the whole wait: output may wake this loop thousands of times.
			if timer == nil {
				timer = time.NewTimer(wait)
				defer timer.Stop()
			} else {
				timer.Reset(wait)
			}
			timeout = timer.C
		}
		select {
		case <-ch:
		case <-timeout:
		case <-req.InputWait:
			// Checked at the top of the loop, after a prompt that may have come meanwhile.
			inputWaited, req.InputWait = true, nil
		case <-ctx.Done():
			// The caller is gone; the command keeps running, so guard the next one.
			s.status = statusHardTimeout
			return Result{}, fault.Wrap(fault.Unavailable, ctx.Err(), errInterrupted)
		}
	}
}

func (s *Session) promptCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.prompts
}

// completed builds the observation of a finished command and clears the screen.
func (s *Session) completed(command string, hidden, stripEcho bool) Result {
	s.mu.Lock()
	pr := s.last
	if pr.WorkingDir != "" && pr.WorkingDir != s.cwd {
		s.cwd = pr.WorkingDir
	}
	raw, dropped := s.takeScreenLocked()
	s.mu.Unlock()

	res := Result{Command: command, Hidden: hidden, Metadata: promptMetadata(pr)}
	if dropped > 0 {
		res.Prefix = fmt.Sprintf("[Previous command outputs are truncated. Showing the last %d lines of the output below.]\n",
			countLines(raw))
	}
	if isSpecialKey(command) {
		res.Suffix = fmt.Sprintf("\n[The command completed with exit code %d. CTRL+%s was sent.]",
			pr.ExitCode, strings.ToUpper(command[len(command)-1:]))
	} else {
		res.Suffix = fmt.Sprintf("\n[The command completed with exit code %d.]", pr.ExitCode)
	}
	res.Content = s.commandOutput(command, raw, &res.Prefix, "", stripEcho)
	s.status = statusCompleted
	s.prevOutput, s.prevSeen = "", false
	return res
}

// timedOut builds a no-change or hard timeout observation; the command keeps running.
func (s *Session) timedOut(command string, stripEcho bool, st status, suffix string) Result {
	s.status = st
	res := Result{Command: command, Metadata: defaultMetadata(), Suffix: suffix}
	res.Content = s.commandOutput(command, s.screenText(), &res.Prefix, continuePrefix, stripEcho)
	return res
}

// exitedResult answers the command during which bash itself ended (`exit`, `kill -9 $$`).
func (s *Session) exitedResult(command string, hidden bool) Result {
	s.mu.Lock()
	raw, _ := s.takeScreenLocked()
	err, cwd := s.exitErr, s.cwd
	s.mu.Unlock()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = 128 + int(ws.Signal())
		} else {
			code = ee.ExitCode()
		}
	}
	md := defaultMetadata()
	md.ExitCode = code
	md.WorkingDir = &cwd
	res := Result{Command: command, Hidden: hidden, Metadata: md,
		Suffix: fmt.Sprintf("\n[The command completed with exit code %d. The shell exited; the next command starts a new one.]", code)}
	res.Content = s.commandOutput(command, raw, &res.Prefix, "", false)
	s.status = statusCompleted
	s.prevOutput, s.prevSeen = "", false
	return res
}

// commandOutput is the reference's _get_command_output: only what is new since the last
// observation of the same command, leading and trailing blank space removed. The typed text is
// removed from the front only when a program echoed it itself (stripEcho); bash and programs
// reading cooked lines never see an echo here, since the tty's echo is off.
func (s *Session) commandOutput(command, raw string, prefix *string, contPrefix string, stripEcho bool) string {
	out := raw
	if s.prevSeen {
		out = strings.TrimPrefix(raw, s.prevOutput)
		*prefix = contPrefix
	}
	s.prevOutput = raw
	s.mu.Lock()
	// The reference's pane still shows the typed text unless a program wiped the history
	// (`clear`) after it was typed.
	echo := s.echoed && s.screen.HistoryWipes() == s.echoWipes
	s.mu.Unlock()
	s.prevSeen = raw != "" || echo
	out = strings.TrimLeftFunc(out, unicode.IsSpace)
	if stripEcho {
		out = strings.TrimLeftFunc(strings.TrimPrefix(out, strings.TrimLeftFunc(command, unicode.IsSpace)), unicode.IsSpace)
	}
	return strings.TrimRightFunc(out, unicode.IsSpace)
}

func isCtrlC(command string) bool { return isSpecialKey(command) && command[2]|0x20 == 'c' }

func isSpecialKey(command string) bool {
	return len(command) == 3 && strings.HasPrefix(command, "C-") && command[2] < 0x80
}

func hasLongLine(command string) bool {
	for _, line := range strings.Split(command, "\n") {
		if len(line) >= maxTypedLine {
			return true
		}
	}
	return false
}

// countLines is Python's len(s.splitlines()) for text without \r.
func countLines(s string) int {
	if s == "" {
		return 0
	}
	n := strings.Count(s, "\n")
	if !strings.HasSuffix(s, "\n") {
		n++
	}
	return n
}

func defaultMetadata() Metadata { return Metadata{ExitCode: -1, PID: -1} }

func defaultResult(content string) Result {
	return Result{Command: "", Content: content, Metadata: defaultMetadata()}
}

func promptMetadata(pr prompt) Metadata {
	md := Metadata{ExitCode: pr.ExitCode, PID: pr.PID}
	user, host, wd := pr.Username, pr.Hostname, pr.WorkingDir
	py := whichPython(pr.Path, pr.WorkingDir)
	md.Username, md.Hostname, md.WorkingDir, md.PyInterpreterPath = &user, &host, &wd, &py
	return md
}

// whichPython answers `which python` for the prompt's PATH and cwd without a subprocess.
func whichPython(path, cwd string) string {
	for _, dir := range strings.Split(path, ":") {
		if dir == "" {
			dir = "."
		}
		cand := filepath.Join(dir, "python")
		if dir == "." {
			cand = "./python"
		}
		check := cand
		if !filepath.IsAbs(check) {
			check = filepath.Join(cwd, cand)
		}
		if fi, err := os.Stat(check); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return cand
		}
	}
	return ""
}
