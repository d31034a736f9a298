package proc

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gohands/gohands/internal/procfs"
)

// MarkVar names the environment variable the server sets in its own environment at start, so
// that every process it starts (bash, its jobs, plugins, kernels) inherits it. A job that
// leaves bash's session and process group (`setsid cmd &`) and is orphaned keeps it, which is
// how shutdown still finds it.
const MarkVar = "GOHANDS_INSTANCE"

// NewMark returns a fresh MarkVar=value entry, unique to one server process.
func NewMark() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("instance mark: %w", err)
	}
	return MarkVar + "=" + hex.EncodeToString(b), nil
}

// KillAll SIGKILLs, until none is left or timeout passes, every live process that carries
// mark (KEY=VALUE) in its environment or, when root > 0, descends from process root. When root
// is this process it becomes a child subreaper first, so that what a dying process leaves
// behind is reparented here and still found as a descendant. It returns how many processes it
// signalled; an error means some were still alive at the timeout.
func KillAll(mark string, root int, timeout time.Duration) (int, error) {
	if root == os.Getpid() {
		_ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	}
	deadline := time.Now().Add(timeout)
	killed := map[int]bool{}
	for {
		left := Ours(root, mark)
		if len(left) == 0 {
			return len(killed), nil
		}
		if time.Now().After(deadline) {
			return len(killed), fmt.Errorf("%d processes still alive: %v", len(left), left)
		}
		for _, pid := range left {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			killed[pid] = true
		}
		// A killed process gives no notice unless it is our child: look again shortly.
		time.Sleep(20 * time.Millisecond)
	}
}

// Ours lists the live processes (zombies excluded) other than self that descend from self
// (when self > 0) or whose environment holds mark.
func Ours(self int, mark string) []int {
	all, err := procfs.All()
	if err != nil {
		return nil
	}
	live := map[int]int{} // pid → ppid
	for _, p := range all {
		if p.PID == self || p.Dead() {
			continue
		}
		live[p.PID] = p.PPID
	}
	var out []int
	want := []byte(mark)
	for pid := range live {
		if (self > 0 && descends(pid, self, live)) || hasEnv(pid, want) {
			out = append(out, pid)
		}
	}
	return out
}

func descends(pid, self int, live map[int]int) bool {
	for hops := 0; hops < 1024; hops++ { // bounded: a pid may be reused mid-scan
		ppid, ok := live[pid]
		if !ok {
			return false
		}
		if ppid == self {
			return true
		}
		pid = ppid
	}
	return false
}

func hasEnv(pid int, kv []byte) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return false
	}
	for _, e := range bytes.Split(b, []byte{0}) {
		if bytes.Equal(e, kv) {
			return true
		}
	}
	return false
}
