// Package procfs reads the process table from /proc: the one parser of /proc/<pid>/stat that
// the shell (its sessions and interrupts), the process helpers of plugins and telemetry (its
// resource meter and input-wait detection) share.
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
	Comm                 string // the command name, without its parentheses
	TTY                  int    // tty_nr: the controlling terminal's device number (0: none)
	TPGID                int    // the terminal's foreground process group
	// CPU times in clock ticks (USER_HZ): the process's own, and those of the children it
	// waited for.
	UTime, STime, CUTime, CSTime uint64
	RSS                          int64 // resident set, in pages
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
	return Parse(b)
}

// Parse parses the text of a /proc/<pid>/stat (or /proc/<pid>/task/<tid>/stat) file.
func Parse(b []byte) (Stat, bool) {
	// Fields after the parenthesised command name (which may hold spaces or ')'): 0 state,
	// 1 ppid, 2 pgrp, 3 session, 4 tty_nr, 5 tpgid, ... 11 utime, 12 stime, 13 cutime,
	// 14 cstime, ... 21 rss.
	l, r := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if l < 0 || r < l {
		return Stat{}, false
	}
	f := bytes.Fields(b[r+1:])
	if len(f) < 22 || len(f[0]) != 1 {
		return Stat{}, false
	}
	s := Stat{State: f[0][0], Comm: string(b[l+1 : r])}
	s.PID, _ = strconv.Atoi(string(bytes.TrimSpace(b[:l])))
	var e1, e2, e3 error
	s.PPID, e1 = strconv.Atoi(string(f[1]))
	s.PGRP, e2 = strconv.Atoi(string(f[2]))
	s.SID, e3 = strconv.Atoi(string(f[3]))
	s.TTY, _ = strconv.Atoi(string(f[4]))
	s.TPGID, _ = strconv.Atoi(string(f[5]))
	u64 := func(i int) uint64 { n, _ := strconv.ParseUint(string(f[i]), 10, 64); return n }
	s.UTime, s.STime, s.CUTime, s.CSTime = u64(11), u64(12), u64(13), u64(14)
	s.RSS, _ = strconv.ParseInt(string(f[21]), 10, 64)
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
