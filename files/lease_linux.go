package files

import (
	"os"

	"golang.org/x/sys/unix"
)

// tryWriteLease takes a write lease on f. The kernel grants it only when no other descriptor
// of the file is open (for writing; for reading too where it counts readers), so success means
// "nobody else has the file open"; busy says it was refused for that reason (EAGAIN), rather
// than not allowed at all (not the file's owner without CAP_LEASE, some file systems).
func tryWriteLease(f *os.File) (ok, busy bool) {
	rc, err := f.SyscallConn()
	if err != nil {
		return false, false
	}
	_ = rc.Control(func(fd uintptr) {
		_, err := unix.FcntlInt(fd, unix.F_SETLEASE, unix.F_WRLCK)
		ok, busy = err == nil, err == unix.EAGAIN
	})
	return ok, busy
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

// exchange swaps the files at a and b atomically (renameat2 RENAME_EXCHANGE); an error when
// the file system cannot.
func exchange(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}
