package shell

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/gohands/gohands/internal/fault"
)

// Stream mode (Config.Stream) is for a door that reads bash's output the way pexpect does
// (SWE-ReX): one continuous stream in which the door waits for patterns or the next prompt,
// and whatever it has not consumed yet stays for the next wait. The prompt blocks are not
// part of the text; each one is a mark in the stream carrying the exit code.

const (
	// streamMax bounds the text not yet consumed: a flood keeps its newest bytes.
	streamMax = 16 << 20
	// expectOverlap is how far back a new search starts, so a match that straddles two
	// reads is still found.
	expectOverlap = 64 << 10
)

type streamMark struct {
	pos      int // offset in text
	exitCode int
}

// streamBuf is the unconsumed output. A nil *streamBuf ignores everything (V0 sessions).
type streamBuf struct {
	max     int
	text    []byte
	marks   []streamMark
	dropped int64 // bytes dropped since the last consume because of streamMax
}

func (b *streamBuf) addText(t []byte) {
	if b == nil {
		return
	}
	b.text = append(b.text, t...)
	// Drop in steps of a quarter of the bound, so that a flood costs one copy of the kept
	// bytes per quarter, not per read.
	if over := len(b.text) - b.max; over > b.max/4 {
		b.consume(over)
		b.dropped += int64(over)
	}
}

// addPrompt marks a prompt. The newline that opens the prompt (PS1 starts with "\n") was
// printed by bash, not by the command: it is taken off the text.
func (b *streamBuf) addPrompt(pr prompt) {
	if b == nil {
		return
	}
	switch {
	case bytes.HasSuffix(b.text, []byte("\r\n")):
		b.text = b.text[:len(b.text)-2]
	case bytes.HasSuffix(b.text, []byte("\n")):
		b.text = b.text[:len(b.text)-1]
	}
	for i := len(b.marks) - 1; i >= 0 && b.marks[i].pos > len(b.text); i-- {
		b.marks[i].pos = len(b.text)
	}
	b.marks = append(b.marks, streamMark{pos: len(b.text), exitCode: pr.ExitCode})
}

// consume drops the first n bytes of text (marks before them stay, at offset 0).
func (b *streamBuf) consume(n int) {
	rest := copy(b.text, b.text[n:])
	b.text = b.text[:rest]
	for i := range b.marks {
		b.marks[i].pos -= n
		if b.marks[i].pos < 0 {
			b.marks[i].pos = 0
		}
	}
	// After a flood the array is megabytes: give it back once little of it is in use.
	if cap(b.text) > 1<<20 && len(b.text) < cap(b.text)/16 {
		b.text = append([]byte(nil), b.text...)
	}
}

func (b *streamBuf) reset() {
	if b == nil {
		return
	}
	b.text, b.marks, b.dropped = nil, nil, 0
}

// ExpectResult is what Expect matched.
type ExpectResult struct {
	// Before is the output before the match (raw bytes, terminal sequences included).
	Before []byte
	// Index is the pattern that matched, or -1 for the next prompt.
	Index int
	// ExitCode is the prompt's $? when Index is -1.
	ExitCode int
	// Dropped is how many bytes of Before's beginning were lost to the stream bound.
	Dropped int64
}

// Expect waits until one of pats matches the unconsumed output or, when prompt is set, the
// next prompt arrives, whichever comes first in the stream (on a tie the earlier pattern
// wins, the prompt last), and consumes the output up to the end of the match (prompts
// passed over included). timeout 0 means no timeout. It fails with a fault.Timeout when
// the time runs out, and a fault.Unavailable when bash has exited; nothing is consumed
// then.
func (s *Session) Expect(ctx context.Context, pats []*regexp.Regexp, timeout time.Duration, prompt bool) (ExpectResult, error) {
	if s.stream == nil {
		return ExpectResult{}, fault.New(fault.Unavailable, "session not started in stream mode")
	}
	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		deadline = t.C
	}
	from := 0
	for {
		s.mu.Lock()
		res, ok, scanned := s.stream.search(pats, from, prompt)
		exited, ch := s.exited, s.changed
		s.mu.Unlock()
		if ok {
			return res, nil
		}
		if exited {
			return ExpectResult{}, fault.New(fault.Unavailable, "End Of File (EOF). Exception style platform.")
		}
		if from = scanned - expectOverlap; from < 0 {
			from = 0
		}
		select {
		case <-ch:
		case <-deadline:
			return ExpectResult{}, fault.New(fault.Timeout, "Timeout exceeded.")
		case <-ctx.Done():
			return ExpectResult{}, fault.Wrap(fault.Timeout, ctx.Err(), "request ended")
		}
	}
}

// search looks for the earliest match in text[from:] up to the first prompt, consuming it
// when found. scanned is how far the text was searched.
func (b *streamBuf) search(pats []*regexp.Regexp, from int, prompt bool) (res ExpectResult, ok bool, scanned int) {
	limit := len(b.text)
	if prompt && len(b.marks) > 0 {
		limit = b.marks[0].pos
	}
	if from > limit {
		from = limit
	}
	best, bestEnd, bestIdx := -1, -1, -1
	for i, re := range pats {
		loc := re.FindIndex(b.text[from:limit])
		if loc == nil {
			continue
		}
		if start := from + loc[0]; best < 0 || start < best {
			best, bestEnd, bestIdx = start, from+loc[1], i
		}
	}
	if bestIdx < 0 && prompt && len(b.marks) > 0 {
		best, bestEnd, bestIdx = limit, limit, -1
		res.ExitCode = b.marks[0].exitCode
		b.marks = b.marks[1:]
	} else if bestIdx < 0 {
		return res, false, limit
	}
	res.Index = bestIdx
	from = 0
	if best > b.max { // the text may run a quarter over the bound between drops
		from = best - b.max
	}
	res.Before = append([]byte(nil), b.text[from:best]...)
	res.Dropped = b.dropped + int64(from)
	b.dropped = 0
	if !prompt {
		// Prompts inside the consumed text are passed over.
		for len(b.marks) > 0 && b.marks[0].pos < bestEnd {
			b.marks = b.marks[1:]
		}
	}
	b.consume(bestEnd)
	return res, true, limit
}

// Send writes text to the terminal as typed: input for whatever reads it (bash or a
// program bash started). Nothing is added.
func (s *Session) Send(text string) error {
	if _, err := s.ptmx.Write([]byte(text)); err != nil {
		return fault.Wrap(fault.Unavailable, err, errInterrupted)
	}
	return nil
}

// SendControl types Ctrl+c for c = 'c', 'z', 'd', '\\' ...: the terminal turns it into a
// signal for the foreground job, as a user's keyboard would.
func (s *Session) SendControl(c byte) error {
	return s.Send(string([]byte{c & 0x1f}))
}

// SendCommand types a command line for bash. A command of several lines (here-documents,
// loops, several commands) or with a line too long for the terminal is handed to bash
// through a private file and run with one eval, so bash shows exactly one prompt when all
// of it has run and $? is the exit code of its last command.
func (s *Session) SendCommand(command string) error {
	s.mu.Lock()
	atPrompt := s.atPrompt
	s.mu.Unlock()
	if atPrompt {
		// Programs may leave the tty echoing or raw; bash needs it canonical and silent.
		_ = setSaneTermios(s.ptmx)
		s.removeCommandFiles()
	}
	typed := command
	if strings.Contains(command, "\n") || hasLongLine(command) {
		f, err := s.writeCommandFile(command)
		if err != nil {
			return fault.Wrap(fault.Tool, err, fmt.Sprintf("cannot hand the command to bash: %v", err))
		}
		typed = `eval "$(< '` + f + `')"`
	}
	return s.Send(typed + "\n")
}

// removeCommandFiles deletes command files bash has read already (it is at a prompt).
func (s *Session) removeCommandFiles() {
	if s.tmp == "" {
		return
	}
	ents, err := os.ReadDir(s.tmp)
	if err != nil {
		return
	}
	for _, e := range ents {
		os.Remove(s.tmp + "/" + e.Name())
	}
}

// Unread puts text back in front of the unconsumed output, for the next Expect.
func (s *Session) Unread(text []byte) {
	if s.stream == nil || len(text) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.stream
	b.text = append(append([]byte(nil), text...), b.text...)
	for i := range b.marks {
		b.marks[i].pos += len(text)
	}
}

// PromptSetup is the command line that (re)installs the session's prompt, for a door that
// runs start-up files which may replace it.
func (s *Session) PromptSetup() string { return strings.TrimSuffix(s.scan.m.setup, "\n") }
