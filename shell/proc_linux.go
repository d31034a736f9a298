package shell

import (
	"bytes"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gohands/gohands/internal/procfs"
)

// killSession SIGKILLs every process whose session is sid: bash and every job it started,
// background ones included (they live in their own process groups).
func killSession(sid int) {
	_ = syscall.Kill(-sid, syscall.SIGKILL)
	all, _ := procfs.All()
	for _, p := range all {
		if p.SID == sid {
			_ = syscall.Kill(p.PID, syscall.SIGKILL)
		}
	}
}

// groupMembers lists the live processes of process group pgrp.
func groupMembers(pgrp int) []int {
	var out []int
	all, _ := procfs.All()
	for _, p := range all {
		if p.PGRP == pgrp && !p.Dead() {
			out = append(out, p.PID)
		}
	}
	return out
}

// ignoresSignal reports whether pid ignores or blocks sig (SigIgn / SigBlk in its status), so
// that the signal cannot end it. A process that is gone ignores nothing.
func ignoresSignal(pid int, sig syscall.Signal) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return false
	}
	bit := uint64(1) << (uint(sig) - 1)
	for _, line := range bytes.Split(b, []byte("\n")) {
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok || (string(k) != "SigIgn" && string(k) != "SigBlk") {
			continue
		}
		mask, err := strconv.ParseUint(string(bytes.TrimSpace(v)), 16, 64)
		if err == nil && mask&bit != 0 {
			return true
		}
	}
	return false
}

// foregroundGroup is the tty's foreground process group, read on the PTY's master side.
func foregroundGroup(ptmx *os.File) int {
	pgrp, err := unix.IoctlGetInt(int(ptmx.Fd()), unix.TIOCGPGRP)
	if err != nil {
		return 0
	}
	return pgrp
}

// signalsOn reports whether the tty turns ^C into SIGINT (ISIG): a program that turned it off
// reads ^C as a key and decides itself what it means.
func signalsOn(f *os.File) bool {
	t, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil && t.Lflag&unix.ISIG != 0
}
