package telemetry

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

func python(t *testing.T) string {
	for _, p := range []string{"/usr/bin/python3", "/usr/local/bin/python3"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	p, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	return p
}

// Each command, typed into a real bash on a real PTY, ends up reading the terminal: the
// record of the action must say so, and the stream must carry an input_wait event.
func TestInputWaitTriggers(t *testing.T) {
	t.Parallel()
	py := python(t)
	cases := []struct {
		name, cmd, shows string
	}{
		{"read builtin", "read x", ""},
		{"python input", py + ` -c 'input("name? ")'`, "name? "},
		{"Y/n prompt", `/bin/sh -c 'printf "Do you want to continue? [Y/n] "; read a'`, "[Y/n] "},
		{"rm -i", "touch f && rm -i f", "remove"},
		{"here-document", "cat << EOF", ""},
		{"sudo password", "sudo -k true", "password for nobody"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			var cred *syscall.Credential
			if tc.name == "sudo password" {
				if _, err := exec.LookPath("sudo"); err != nil {
					t.Skip("sudo not installed (scripts/deps.d/50-telemetry.sh installs it)")
				}
				if os.Getuid() != 0 {
					t.Skip("needs root to run bash as nobody (sudo asks root for no password)")
				}
				cred = &syscall.Credential{Uid: 65534, Gid: 65534}
				dir = "/" // t.TempDir's parent is private to root
			}
			svc := New(Config{})
			defer svc.Close()
			b := startBash(t, svc, dir, cred)
			sub, _ := svc.Hub.Subscribe(-1)
			defer svc.Hub.Unsubscribe(sub)
			c := svc.Begin("run", tc.cmd, b.term)
			b.send(tc.cmd)
			if tc.shows != "" {
				b.waitOutput(tc.shows)
			}
			shown := time.Now()
			select {
			case <-c.InputWait():
				t.Logf("input_wait %v after the prompt appeared", time.Since(shown))
			case <-time.After(30 * time.Second):
				t.Fatalf("no input wait detected; output %q", b.waitOutput(""))
			}
			rec := c.End(nil, "")
			if !rec.WaitingForInput || rec.InputWait == nil {
				t.Fatalf("record: %+v", rec)
			}
			found := false
			for !found {
				select {
				case ev := <-sub.C:
					found = ev.Type == EventInputWait
				case <-time.After(10 * time.Second):
					t.Fatal("no input_wait event on the stream")
				}
			}
		})
	}
}

// Sleeping, reading a pipe or a socket, and a background job that wants the terminal are not
// input waits. Each case waits (on /proc, not a timer) until the foreground process sleeps
// where it should, then asks the detector.
func TestInputWaitDoesNotTrigger(t *testing.T) {
	t.Parallel()
	py := python(t)
	cases := []struct {
		name, cmd, comm, wchan string
	}{
		{"sleep", "sleep 60", "sleep", "nanosleep"},
		{"pipe read", "sleep 60 | cat", "cat", "pipe_read"},
		{"socket read", py + ` -c 'import socket; a, b = socket.socketpair(); a.recv(1)'`, "python3", "unix_stream"},
		{"background job", "cat & sleep 60", "sleep", "nanosleep"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			svc := New(Config{})
			defer svc.Close()
			b := startBash(t, svc, t.TempDir(), nil)
			c := svc.Begin("run", tc.cmd, b.term)
			b.send(tc.cmd)
			waitFor(t, tc.comm+" asleep in "+tc.wchan, func() bool {
				for _, p := range foreground(b.pid()) {
					if strings.HasPrefix(p.Comm, tc.comm) && strings.Contains(wchan(p.PID), tc.wchan) {
						return true
					}
				}
				return false
			})
			if tc.name == "background job" {
				waitFor(t, "the background cat stopped by SIGTTIN", func() bool {
					for _, p := range treeProcs(b.pid()) {
						if p.Comm == "cat" && p.State == 'T' {
							return true
						}
					}
					return false
				})
			}
			if w, ok := DetectInputWait(b.pid()); ok {
				t.Fatalf("detected an input wait: %+v", w)
			}
			// And the running watcher agrees over several of its checks.
			select {
			case <-c.InputWait():
				t.Fatal("the watcher reported an input wait")
			case <-time.After(3 * (svc.cfg.Quiet + svc.cfg.Tick)):
			}
			if rec := c.End(nil, ""); rec.WaitingForInput {
				t.Fatalf("record says waiting: %+v", rec)
			}
		})
	}
}

// A command that finishes at once never counts as waiting, though bash reads the terminal
// again at its prompt.
func TestInputWaitNotAfterQuickCommand(t *testing.T) {
	t.Parallel()
	svc := New(Config{})
	defer svc.Close()
	b := startBash(t, svc, t.TempDir(), nil)
	c := svc.Begin("run", "echo hi", b.term)
	b.run("echo hi")
	if rec := c.End(intp(0), ""); rec.WaitingForInput {
		t.Fatalf("record says waiting: %+v", rec)
	}
}

func intp(n int) *int { return &n }

// BenchmarkInputWaitLatency is the time from a prompt appearing on the terminal to the input
// wait being reported (the target: 300 ms).
func BenchmarkInputWaitLatency(b *testing.B) {
	svc := New(Config{})
	defer svc.Close()
	bb := startBenchBash(b, svc)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		c := svc.Begin("run", "read -p 'x> ' v", bb.term)
		bb.send("read -p 'x> ' v")
		bb.waitOutput("x> ")
		shown := time.Now()
		<-c.InputWait()
		total += time.Since(shown)
		c.End(nil, "")
		bb.run("y")
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/prompt")
}
