package telemetry

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clkTck is USER_HZ, the unit of the times in /proc/<pid>/stat (100 on every Linux we run on).
const clkTck = 100

var pageSize = int64(os.Getpagesize())

// Meter measures the resource use of the commands one bash session runs: from a cgroup v2
// child that holds the session, when the server may create one, else from /proc.
type Meter struct {
	sid      int
	cg       string // the session's cgroup directory, "" when there is none
	hasPeak  bool   // the cgroup has memory.peak (memory controller enabled)
	cgroupNo string // why there is no cgroup
}

// NewMeter measures session sid (bash's pid). With useCgroup it tries to move bash into a new
// cgroup v2 child of the server's own cgroup; any failure falls back to /proc.
func NewMeter(sid int, useCgroup bool) *Meter {
	m := &Meter{sid: sid}
	if !useCgroup {
		m.cgroupNo = "cgroups off"
		return m
	}
	dir, err := ownCgroup2Dir()
	if err != nil {
		m.cgroupNo = err.Error()
		return m
	}
	cg := filepath.Join(dir, "gohands-session-"+strconv.Itoa(sid))
	if err := os.Mkdir(cg, 0o755); err != nil && !os.IsExist(err) {
		m.cgroupNo = "cannot create a cgroup: " + err.Error()
		return m
	}
	if err := os.WriteFile(filepath.Join(cg, "cgroup.procs"), []byte(strconv.Itoa(sid)), 0); err != nil {
		_ = os.Remove(cg)
		m.cgroupNo = "cannot move bash into a cgroup: " + err.Error()
		return m
	}
	m.cg = cg
	_, err = os.Stat(filepath.Join(cg, "memory.peak"))
	m.hasPeak = err == nil
	return m
}

// Method names how this meter measures (see Usage.Method).
func (m *Meter) Method() string {
	switch {
	case m.cg != "" && m.hasPeak:
		return "cgroup2"
	case m.cg != "":
		return "cgroup2-cpu+proc-sampler"
	}
	return "proc-sampler"
}

// Cgroup is the session's cgroup directory ("" when none).
func (m *Meter) Cgroup() string { return m.cg }

// Close removes the session's cgroup once its processes are gone (call after bash is dead).
func (m *Meter) Close() {
	if m.cg == "" {
		return
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		err := os.Remove(m.cg)
		if err == nil || os.IsNotExist(err) || time.Now().After(deadline) {
			return
		}
		// Zombies leave the cgroup a moment after they are killed.
		time.Sleep(10 * time.Millisecond)
	}
}

// ownCgroup2Dir is the directory of the server's cgroup in the cgroup v2 hierarchy.
func ownCgroup2Dir() (string, error) {
	var mount string
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", err
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent maj:min root mountpoint opts ... - fstype source superopts
		line := sc.Text()
		i := strings.Index(line, " - ")
		if i < 0 {
			continue
		}
		pre, post := strings.Fields(line[:i]), strings.Fields(line[i+3:])
		if len(post) > 0 && post[0] == "cgroup2" && len(pre) >= 5 && pre[3] == "/" {
			mount = pre[4]
			break
		}
	}
	f.Close()
	if mount == "" {
		return "", errors.New("no cgroup2 hierarchy mounted")
	}
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			return filepath.Join(mount, p), nil
		}
	}
	return "", errors.New("the server is in no cgroup2 cgroup")
}

// procs lists the session's processes: the cgroup's members, or bash and its descendants
// (a daemon that left the tree is then not seen).
func (m *Meter) procs() []procStat {
	if m.cg != "" {
		return pidsProcs(filepath.Join(m.cg, "cgroup.procs"))
	}
	return treeProcs(m.sid)
}

// Measurement is the use of one action, from Begin to End.
type Measurement struct {
	m     *Meter
	start time.Time

	cpuUser0, cpuSys0 uint64 // cgroup µs, or bash's own+reaped ticks
	peakFD            *os.File

	mu     sync.Mutex
	before map[int][2]uint64 // ticks of session processes alive at Begin (bash excluded)
	peak   int64             // bytes
}

// Begin starts measuring an action.
func (m *Meter) Begin() *Measurement {
	mm := &Measurement{m: m, start: time.Now(), before: map[int][2]uint64{}}
	if m.cg != "" {
		mm.cpuUser0, mm.cpuSys0 = cgroupCPU(m.cg)
		if m.hasPeak {
			// Writing to memory.peak resets the peak seen through this descriptor (Linux 6.12).
			if f, err := os.OpenFile(filepath.Join(m.cg, "memory.peak"), os.O_RDWR, 0); err == nil {
				if _, err := f.WriteString("reset\n"); err == nil {
					mm.peakFD = f
				} else {
					f.Close()
				}
			}
		}
		return mm
	}
	for _, p := range m.procs() {
		if p.pid == m.sid {
			mm.cpuUser0, mm.cpuSys0 = p.utime+p.cutime, p.stime+p.cstime
			continue
		}
		mm.before[p.pid] = [2]uint64{p.utime + p.cutime, p.stime + p.cstime}
	}
	return mm
}

// Sample takes one /proc sample of the session's memory (the sampler runs only while an
// action runs). It is a no-op when the cgroup reports the peak itself.
func (mm *Measurement) Sample() {
	if mm.m.hasPeak && mm.peakFD != nil {
		return
	}
	var sum int64
	for _, p := range mm.m.procs() {
		if p.pid == mm.m.sid {
			continue
		}
		sum += p.rss * pageSize
		if hwm := vmHWM(p.pid); hwm > 0 {
			mm.mu.Lock()
			if hwm > mm.peak {
				mm.peak = hwm
			}
			mm.mu.Unlock()
		}
	}
	mm.mu.Lock()
	if sum > mm.peak {
		mm.peak = sum
	}
	mm.mu.Unlock()
}

// vmHWM is a process's own peak resident set, in bytes.
func vmHWM(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	i := bytes.Index(b, []byte("VmHWM:"))
	if i < 0 {
		return 0
	}
	f := bytes.Fields(b[i+6:])
	if len(f) < 1 {
		return 0
	}
	kb, _ := strconv.ParseInt(string(f[0]), 10, 64)
	return kb << 10
}

// End finishes the measurement.
func (mm *Measurement) End() Usage {
	m := mm.m
	u := Usage{Method: m.Method()}
	if m.cg != "" {
		usr, sys := cgroupCPU(m.cg)
		u.CPUUserSeconds = float64(usr-min(usr, mm.cpuUser0)) / 1e6
		u.CPUSystemSeconds = float64(sys-min(sys, mm.cpuSys0)) / 1e6
		if mm.peakFD != nil {
			b := make([]byte, 32)
			n, _ := mm.peakFD.ReadAt(b, 0)
			u.PeakRSSBytes, _ = strconv.ParseInt(strings.TrimSpace(string(b[:n])), 10, 64)
			mm.peakFD.Close()
			return u
		}
	}
	mm.Sample()
	var usr, sys uint64
	if m.cg != "" {
		mm.mu.Lock()
		u.PeakRSSBytes = mm.peak
		mm.mu.Unlock()
		return u
	}
	for _, p := range m.procs() {
		if p.pid == m.sid {
			// bash's own time and that of every child it reaped (their children included).
			usr += p.utime + p.cutime - min(p.utime+p.cutime, mm.cpuUser0)
			sys += p.stime + p.cstime - min(p.stime+p.cstime, mm.cpuSys0)
			continue
		}
		b := mm.before[p.pid]
		usr += p.utime + p.cutime - min(p.utime+p.cutime, b[0])
		sys += p.stime + p.cstime - min(p.stime+p.cstime, b[1])
	}
	u.CPUUserSeconds, u.CPUSystemSeconds = float64(usr)/clkTck, float64(sys)/clkTck
	mm.mu.Lock()
	u.PeakRSSBytes = mm.peak
	mm.mu.Unlock()
	u.Note = m.cgroupNo
	return u
}

// cgroupCPU reads user_usec and system_usec of a cgroup's cpu.stat.
func cgroupCPU(cg string) (usr, sys uint64) {
	b, err := os.ReadFile(filepath.Join(cg, "cpu.stat"))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, " ")
		switch k {
		case "user_usec":
			usr, _ = strconv.ParseUint(v, 10, 64)
		case "system_usec":
			sys, _ = strconv.ParseUint(v, 10, 64)
		}
	}
	return usr, sys
}
