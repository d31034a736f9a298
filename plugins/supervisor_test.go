package plugins

import (
	"bytes"
	"context"
	"errors"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gohands/gohands/plugins/proc"
)

// shService runs a real shell script; it is ready once the script created $READY.
type shService struct {
	name   string
	script string
	dir    string
	cmdErr error
	never  bool // Ready never succeeds
}

func (s *shService) Name() string { return s.name }

func (s *shService) Command() (*exec.Cmd, error) {
	if s.cmdErr != nil {
		return nil, s.cmdErr
	}
	if s.script == "" {
		return nil, nil
	}
	os.Remove(filepath.Join(s.dir, "ready"))
	cmd := exec.Command("sh", "-c", s.script)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "READY="+filepath.Join(s.dir, "ready"))
	return cmd, nil
}

func (s *shService) Ready(ctx context.Context) error {
	for {
		if !s.never {
			if _, err := os.Stat(filepath.Join(s.dir, "ready")); err == nil {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var fastBackoff = Backoff{Min: 10 * time.Millisecond, Max: 200 * time.Millisecond, StableAfter: time.Minute}

func newTestSupervisor(t *testing.T) (*Supervisor, *logBuf) {
	var lb logBuf
	s := NewSupervisor(log.New(&lb, "", 0), fastBackoff)
	t.Cleanup(s.Stop)
	return s, &lb
}

func TestSupervisorRestartsAKilledProcess(t *testing.T) {
	t.Parallel()
	s, lb := newTestSupervisor(t)
	svc := &shService{name: "svc", dir: t.TempDir(), script: `echo "hello from $$"; touch "$READY"; exec sleep 1000`}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Start(ctx, svc); err != nil {
		t.Fatal(err)
	}
	first := s.Status()["svc"]
	if first.State != StateRunning || first.PID == 0 || first.Restarts != 0 {
		t.Fatalf("status %+v", first)
	}
	for i := 1; i <= 2; i++ {
		pid := s.Status()["svc"].PID
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		// Wait returns only once a new process is up.
		deadline := time.Now().Add(20 * time.Second)
		for {
			if err := s.Wait(ctx, "svc"); err != nil {
				t.Fatal(err)
			}
			if st := s.Status()["svc"]; st.PID != pid && st.State == StateRunning {
				if st.Restarts != i || !strings.Contains(st.LastExit, "killed") {
					t.Fatalf("after kill %d: %+v", i, st)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("not restarted: %+v", s.Status()["svc"])
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	if !strings.Contains(lb.String(), "[svc] hello from") {
		t.Fatalf("process output not in the log:\n%s", lb.String())
	}
}

func TestSupervisorStopKillsTheWholeGroup(t *testing.T) {
	t.Parallel()
	s := NewSupervisor(log.New(&logBuf{}, "", 0), fastBackoff)
	dir := t.TempDir()
	// The background child is not the process the supervisor started: only signalling the
	// whole group reaches it.
	svc := &shService{name: "svc", dir: dir, script: `sleep 1000 & echo $! > child; touch "$READY"; wait`}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Start(ctx, svc); err != nil {
		t.Fatal(err)
	}
	leader := s.Status()["svc"].PID
	b, err := os.ReadFile(filepath.Join(dir, "child"))
	if err != nil {
		t.Fatal(err)
	}
	child, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	s.Stop()
	for _, pid := range []int{leader, child} {
		if proc.Alive(pid) {
			t.Errorf("pid %d survived Stop", pid)
		}
	}
	if st := s.Status()["svc"]; st.State != StateStopped {
		t.Errorf("status after stop %+v", st)
	}
	if err := s.Wait(ctx, "svc"); err == nil {
		t.Error("Wait after Stop succeeded")
	}
}

func TestSupervisorStartOutcomes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		svc     func(dir string) *shService
		timeout time.Duration
		wantErr string
		state   string
	}{
		{name: "permanent failure", svc: func(d string) *shService {
			return &shService{name: "p", dir: d, cmdErr: errors.New("not installed")}
		}, timeout: 10 * time.Second, wantErr: "not installed", state: StateFailed},
		{name: "disabled", svc: func(d string) *shService { return &shService{name: "p", dir: d} },
			timeout: 10 * time.Second, state: StateDisabled},
		{name: "never ready", svc: func(d string) *shService {
			return &shService{name: "p", dir: d, script: "exec sleep 1000", never: true}
		}, timeout: 300 * time.Millisecond, wantErr: "not ready", state: StateStarting},
		{name: "crash loop", svc: func(d string) *shService {
			return &shService{name: "p", dir: d, script: "exit 3"}
		}, timeout: 500 * time.Millisecond, wantErr: "not ready", state: StateRestarting},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, _ := newTestSupervisor(t)
			ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
			defer cancel()
			err := s.Start(ctx, c.svc(t.TempDir()))
			if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("Start = %v, want %q", err, c.wantErr)
			}
			st := s.Status()["p"]
			if st.State != c.state {
				t.Fatalf("state %+v, want %s", st, c.state)
			}
			if c.name == "crash loop" && (st.Restarts < 1 || !strings.Contains(st.LastExit, "exit status 3")) {
				t.Fatalf("crash loop status %+v", st)
			}
			wctx, wcancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer wcancel()
			werr := s.Wait(wctx, "p")
			if (c.state == StateDisabled) != (werr == nil) {
				t.Fatalf("Wait = %v in state %s", werr, c.state)
			}
		})
	}
}

func TestPumpBoundsLines(t *testing.T) {
	t.Parallel()
	var lb logBuf
	s := NewSupervisor(log.New(&lb, "", 0), fastBackoff)
	defer s.Stop()
	long := strings.Repeat("x", 200*1024)
	s.pump("p", strings.NewReader("one\r\n"+long+"\ntwo\nlast-no-newline"))
	got := strings.Split(strings.TrimRight(lb.String(), "\n"), "\n")
	if len(got) != 4 || got[0] != "[p] one" || got[2] != "[p] two" || got[3] != "[p] last-no-newline" {
		t.Fatalf("lines %q", abbreviate(got))
	}
	if len(got[1]) > 70*1024 || !strings.HasSuffix(got[1], " […]") {
		t.Fatalf("long line not cut: %d bytes", len(got[1]))
	}
}

func abbreviate(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		if len(s) > 40 {
			s = s[:40] + "…"
		}
		out[i] = s
	}
	return out
}

func TestWaitUnknownPlugin(t *testing.T) {
	t.Parallel()
	s, _ := newTestSupervisor(t)
	if err := s.Wait(context.Background(), "nope"); err == nil {
		t.Fatal("no error for an unknown plugin")
	}
}
