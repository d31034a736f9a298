package files

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// writeOpts say how a new file is created; an existing file keeps its mode and owner.
type writeOpts struct {
	newMode  fs.FileMode // 0: 0666 minus the umask, as open(..., 'w') gives
	chownNew bool        // chown a new file to uid:gid
	uid, gid int
}

// errChown reports that the content was written but the ownership or mode could not be set.
type errChown struct{ err error }

func (e *errChown) Error() string { return e.err.Error() }
func (e *errChown) Unwrap() error { return e.err }

// resolveTarget follows symlinks so that a write replaces the file a link points to and
// never the link itself. A dangling link resolves to where it points.
func resolveTarget(p string) string {
	for i := 0; i < 40; i++ {
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return p
		}
		dst, err := os.Readlink(p)
		if err != nil {
			return p
		}
		if !filepath.IsAbs(dst) {
			dst = filepath.Join(filepath.Dir(p), dst)
		}
		p = dst
	}
	return p
}

// atomicWrite replaces p's content with data so that a crash leaves either the old or the
// new content, never a mix or an empty file: a temporary file in the same directory is
// written, synced, given the old file's mode and owner, and renamed over p. When that is
// impossible (the directory is not writable, the owner cannot be kept, p is not a
// regular file) it falls back to rewriting p in place, as the reference always does.
// Errors carry p as their path.
func atomicWrite(p string, data []byte, o writeOpts) error {
	target := resolveTarget(p)
	fi, statErr := os.Stat(target)
	exists := statErr == nil
	if exists && !fi.Mode().IsRegular() {
		if fi.IsDir() {
			return &fs.PathError{Op: "open", Path: p, Err: syscall.EISDIR}
		}
		return writeInPlace(p, target, data, 0)
	}
	mode := o.newMode
	if mode == 0 {
		mode = 0o666 &^ umask()
	}
	uid, gid := -1, -1
	if exists {
		// The reference opens the file for writing: refuse what it would refuse.
		f, err := os.OpenFile(target, os.O_WRONLY, 0)
		if err != nil {
			return withPath(err, p)
		}
		f.Close()
		mode = fi.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			uid, gid = int(st.Uid), int(st.Gid)
		}
	} else if o.chownNew {
		uid, gid = o.uid, o.gid
	}

	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+truncName(base)+".*.tmp")
	if err != nil {
		if exists {
			return writeInPlace(p, target, data, mode)
		}
		return withPath(err, p)
	}
	tmpName := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmpName)
		return withPath(err, p)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	var chownErr error
	if uid >= 0 {
		if err := tmp.Chown(uid, gid); err != nil {
			if exists { // keeping the owner matters more than atomicity
				tmp.Close()
				os.Remove(tmpName)
				return writeInPlace(p, target, data, mode)
			}
			chownErr = err
		}
	}
	// After chown, which clears setuid/setgid bits.
	if err := tmp.Chmod(mode); err != nil && chownErr == nil {
		chownErr = err
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmpName)
		return withPath(err, p)
	}
	if err := os.Rename(tmpName, target); err != nil {
		os.Remove(tmpName)
		return withPath(err, p)
	}
	syncDir(dir)
	if chownErr != nil {
		return &errChown{withPath(chownErr, p)}
	}
	return nil
}

// writeInPlace truncates and rewrites target (the reference's only way of writing).
func writeInPlace(p, target string, data []byte, mode fs.FileMode) error {
	if mode == 0 {
		mode = 0o666 &^ umask()
	}
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return withPath(err, p)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return withPath(err, p)
	}
	_ = f.Sync() // not supported by every file type
	return withPath(f.Close(), p)
}

// writeStream is atomicWrite for content that comes from a reader (uploads): it never
// holds the content in memory. limit < 0 means no limit; more than limit bytes fails with
// errTooLarge and leaves nothing behind.
func writeStream(p string, r io.Reader, limit int64, o writeOpts) (int64, error) {
	target := resolveTarget(p)
	if fi, err := os.Stat(target); err == nil && fi.IsDir() {
		return 0, &fs.PathError{Op: "open", Path: p, Err: syscall.EISDIR}
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+truncName(base)+".*.tmp")
	if err != nil {
		return 0, withPath(err, p)
	}
	tmpName := tmp.Name()
	fail := func(err error) (int64, error) {
		tmp.Close()
		os.Remove(tmpName)
		return 0, err
	}
	src := r
	if limit >= 0 {
		src = io.LimitReader(r, limit+1)
	}
	n, err := io.Copy(tmp, src)
	if err != nil {
		return fail(err)
	}
	if limit >= 0 && n > limit {
		return fail(errTooLarge)
	}
	mode := o.newMode
	if mode == 0 {
		mode = 0o666 &^ umask()
	}
	if fi, err := os.Stat(target); err == nil && fi.Mode().IsRegular() {
		mode = fi.Mode() & fs.ModePerm
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			_ = tmp.Chown(int(st.Uid), int(st.Gid))
		}
	} else if o.chownNew {
		_ = tmp.Chown(o.uid, o.gid)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmpName)
		return 0, err
	}
	if err := os.Rename(tmpName, target); err != nil {
		os.Remove(tmpName)
		return 0, withPath(err, p)
	}
	syncDir(dir)
	return n, nil
}

var errTooLarge = errors.New("file exceeds the upload size limit")

// truncName keeps temp names within NAME_MAX.
func truncName(s string) string {
	if len(s) > 200 {
		return s[:200]
	}
	return s
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// withPath makes a path error name p (the path the caller asked for), as Python's do.
func withPath(err error, p string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: pe.Op, Path: p, Err: pe.Err}
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return &fs.PathError{Op: le.Op, Path: p, Err: le.Err}
	}
	return err
}
