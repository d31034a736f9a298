package shell

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestIgnoredInterruptEscalates: after `trap "" INT` every command the session starts ignores
// C-c. The agent's C-c then escalates (SIGTERM, then SIGKILL, to the foreground group; bash
// itself only when bash is what ignores it) and the session stays usable.
func TestIgnoredInterruptEscalates(t *testing.T) {
	t.Parallel()
	need(t, "python3")
	sent := "CTRL+C was sent.]"
	cases := []struct {
		name  string
		steps []step
		dead  bool // bash itself had to go
	}{
		{"sigterm", []step{
			{cmd: "trap '' INT", exit: ip(0)},
			{cmd: "sleep 1000", hard: 1, exit: ip(-1), suffix: []string{timeoutSuffix("1.0")}},
			{cmd: "C-c", input: true, hard: 1, exit: ip(143), suffix: []string{sent, noteTerm}},
			{cmd: "echo after", exit: ip(0), content: sp("after")},
		}, false},
		{"sigkill", []step{
			{cmd: "trap '' INT TERM", exit: ip(0)},
			{cmd: "sleep 1000 | cat", exit: ip(-1), suffix: []string{"no new output after 1 seconds"}},
			{cmd: "C-c", input: true, exit: ip(137), suffix: []string{sent, noteKill}},
			{cmd: "echo after", exit: ip(0), content: sp("after")},
		}, false},
		{"bash itself", []step{
			{cmd: "trap '' INT", exit: ip(0)},
			{cmd: "read x", hard: 1, exit: ip(-1)},
			{cmd: "C-c", input: true, hard: 1, exit: ip(137), suffix: []string{"The shell exited", noteBash}},
		}, true},
		{"loop in bash", []step{
			{cmd: "trap '' INT", exit: ip(0)},
			{cmd: "while :; do sleep 1000; done", hard: 1, exit: ip(-1)},
			{cmd: "C-c", input: true, hard: 1, exit: ip(137), suffix: []string{noteTerm, noteBash}},
		}, true},
		{"idle shell is left alone", []step{
			// The command ends after its observation: bash waits at its prompt, ignoring
			// SIGINT, when the C-c comes. It must neither be killed nor leave the session
			// waiting for a prompt that never comes.
			{cmd: "trap '' INT", exit: ip(0)},
			{cmd: "sleep 0.5", hard: 0.1, exit: ip(-1)},
			{before: awaitIdle, cmd: "C-c", input: true, hard: 5, exit: ip(0), suffix: []string{sent}, validate: func(t *testing.T, r Result) {
				if strings.Contains(r.Suffix, "was ignored") {
					t.Fatalf("escalated at an idle prompt: %q", r.Suffix)
				}
			}},
			{cmd: "echo after", exit: ip(0), content: sp("after")},
		}, false},
		{"handled interrupt is left alone", []step{
			{cmd: `python3 -c "import signal, time; signal.signal(signal.SIGINT, lambda *a: print('caught', flush=True)); print('ready', flush=True); time.sleep(1000)"`,
				hard: 1, exit: ip(-1), has: []string{"ready"}, await: "ready"},
			{cmd: "C-c", input: true, exit: ip(-1), has: []string{"caught"}, validate: func(t *testing.T, r Result) {
				if strings.Contains(r.Suffix, "was ignored") {
					t.Fatalf("escalated a handled interrupt: %q", r.Suffix)
				}
			}},
			{cmd: `C-\`, input: true, hard: 10, exit: ip(131)},
			{cmd: "echo after", exit: ip(0), content: sp("after")},
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newTestSession(t, time.Second)
			runSteps(t, s, tc.steps)
			if s.Alive() == tc.dead {
				t.Fatalf("bash alive = %v", s.Alive())
			}
			if tc.dead {
				if _, err := s.Run(context.Background(), Request{Command: "echo x", Timeout: time.Second}); err == nil {
					t.Fatal("a killed shell answered")
				}
			}
		})
	}
}

// awaitIdle waits until bash is back at its prompt with nothing printed after it.
func awaitIdle(t *testing.T, s *Session) {
	t.Helper()
	deadline := time.NewTimer(2 * time.Minute)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		idle, ch := s.atPrompt, s.changed
		s.mu.Unlock()
		if idle {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatal("bash never came back to its prompt")
		}
	}
}
