package files

import (
	"context"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// TestReadTextNoControllingTerminal: reading a terminal never makes it the server's
// controlling terminal. A server that leads its session without one (a container's first
// process) would otherwise take the first terminal it reads, and its hangup would SIGHUP the
// server. The check runs in a child that leads a new session without a terminal.
func TestReadTextNoControllingTerminal(t *testing.T) {
	if os.Getenv("GOHANDS_CTTY_CHILD") == "1" {
		ptmx, tty, err := pty.Open()
		if err != nil {
			t.Skip("no pty:", err)
		}
		defer ptmx.Close()
		name := tty.Name()
		tty.Close()
		if _, err := ReadText(name, nil, nil, 0); err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		if f, err := os.Open("/dev/tty"); err == nil {
			f.Close()
			t.Fatalf("reading %s made it the controlling terminal", name)
		}
		return
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a hung read fails, not the run
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestReadTextNoControllingTerminal$", "-test.v")
	cmd.Env = append(os.Environ(), "GOHANDS_CTTY_CHILD=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no controlling terminal
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}
