package telemetry

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/gohands/gohands/internal/procfs"
)

// testBash is a real interactive bash on a real PTY, as the shell package runs it, with a
// plain prompt marker so a test can tell when a command has finished.
type testBash struct {
	t    testing.TB
	cmd  *exec.Cmd
	ptmx *os.File
	term *Terminal

	mu   sync.Mutex
	out  bytes.Buffer
	cond *sync.Cond
}

const testPrompt = "__TPROMPT__"

// startBash starts bash in dir, optionally as cred, and attaches it to svc (if not nil).
func startBash(t testing.TB, svc *Service, dir string, cred *syscall.Credential) *testBash {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/bash", "--noediting", "--norc", "--noprofile", "-i")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PS1="+testPrompt+"\\n", "PS2=", "PROMPT_COMMAND=", "HISTFILE=/dev/null", "TERM=xterm")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0, Credential: cred}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	b := &testBash{t: t, cmd: cmd, ptmx: ptmx}
	b.cond = sync.NewCond(&b.mu)
	if svc != nil {
		b.term = svc.Attach(cmd.Process.Pid, nil)
	}
	go func() {
		buf := make([]byte, 32<<10)
		var off int64
		for {
			n, err := ptmx.Read(buf)
			if n > 0 {
				if b.term != nil {
					b.term.Output(off, buf[:n])
				}
				off += int64(n)
				b.mu.Lock()
				b.out.Write(buf[:n])
				b.cond.Broadcast()
				b.mu.Unlock()
			}
			if err != nil {
				b.mu.Lock()
				b.out.WriteString("\x00EOF")
				b.cond.Broadcast()
				b.mu.Unlock()
				return
			}
		}
	}()
	t.Cleanup(b.close)
	b.waitOutput(testPrompt)
	return b
}

func (b *testBash) pid() int { return b.cmd.Process.Pid }

func (b *testBash) close() {
	_ = syscall.Kill(-b.pid(), syscall.SIGKILL)
	_ = syscall.Kill(b.pid(), syscall.SIGKILL)
	_ = b.cmd.Wait()
	b.ptmx.Close()
	if b.term != nil {
		b.term.Close()
	}
}

// send types a line; the output so far is forgotten first.
func (b *testBash) send(line string) {
	b.mu.Lock()
	b.out.Reset()
	b.mu.Unlock()
	if _, err := b.ptmx.Write([]byte(line + "\n")); err != nil {
		b.t.Fatal(err)
	}
}

// waitOutput waits until the output since the last send contains s.
func (b *testBash) waitOutput(s string) string {
	b.t.Helper()
	deadline := time.AfterFunc(30*time.Second, func() {
		b.mu.Lock()
		b.out.WriteString("\x00TIMEOUT")
		b.cond.Broadcast()
		b.mu.Unlock()
	})
	defer deadline.Stop()
	b.mu.Lock()
	defer b.mu.Unlock()
	for !strings.Contains(b.out.String(), s) {
		if strings.Contains(b.out.String(), "\x00") {
			b.t.Fatalf("waiting for %q: got %q", s, b.out.String())
		}
		b.cond.Wait()
	}
	return b.out.String()
}

// run types a command and waits for the next prompt.
func (b *testBash) run(line string) string {
	b.t.Helper()
	b.send(line)
	return b.waitOutput(testPrompt)
}

// waitFor polls cond (a /proc state, not a timer) until it holds, for at most 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// foreground returns the processes of the terminal's foreground group (bash excluded).
func foreground(sid int) []procfs.Stat {
	lead, ok := procfs.Read(sid)
	if !ok || lead.TPGID == lead.PGRP {
		return nil
	}
	var out []procfs.Stat
	for _, p := range treeProcs(sid) {
		if p.PGRP == lead.TPGID {
			out = append(out, p)
		}
	}
	return out
}

func wchan(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/wchan")
	return string(b)
}

func startBenchBash(b *testing.B, svc *Service) *testBash { return startBash(b, svc, b.TempDir(), nil) }
