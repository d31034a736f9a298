package shell

import (
	"bytes"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// procInfo is what /proc/<pid>/stat says of a process.
type procInfo struct {
	pid, ppid, pgrp, sid int
	state                byte
}

// procs lists every process the server can see.
func procs() []procInfo {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	out := make([]procInfo, 0, len(ents))
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := readProc(pid); ok {
			out = append(out, p)
		}
	}
	return out
}

func readProc(pid int) (procInfo, bool) {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procInfo{}, false
	}
	// Fields after the parenthesised command name (which may hold spaces or ')'):
	// state ppid pgrp session ...
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return procInfo{}, false
	}
	f := bytes.Fields(stat[i+1:])
	if len(f) < 4 || len(f[0]) != 1 {
		return procInfo{}, false
	}
	p := procInfo{pid: pid, state: f[0][0]}
	var e1, e2, e3 error
	p.ppid, e1 = strconv.Atoi(string(f[1]))
	p.pgrp, e2 = strconv.Atoi(string(f[2]))
	p.sid, e3 = strconv.Atoi(string(f[3]))
	return p, e1 == nil && e2 == nil && e3 == nil
}

func (p procInfo) dead() bool { return p.state == 'Z' || p.state == 'X' }

// killSession SIGKILLs every process whose session is sid: bash and every job it started,
// background ones included (they live in their own process groups).
func killSession(sid int) {
	_ = syscall.Kill(-sid, syscall.SIGKILL)
	for _, p := range procs() {
		if p.sid == sid {
			_ = syscall.Kill(p.pid, syscall.SIGKILL)
		}
	}
}

// groupMembers lists the live processes of process group pgrp.
func groupMembers(pgrp int) []int {
	var out []int
	for _, p := range procs() {
		if p.pgrp == pgrp && !p.dead() {
			out = append(out, p.pid)
		}
	}
	return out
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	p, ok := readProc(pid)
	return ok && !p.dead()
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
