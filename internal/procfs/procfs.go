// Package procfs reads the process table from /proc: the one parser of /proc/<pid>/stat that
// the shell (its sessions and interrupts) and the process helpers of plugins share.
package procfs

import (
	"bytes"
	"os"
	"strconv"
)

// Stat is what /proc/<pid>/stat says of a process.
type Stat struct {
	PID, PPID, PGRP, SID int
	State                byte
}

// Dead reports whether the process is a zombie (or being reaped): it has ended, and only its
// parent's wait is missing.
func (s Stat) Dead() bool { return s.State == 'Z' || s.State == 'X' }

// Read reads /proc/<pid>/stat; false when the process is gone.
func Read(pid int) (Stat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return Stat{}, false
	}
	// Fields after the parenthesised command name (which may hold spaces or ')'):
	// state ppid pgrp session ...
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return Stat{}, false
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 4 || len(f[0]) != 1 {
		return Stat{}, false
	}
	s := Stat{PID: pid, State: f[0][0]}
	var e1, e2, e3 error
	s.PPID, e1 = strconv.Atoi(string(f[1]))
	s.PGRP, e2 = strconv.Atoi(string(f[2]))
	s.SID, e3 = strconv.Atoi(string(f[3]))
	return s, e1 == nil && e2 == nil && e3 == nil
}

// All lists every process this process can see, zombies included. The error is that of
// reading /proc itself.
func All() ([]Stat, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	out := make([]Stat, 0, len(ents))
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if s, ok := Read(pid); ok {
			out = append(out, s)
		}
	}
	return out, nil
}

// Alive reports whether pid exists and is not a zombie.
func Alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	s, ok := Read(pid)
	return ok && !s.Dead()
}
