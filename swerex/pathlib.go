package swerex

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// pyMkdirParentsError is the error Path(dir).mkdir(parents=True, exist_ok=True) would
// raise, found without creating anything (the files service then creates the directories
// under its owner rule): a non-directory in the way is FileExistsError (EEXIST on that
// name) or NotADirectoryError naming the deepest directory it tried. nil when the
// directories exist or could be made; other failures are left to the real mkdir.
func pyMkdirParentsError(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case err == nil:
		if !fi.IsDir() {
			return &fs.PathError{Op: "mkdir", Path: dir, Err: syscall.EEXIST}
		}
		return nil
	case errors.Is(err, syscall.ENOTDIR):
		return &fs.PathError{Op: "mkdir", Path: dir, Err: syscall.ENOTDIR}
	case errors.Is(err, syscall.ENOENT):
		if _, lerr := os.Lstat(dir); lerr == nil { // a dangling symlink: mkdir says EEXIST
			return &fs.PathError{Op: "mkdir", Path: dir, Err: syscall.EEXIST}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil
		}
		return pyMkdirParentsError(parent)
	}
	return nil
}
