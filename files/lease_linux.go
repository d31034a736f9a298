package files

import (
	"os"

	"golang.org/x/sys/unix"
)

// takeWriteLease takes a write lease on f. The kernel grants it only when no other descriptor
// of the file is open (for writing; for reading too where it counts readers), so success means
// "nobody else has the file open". It fails where leases are not allowed (not the file's
// owner without CAP_LEASE, some file systems): the caller then writes in place.
func takeWriteLease(f *os.File) bool {
	ok := false
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	_ = rc.Control(func(fd uintptr) {
		_, err := unix.FcntlInt(fd, unix.F_SETLEASE, unix.F_WRLCK)
		ok = err == nil
	})
	return ok
}

// leaseIntact reports whether f's write lease is still held and not being broken by another
// process's open.
func leaseIntact(f *os.File) bool {
	ok := false
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	_ = rc.Control(func(fd uintptr) {
		v, err := unix.FcntlInt(fd, unix.F_GETLEASE, 0)
		ok = err == nil && v == unix.F_WRLCK
	})
	return ok
}
