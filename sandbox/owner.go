package sandbox

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// FileMode and DirMode are the modes of a file or directory the server creates for the agent.
// 0664 is what the reference's `write` gives a new file; directories get the matching 0775 so
// that the sandbox user (and its group, as the working directory's g+rw) can use them.
const (
	FileMode fs.FileMode = 0o664
	DirMode  fs.FileMode = 0o775
)

// Owner is the one ownership rule for everything the server creates on the agent's behalf:
// `write`, the editor's `create`, uploads, extracted zip members and any directory made for
// them. New files get FileMode and new directories DirMode (set explicitly, whatever the
// umask), both owned by UID:GID. An existing file keeps its own mode and owner (the caller's
// business). The reference's `write` does exactly this for new files (chmod 0664,
// chown(user_id, user_id)); its editor and uploads leave root-owned files the sandbox user
// cannot always write, which gohands does not copy (docs/compatibility.md).
type Owner struct {
	UID, GID int
	// Chown is false when the server cannot give files away (not root): files then belong to
	// the server's user, and only the mode is set.
	Chown bool
}

// OwnerFor is the rule for a server running with effective uid euid: as root, new files go
// to (uid, uid), the reference's (user_id, user_id); otherwise to the server's own user.
func OwnerFor(euid, uid int) Owner {
	if euid != 0 {
		return Owner{UID: euid, GID: os.Getegid()}
	}
	return Owner{UID: uid, GID: uid, Chown: true}
}

// Mode is the mode of a new file or directory.
func (o Owner) Mode(dir bool) fs.FileMode {
	if dir {
		return DirMode
	}
	return FileMode
}

// Apply gives a newly created file or directory, open as f, its owner and mode. The chown
// comes first because it clears set-id bits.
func (o Owner) Apply(f *os.File, dir bool) error {
	if o.Chown {
		if err := f.Chown(o.UID, o.GID); err != nil {
			return err
		}
	}
	return f.Chmod(o.Mode(dir))
}

// ApplyPath is Apply for a path that is not open (a directory just made by Mkdir). It never
// follows a symlink: a path that is not what was just created is left alone.
func (o Owner) ApplyPath(p string, dir bool) error {
	if o.Chown {
		if err := os.Lchown(p, o.UID, o.GID); err != nil {
			return err
		}
	}
	fi, err := os.Lstat(p)
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return nil
	}
	return os.Chmod(p, o.Mode(dir))
}

// MkdirAll is os.MkdirAll where every directory it creates follows the rule; directories that
// exist are left as they are.
func (o Owner) MkdirAll(p string) error {
	fi, err := os.Stat(p)
	if err == nil {
		if fi.IsDir() {
			return nil
		}
		return &fs.PathError{Op: "mkdir", Path: p, Err: syscall.ENOTDIR}
	}
	parent := filepath.Dir(p)
	if parent != p {
		if err := o.MkdirAll(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(p, DirMode); err != nil {
		if fi, serr := os.Stat(p); serr == nil && fi.IsDir() {
			return nil // made concurrently
		}
		return err
	}
	return o.ApplyPath(p, true)
}
