package procfs

import (
	"os"
	"os/exec"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestReadSelfAndAll(t *testing.T) {
	t.Parallel()
	self, ok := Read(os.Getpid())
	if !ok || self.PID != os.Getpid() || self.PPID != os.Getppid() || self.Dead() {
		t.Fatalf("self: %+v %v", self, ok)
	}
	if sid, _ := unix.Getsid(0); self.PGRP != syscall.Getpgrp() || self.SID != sid {
		t.Fatalf("self %+v, want pgrp %d sid %d", self, syscall.Getpgrp(), sid)
	}
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range all {
		found = found || s.PID == self.PID && s.PGRP == self.PGRP
	}
	if !found {
		t.Fatalf("self %+v not among %d processes", self, len(all))
	}
	if !Alive(os.Getpid()) || Alive(0) || Alive(-1) {
		t.Fatal("Alive")
	}
}

// A zombie (ended, not yet waited for) is not alive; once reaped it is gone.
func TestZombie(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	// Wait for the exit without reaping it.
	var info unix.Siginfo
	if err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil); err != nil {
		t.Fatal(err)
	}
	if s, ok := Read(pid); !ok || !s.Dead() || Alive(pid) {
		t.Fatalf("zombie: %+v %v alive=%v", s, ok, Alive(pid))
	}
	_ = cmd.Wait()
	if _, ok := Read(pid); ok {
		t.Fatal("reaped process still read")
	}
}
