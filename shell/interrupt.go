package shell

import (
	"context"
	"syscall"
	"time"

	"github.com/gohands/gohands/internal/procfs"
)

// When the agent's C-c cannot end the running command because every process of the
// foreground group ignores (or blocks) SIGINT, as after `trap "" INT`, the session would stay
// wedged for good. The interrupt escalates instead: SIGTERM to that group, then SIGKILL, and
// only when bash itself is what ignores it (a builtin loop, `read`) is bash killed and
// replaced. Programs that catch SIGINT and keep running (a REPL) or read ^C as a key (raw mode)
// are left alone: the C-c did reach them.
const (
	interruptGrace = 500 * time.Millisecond // for the prompt after ^C before looking closer
	termGrace      = time.Second            // between SIGTERM and SIGKILL
	killGrace      = 2 * time.Second        // for the victims to go after SIGKILL
	maxEscalations = 3                      // foreground jobs ended before bash itself is
	pollDeath      = 20 * time.Millisecond  // process death sends no output to wake on
)

// The observation's note on what the escalation did, after the reference's suffix.
const (
	noteTerm = "\n[CTRL+C was ignored, so the foreground process group was sent SIGTERM.]"
	noteKill = "\n[CTRL+C was ignored, so the foreground process group was sent SIGTERM, then SIGKILL.]"
	noteBash = "\n[CTRL+C was ignored by the shell itself, so the shell was killed.]"
)

// escalateInterrupt runs after ^C was sent to a running command; initial is the prompt count
// before it. It returns the note for the observation ("" when nothing was done).
func (s *Session) escalateInterrupt(ctx context.Context, initial int) string {
	if s.settle(ctx, initial, interruptGrace, nil) || ctx.Err() != nil || !signalsOn(s.ptmx) {
		return ""
	}
	bash := s.cmd.Process.Pid
	note := ""
	for round := 0; round < maxEscalations; round++ {
		fg := foregroundGroup(s.ptmx)
		members := groupMembers(fg)
		if len(members) == 0 || !allIgnore(members, syscall.SIGINT) {
			return note // ended meanwhile, or a program that handles C-c itself
		}
		var victims []int
		for _, pid := range members {
			if pid != bash {
				victims = append(victims, pid)
			}
		}
		if len(victims) == 0 {
			// bash runs the command itself. Give it one more grace in case it is only
			// between a job's end and its prompt.
			if s.settle(ctx, initial, interruptGrace, nil) || ctx.Err() != nil {
				return note
			}
			if now := groupMembers(foregroundGroup(s.ptmx)); len(now) == 1 && now[0] == bash && allIgnore(now, syscall.SIGINT) {
				break
			}
			continue
		}
		if note == "" {
			note = noteTerm
		}
		// The whole group when bash is not in it (a process may join it meanwhile).
		whole := len(victims) == len(members)
		signalAll(fg, whole, victims, syscall.SIGTERM)
		gone := func() bool { return !anyAlive(victims) }
		if s.settle(ctx, initial, termGrace, gone) || ctx.Err() != nil {
			return note
		}
		if !gone() {
			note = noteKill
			signalAll(fg, whole, victims, syscall.SIGKILL)
			if s.settle(ctx, initial, killGrace, gone) || ctx.Err() != nil {
				return note
			}
		}
		// The job is gone: bash prints its prompt, or goes on with the rest of the command.
		if s.settle(ctx, initial, interruptGrace, nil) || ctx.Err() != nil {
			return note
		}
	}
	if s.settle(ctx, initial, 0, nil) {
		return note
	}
	killSession(bash)
	s.settle(ctx, initial, killGrace, nil) // for bash's exit, so this C-c answers it
	return note + noteBash
}

// settle waits up to d for the command to end (a new prompt, bash back at its prompt, or bash
// exiting; as Run decides it) and reports
// whether it did. It also returns, false, as soon as stop reports true (polled).
func (s *Session) settle(ctx context.Context, initial int, d time.Duration, stop func() bool) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	var poll <-chan time.Time
	if stop != nil {
		t := time.NewTicker(pollDeath)
		defer t.Stop()
		poll = t.C
	}
	for {
		s.mu.Lock()
		done := s.prompts > initial || s.atPrompt || s.exited
		ch := s.changed
		s.mu.Unlock()
		if done {
			return true
		}
		if stop != nil && stop() {
			return false
		}
		select {
		case <-ch:
		case <-poll:
		case <-deadline.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

func allIgnore(pids []int, sig syscall.Signal) bool {
	for _, pid := range pids {
		if !ignoresSignal(pid, sig) && procfs.Alive(pid) {
			return false
		}
	}
	return true
}

func anyAlive(pids []int) bool {
	for _, pid := range pids {
		if procfs.Alive(pid) {
			return true
		}
	}
	return false
}

func signalAll(pgrp int, whole bool, pids []int, sig syscall.Signal) {
	if whole && pgrp > 0 {
		_ = syscall.Kill(-pgrp, sig)
	}
	for _, pid := range pids {
		_ = syscall.Kill(pid, sig)
	}
}
