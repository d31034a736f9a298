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
	"syscall"
	"time"

	"github.com/gohands/gohands/internal/procfs"
)

// clkTck is USER_HZ, the unit of the times in /proc/<pid>/stat (100 on every Linux we run on).
const clkTck = 100

var pageSize = int64(os.Getpagesize())

// Meter measures the resource use of the commands one bash session runs: from a cgroup v2
// child that holds the session, when the server may create one, else from /proc. The files it
// reads on every action stay open (a pread costs a fraction of an open+read+close on /proc
// and cgroupfs), so a quick command pays for a few small reads.
type Meter struct {
	sid int
	// ready is closed once the cgroup is set up (or given up); cg, hasPeak, cgroupNo, cpuF and
	// procsF are set before and read only after. Moving a process into a cgroup may wait for an
	// RCU grace period (often 10 ms), which the server's start-up need not wait for: Begin
	// does, so every action is measured as before.
	ready    chan struct{}
	cg       string // the session's cgroup directory, "" when there is none
	hasPeak  bool   // the cgroup has memory.peak (memory controller enabled)
	cgroupNo string // why there is no cgroup

	mu        sync.Mutex // guards buf and the reads through the files below
	buf       []byte
	statF     *os.File // /proc/<sid>/stat
	childrenF *os.File // /proc/<sid>/task/<sid>/children
	cpuF      *os.File // <cg>/cpu.stat
	procsF    *os.File // <cg>/cgroup.procs
}

// NewMeter measures session sid (bash's pid). With useCgroup it tries to move bash into a new
// cgroup v2 child of the server's own cgroup, in the background; any failure falls back to
// /proc.
func NewMeter(sid int, useCgroup bool) *Meter {
	m := &Meter{sid: sid, buf: make([]byte, 4096), ready: make(chan struct{})}
	base := "/proc/" + strconv.Itoa(sid)
	m.statF, _ = os.Open(base + "/stat")
	m.childrenF, _ = os.Open(base + "/task/" + strconv.Itoa(sid) + "/children")
	if !useCgroup {
		m.cgroupNo = "cgroups off"
		close(m.ready)
		return m
	}
	go func() {
		defer close(m.ready)
		m.setupCgroup()
	}()
	return m
}

// setupCgroup moves bash into a cgroup of its own and opens the files read on every action.
func (m *Meter) setupCgroup() {
	sid := m.sid
	dir, err := ownCgroup2Dir()
	if err != nil {
		m.cgroupNo = err.Error()
		return
	}
	removeStaleCgroups(dir)
	cg := filepath.Join(dir, "gohands-session-"+strconv.Itoa(sid))
	if err := os.Mkdir(cg, 0o755); err != nil && !os.IsExist(err) {
		m.cgroupNo = "cannot create a cgroup: " + err.Error()
		return
	}
	if err := os.WriteFile(filepath.Join(cg, "cgroup.procs"), []byte(strconv.Itoa(sid)), 0); err != nil {
		_ = os.Remove(cg)
		m.cgroupNo = "cannot move bash into a cgroup: " + err.Error()
		return
	}
	m.cpuF, err = os.Open(filepath.Join(cg, "cpu.stat"))
	if err == nil {
		m.procsF, err = os.Open(filepath.Join(cg, "cgroup.procs"))
	}
	if err != nil {
		m.closeFiles()
		_ = os.Remove(cg)
		m.cgroupNo = "cannot read the cgroup: " + err.Error()
		return
	}
	m.cg = cg
	_, err = os.Stat(filepath.Join(cg, "memory.peak"))
	m.hasPeak = err == nil
}

// removeStaleCgroups removes the empty session cgroups of bash processes that no longer exist
// (a server killed with SIGKILL cannot remove its own). rmdir fails on a cgroup in use.
func removeStaleCgroups(dir string) {
	stale, _ := filepath.Glob(filepath.Join(dir, "gohands-session-*"))
	for _, cg := range stale {
		pid := strings.TrimPrefix(filepath.Base(cg), "gohands-session-")
		if _, err := os.Stat("/proc/" + pid); os.IsNotExist(err) {
			_ = os.Remove(cg)
		}
	}
}

// Method names how this meter measures (see Usage.Method).
func (m *Meter) Method() string {
	<-m.ready
	switch {
	case m.cg != "" && m.hasPeak:
		return "cgroup2"
	case m.cg != "":
		return "cgroup2-cpu+proc-sampler"
	}
	return "proc-sampler"
}

// Cgroup is the session's cgroup directory ("" when none).
func (m *Meter) Cgroup() string {
	<-m.ready
	return m.cg
}

func (m *Meter) closeFiles() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, f := range []**os.File{&m.statF, &m.childrenF, &m.cpuF, &m.procsF} {
		if *f != nil {
			(*f).Close()
			*f = nil
		}
	}
}

// Close removes the session's cgroup once its processes are gone (call after bash is dead).
func (m *Meter) Close() {
	<-m.ready
	m.closeFiles()
	if m.cg == "" {
		return
	}
	// Killed processes leave the cgroup a moment after they die. One that escaped bash's session
	// (setsid) keeps it busy: it is not waited for, and the next meter removes the cgroup once
	// it is empty (removeStaleCgroups).
	deadline := time.Now().Add(200 * time.Millisecond)
	for {
		err := os.Remove(m.cg)
		if err == nil || os.IsNotExist(err) || time.Now().After(deadline) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pread reads an open file from its start (nil on failure or when f is nil).
func (m *Meter) pread(f *os.File) []byte {
	if f == nil {
		return nil
	}
	return m.buf[:readOnce(f, m.buf)]
}

// readOnce reads f from its start into b with one pread: a /proc or cgroupfs file hands over
// all it holds (up to len(b)) at once, where ReadAt would ask a second time, for the end of
// the file. It returns how many bytes were read (0 on failure).
func readOnce(f *os.File, b []byte) int {
	for {
		n, err := syscall.Pread(int(f.Fd()), b, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0
		}
		return n
	}
}

// bashStat is bash's own /proc stat.
func (m *Meter) bashStat() (procfs.Stat, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.pread(m.statF)
	if len(b) == 0 {
		return procfs.Stat{}, false
	}
	return procfs.Parse(b)
}

// hasChildren reports whether bash has a child process now (false when unknown).
func (m *Meter) hasChildren() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(bytes.TrimSpace(m.pread(m.childrenF))) > 0
}

// cgroupCPU reads user_usec and system_usec of the cgroup's cpu.stat.
func (m *Meter) cgroupCPU() (usr, sys uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, line := range strings.Split(string(m.pread(m.cpuF)), "\n") {
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

// others lists the session's processes but bash: the cgroup's members, or bash's descendants
// (a daemon that left the tree is then not seen). Nothing is read beyond one small file when
// bash has no other process, the common case once a command has ended.
func (m *Meter) others() []procfs.Stat {
	if m.cg != "" {
		m.mu.Lock()
		pids := strings.Fields(string(m.pread(m.procsF)))
		m.mu.Unlock()
		var out []procfs.Stat
		for _, f := range pids {
			if len(out) >= 4096 {
				break
			}
			pid, err := strconv.Atoi(f)
			if err != nil || pid == m.sid {
				continue
			}
			if st, ok := procfs.Read(pid); ok {
				out = append(out, st)
			}
		}
		return out
	}
	if !m.hasChildren() {
		return nil
	}
	all := treeProcs(m.sid)
	out := all[:0]
	for _, p := range all {
		if p.PID != m.sid {
			out = append(out, p)
		}
	}
	return out
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

// Measurement is the use of one action, from Begin to End.
type Measurement struct {
	m     *Meter
	start time.Time

	cpuUser0, cpuSys0 uint64 // cgroup µs, or bash's own+reaped ticks
	peakFD            *os.File

	mu     sync.Mutex
	before map[int][2]uint64 // ticks of processes alive at Begin (bash excluded)
	peak   int64             // bytes
}

// Begin starts measuring an action.
func (m *Meter) Begin() *Measurement {
	<-m.ready
	mm := &Measurement{m: m, start: time.Now()}
	if m.cg != "" {
		mm.cpuUser0, mm.cpuSys0 = m.cgroupCPU()
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
	if st, ok := m.bashStat(); ok {
		mm.cpuUser0, mm.cpuSys0 = st.UTime+st.CUTime, st.STime+st.CSTime
	}
	for _, p := range m.others() { // background jobs: only what they use from now on counts
		if mm.before == nil {
			mm.before = map[int][2]uint64{}
		}
		mm.before[p.PID] = [2]uint64{p.UTime + p.CUTime, p.STime + p.CSTime}
	}
	return mm
}

// Sample takes one /proc sample of the session's memory (the sampler runs only while an
// action runs). It is a no-op when the cgroup reports the peak itself.
func (mm *Measurement) Sample() {
	if mm.peakFD != nil {
		return
	}
	var sum, hwm int64
	for _, p := range mm.m.others() {
		sum += p.RSS * pageSize
		hwm = max(hwm, vmHWM(p.PID))
	}
	mm.mu.Lock()
	mm.peak = max(mm.peak, sum, hwm)
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
		usr, sys := m.cgroupCPU()
		u.CPUUserSeconds = float64(usr-min(usr, mm.cpuUser0)) / 1e6
		u.CPUSystemSeconds = float64(sys-min(sys, mm.cpuSys0)) / 1e6
		if mm.peakFD != nil {
			b := make([]byte, 32)
			n := readOnce(mm.peakFD, b)
			u.PeakRSSBytes, _ = strconv.ParseInt(strings.TrimSpace(string(b[:n])), 10, 64)
			mm.peakFD.Close()
			return u
		}
		mm.Sample()
		mm.mu.Lock()
		u.PeakRSSBytes = mm.peak
		mm.mu.Unlock()
		return u
	}
	var usr, sys uint64
	if st, ok := m.bashStat(); ok {
		// bash's own time and that of every child it reaped (their children included).
		usr += st.UTime + st.CUTime - min(st.UTime+st.CUTime, mm.cpuUser0)
		sys += st.STime + st.CSTime - min(st.STime+st.CSTime, mm.cpuSys0)
	}
	var sum, hwm int64
	for _, p := range m.others() { // still running (a timed-out command, background jobs)
		b := mm.before[p.PID]
		usr += p.UTime + p.CUTime - min(p.UTime+p.CUTime, b[0])
		sys += p.STime + p.CSTime - min(p.STime+p.CSTime, b[1])
		sum += p.RSS * pageSize
		hwm = max(hwm, vmHWM(p.PID))
	}
	u.CPUUserSeconds, u.CPUSystemSeconds = float64(usr)/clkTck, float64(sys)/clkTck
	mm.mu.Lock()
	u.PeakRSSBytes = max(mm.peak, sum, hwm)
	mm.mu.Unlock()
	u.Note = m.cgroupNo
	return u
}
