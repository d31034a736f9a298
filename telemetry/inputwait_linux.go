package telemetry

import (
	"encoding/binary"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/gohands/gohands/internal/procfs"
)

// InputWait says which process was found blocked reading the terminal, and how.
type InputWait struct {
	PID   int    `json:"pid"`
	Comm  string `json:"comm"`
	Via   string `json:"via"` // the system call: read, poll, select, epoll_wait; or wchan
	Since string `json:"since,omitempty"`
}

// x86-64 and arm64 system call numbers of the calls a terminal reader sleeps in.
var readCalls, pollCalls, selectCalls, epollCalls map[int]bool

func init() {
	switch archName {
	case "amd64":
		readCalls = map[int]bool{0: true, 17: true, 19: true, 295: true} // read pread64 readv preadv
		pollCalls = map[int]bool{7: true, 271: true}                     // poll ppoll
		selectCalls = map[int]bool{23: true, 270: true}                  // select pselect6
		epollCalls = map[int]bool{232: true, 281: true, 441: true}       // epoll_wait epoll_pwait epoll_pwait2
	case "arm64":
		readCalls = map[int]bool{63: true, 67: true, 65: true, 69: true}
		pollCalls = map[int]bool{73: true}
		selectCalls = map[int]bool{72: true}
		epollCalls = map[int]bool{22: true, 441: true}
	}
}

// treeProcs lists sid and its descendants (bounded), from the kernel's children lists.
func treeProcs(sid int) []procfs.Stat {
	const maxProcs = 4096
	var out []procfs.Stat
	queue := []int{sid}
	seen := map[int]bool{}
	for len(queue) > 0 && len(out) < maxProcs {
		pid := queue[0]
		queue = queue[1:]
		if seen[pid] {
			continue
		}
		seen[pid] = true
		st, ok := procfs.Read(pid)
		if !ok {
			continue
		}
		out = append(out, st)
		base := "/proc/" + strconv.Itoa(pid)
		tasks, err := os.ReadDir(base + "/task")
		if err != nil {
			continue
		}
		for i, t := range tasks {
			if i >= 256 {
				break
			}
			b, err := os.ReadFile(base + "/task/" + t.Name() + "/children")
			if err != nil {
				continue
			}
			for _, c := range strings.Fields(string(b)) {
				if n, err := strconv.Atoi(c); err == nil {
					queue = append(queue, n)
				}
			}
		}
	}
	return out
}

// DetectInputWait reports whether the foreground process group of the terminal that session
// sid controls is blocked reading that terminal: no process of the group runnable, and one of
// its threads asleep in read/poll/select/epoll on the terminal. A process sleeping, reading a
// pipe or a socket, or a background job (not the foreground group) does not count. The caller
// decides whether bash itself reading the terminal means input (a here-document being typed)
// or a prompt: this function does not know whether a command is running.
func DetectInputWait(sid int) (InputWait, bool) {
	lead, ok := procfs.Read(sid)
	if !ok || lead.TTY == 0 || lead.TPGID <= 0 {
		return InputWait{}, false
	}
	tty := uint64(lead.TTY)
	var group []procfs.Stat
	if lead.TPGID == lead.PGRP {
		group = []procfs.Stat{lead}
	} else {
		for _, p := range treeProcs(sid) {
			if p.PGRP == lead.TPGID {
				group = append(group, p)
			}
		}
	}
	var found InputWait
	hit := false
	for _, p := range group {
		if p.State == 'R' || p.State == 'D' {
			return InputWait{}, false // busy (or in the disk): not waiting for anybody
		}
		if hit || p.State != 'S' {
			continue
		}
		if via, ok := readsTTY(p.PID, tty); ok {
			found, hit = InputWait{PID: p.PID, Comm: p.Comm, Via: via}, true
		}
	}
	return found, hit
}

// readsTTY looks at every thread of pid for a sleep on the terminal tty (a device number).
func readsTTY(pid int, tty uint64) (string, bool) {
	base := "/proc/" + strconv.Itoa(pid)
	tasks, _ := os.ReadDir(base + "/task")
	if len(tasks) > 256 {
		tasks = tasks[:256]
	}
	for _, t := range tasks {
		tb := base + "/task/" + t.Name()
		b, err := os.ReadFile(tb + "/syscall")
		if err != nil {
			// No ptrace access to the process: its wchan and stdin are the evidence left.
			w, _ := os.ReadFile(tb + "/wchan")
			if strings.Contains(string(w), "n_tty_read") || (string(w) == "wait_woken" && isTTY(pid, 0, tty)) {
				return "wchan", true
			}
			continue
		}
		f := strings.Fields(string(b))
		if len(f) < 3 {
			continue // "running" or a kernel thread
		}
		nr, err := strconv.Atoi(f[0])
		if err != nil {
			continue
		}
		arg := func(i int) uint64 {
			if i+1 >= len(f) {
				return 0
			}
			n, _ := strconv.ParseUint(strings.TrimPrefix(f[i+1], "0x"), 16, 64)
			return n
		}
		switch {
		case readCalls[nr]:
			if isTTY(pid, int(arg(0)), tty) {
				return "read", true
			}
		case pollCalls[nr]:
			if pollsTTY(pid, arg(0), arg(1), tty) {
				return "poll", true
			}
		case selectCalls[nr]:
			if selectsTTY(pid, int(arg(0)), arg(1), tty) {
				return "select", true
			}
		case epollCalls[nr]:
			if epollTTY(pid, int(arg(0)), tty) {
				return "epoll_wait", true
			}
		}
	}
	return "", false
}

// devTTY is the device number of /dev/tty (5, 0): a process's own controlling terminal,
// which sudo and ssh open to ask for a password. The processes examined all belong to the
// session whose terminal is tty, so for them /dev/tty is tty.
const devTTY = 5 << 8

// isTTY reports whether fd of pid is the terminal tty.
func isTTY(pid, fd int, tty uint64) bool {
	var st syscall.Stat_t
	if err := syscall.Stat("/proc/"+strconv.Itoa(pid)+"/fd/"+strconv.Itoa(fd), &st); err != nil {
		return false
	}
	return st.Mode&syscall.S_IFMT == syscall.S_IFCHR && (uint64(st.Rdev) == tty || uint64(st.Rdev) == devTTY)
}

// readMem reads n bytes of pid's memory at addr (root, or the same user, may).
func readMem(pid int, addr uint64, n int) []byte {
	if n <= 0 || n > 1<<16 || addr == 0 {
		return nil
	}
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/mem")
	if err != nil {
		return nil
	}
	defer f.Close()
	b := make([]byte, n)
	if _, err := f.ReadAt(b, int64(addr)); err != nil {
		return nil
	}
	return b
}

func pollsTTY(pid int, addr, nfds, tty uint64) bool {
	if nfds > 64 {
		nfds = 64
	}
	b := readMem(pid, addr, int(nfds)*8)
	for i := 0; i+8 <= len(b); i += 8 {
		fd := int32(binary.LittleEndian.Uint32(b[i:]))
		events := binary.LittleEndian.Uint16(b[i+4:])
		if fd >= 0 && events&0x1 != 0 && isTTY(pid, int(fd), tty) { // POLLIN
			return true
		}
	}
	return false
}

func selectsTTY(pid, nfds int, readfds uint64, tty uint64) bool {
	if nfds > 1024 {
		nfds = 1024
	}
	b := readMem(pid, readfds, (nfds+7)/8)
	for fd := 0; fd < nfds && fd/8 < len(b); fd++ {
		if b[fd/8]&(1<<(fd%8)) != 0 && isTTY(pid, fd, tty) {
			return true
		}
	}
	return false
}

func epollTTY(pid, epfd int, tty uint64) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/fdinfo/" + strconv.Itoa(epfd))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "tfd:") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		if fd, err := strconv.Atoi(f[1]); err == nil && isTTY(pid, fd, tty) {
			return true
		}
	}
	return false
}
