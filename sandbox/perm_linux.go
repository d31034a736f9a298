package sandbox

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
)

// CanRead reports whether u may read the file at abs (an absolute path): search permission
// on every directory above it and read permission on it, from the mode bits as the kernel
// checks them (ACLs and capabilities aside). For what a process running as u (Chromium, for
// a browser upload) will open: the server, as root, sees more.
func CanRead(abs string, u User) bool {
	if u.UID == 0 {
		return true
	}
	for d := filepath.Dir(abs); ; d = filepath.Dir(d) {
		if !permits(d, u, 1) {
			return false
		}
		if d == "/" || d == "." {
			break
		}
	}
	return permits(abs, u, 4)
}

// permits checks one permission bit (4 read, 2 write, 1 execute/search) of path for u.
func permits(path string, u User, bit uint32) bool {
	st, err := os.Stat(path)
	if err != nil {
		return false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	mode := uint32(st.Mode().Perm())
	switch {
	case sys.Uid == uint32(u.UID):
		return mode&(bit<<6) != 0
	case sys.Gid == uint32(u.GID) || slices.Contains(u.Groups, sys.Gid):
		return mode&(bit<<3) != 0
	}
	return mode&bit != 0
}
