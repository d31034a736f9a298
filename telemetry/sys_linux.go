package telemetry

import (
	"runtime"
	"strconv"
	"syscall"
)

var (
	syscallENOSPC = syscall.ENOSPC
	syscallEMFILE = syscall.EMFILE
)

func itoa(n int) string { return strconv.Itoa(n) }

const archName = runtime.GOARCH

// inode is the inode number of p (0 when it does not exist).
func inode(p string) uint64 {
	var st syscall.Stat_t
	if syscall.Stat(p, &st) != nil {
		return 0
	}
	return st.Ino
}
