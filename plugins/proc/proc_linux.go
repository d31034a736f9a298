package proc

import (
	"errors"
	"os/exec"
	"syscall"
	"time"

	"github.com/gohands/gohands/internal/procfs"
)

// Prepare makes cmd the leader of a new process group (so the whole group can be signalled),
// kills it when the server dies (Pdeathsig), and runs it as u when u.Switch.
func Prepare(cmd *exec.Cmd, u User) {
	attr := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if u.Switch {
		attr.Credential = &syscall.Credential{Uid: uint32(u.UID), Gid: uint32(u.GID), Groups: u.Groups}
	}
	cmd.SysProcAttr = attr
}

// KillGroup sends sig to the process group led by pid.
func KillGroup(pid int, sig syscall.Signal) error {
	if pid <= 0 {
		return errors.New("no process")
	}
	err := syscall.Kill(-pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// GroupAlive reports whether any process of the group led by pgid is still alive. Zombies do
// not count: an orphan's zombie may never be reaped (a container's init that does not reap),
// and kill(-pgid, 0) would report it for ever.
func GroupAlive(pgid int) bool {
	if pgid <= 0 || syscall.Kill(-pgid, 0) != nil {
		return false
	}
	all, err := procfs.All()
	if err != nil {
		return true
	}
	for _, p := range all {
		if p.PGRP == pgid && !p.Dead() {
			return true
		}
	}
	return false
}

// WaitGroupGone waits up to d until no process of the group led by pgid is alive, and reports
// whether that happened. A signalled process is not gone yet when kill returns.
func WaitGroupGone(pgid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for GroupAlive(pgid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond) // a death gives a non-parent no notice
	}
	return true
}

// Alive reports whether pid exists and is not a zombie.
func Alive(pid int) bool { return procfs.Alive(pid) }
