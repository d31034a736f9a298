package files

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gohands/gohands/sandbox"
)

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

// content produces a file's new bytes. It may be called more than once (a fallback from a
// rename to an in-place write starts over), so it must not consume anything.
type content func(w io.Writer) error

func bytesContent(b []byte) content {
	return func(w io.Writer) error { _, err := w.Write(b); return err }
}

// atomicWrite is writeFile for content held in memory.
func atomicWrite(p string, data []byte, owner sandbox.Owner) error {
	return writeFile(p, bytesContent(data), owner)
}

// writeFile replaces p's content (symlinks followed) so that nothing is lost:
//
//   - A new file is written to a temporary file in the same directory, given the sandbox
//     owner rule (owner, 0664) and renamed into place: it appears whole or not at all.
//   - An existing file that nobody else has open and that has one link is replaced the same
//     way, keeping its mode and owner: a crash leaves the old or the new content.
//   - An existing file that another process has open (a writer would keep writing to the old
//     inode after a rename), that has hard links (they would stop sharing the content), or
//     whose owner cannot be kept, is rewritten in place (truncate + write + fsync), as the
//     reference always does. "Open elsewhere" is known from a write lease, which the kernel
//     grants only when no other descriptor is open; it is held while the temporary file is
//     written, and if anyone opens the file meanwhile (the lease is being broken) the rename
//     is dropped for an in-place write.
//
// Devices, FIFOs and sockets are refused (*notRegularError); a directory is EISDIR. Errors
// carry p as their path.
func writeFile(p string, c content, owner sandbox.Owner) error {
	h, err := openForWrite(p)
	if err != nil {
		return err
	}
	if h == nil {
		return withPath(createFile(resolveTarget(p), c, owner), p)
	}
	defer h.close()
	return h.write(p, c)
}

// held is an existing regular file open for a read-modify-write: the descriptor (O_RDWR, the
// reference's open(p, 'r+')) and, when nobody else had the file open and it has one link, a
// write lease on it. Held from before the old content is read until the new one is in place,
// the lease makes a process that opens the file meanwhile (`echo >> f`) wait, and tells us it
// came: its write then lands after ours, never in between to be lost.
type held struct {
	f      *os.File
	fi     fs.FileInfo
	target string
	leased bool
	// lastTry: write even if the file changed since it was read without a lease (errChanged
	// otherwise, and the caller starts over from the read).
	lastTry bool
}

// errChanged is a file that changed between the read and the write of a read-modify-write
// done without a lease (another process kept it open): the caller reads it again.
var errChanged = errors.New("file changed while it was being edited")

// changed reports whether the file's size or modification time moved since it was opened.
func (h *held) changed() bool {
	fi, err := h.f.Stat()
	return err != nil || fi.Size() != h.fi.Size() || !fi.ModTime().Equal(h.fi.ModTime())
}

// openForWrite opens p's target (symlinks followed) for a read-modify-write; nil, nil when it
// does not exist. Devices, FIFOs and sockets are refused (*notRegularError); a directory is
// EISDIR. A lease refused because another process has the file open is retried for up to
// 50 ms (a shell's `>>` holds it far less).
func openForWrite(p string) (*held, error) { return openForWriteWait(p, true) }

// maxAttempts bounds the reads and writes of one edit of a file that another process keeps
// changing while it holds it open (see errChanged); the last attempt writes whatever happens.
const maxAttempts = 10

// openForWriteWait is openForWrite; without wait, a refused lease is not retried (a retry of
// an edit already knows that the file is held open, and waiting would only widen the window
// in which its holder changes it).
func openForWriteWait(p string, wait bool) (*held, error) {
	target := resolveTarget(p)
	f, err := os.OpenFile(target, os.O_RDWR|openFlags, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if errors.Is(err, syscall.EISDIR) {
		return nil, &fs.PathError{Op: "open", Path: p, Err: syscall.EISDIR}
	}
	if err != nil {
		return nil, withPath(err, p)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, withPath(err, p)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: p, Err: &notRegularError{fi.Mode()}}
	}
	h := &held{f: f, fi: fi, target: target}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Nlink == 1 {
		tries := 25
		if !wait {
			tries = 1
		}
		for i := 0; i < tries; i++ {
			ok, busy := tryWriteLease(f)
			if h.leased = ok; ok || !busy {
				break
			}
			if i == tries-1 {
				break
			}
			if onLeaseBusy != nil {
				onLeaseBusy()
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	// changed() compares with the file as the caller reads it, after the lease wait, in which
	// a writer holding the file open may well append.
	if fi, err := f.Stat(); err == nil {
		h.fi = fi
	}
	return h, nil
}

// onLeaseBusy, when set by a test, runs after each refused lease that is retried;
// beforeInPlace just before an in-place write checks that the file is as it was read.
var onLeaseBusy, beforeInPlace func()

// beforeSwitch, when set by a test, runs just before the new content replaces the old.
var beforeSwitch func(old *os.File)

func (h *held) close() { h.f.Close() } // also releases the lease

// read returns the file's content, at most limit bytes (< 0: none).
func (h *held) read(limit int64) ([]byte, error) {
	if _, err := h.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return readAllFrom(h.f, h.fi.Size(), limit)
}

// write replaces the file's content: by rename when the lease is held and still intact at the
// end, else in place. See writeFile.
func (h *held) write(p string, c content) error {
	f, fi := h.f, h.fi
	st, _ := fi.Sys().(*syscall.Stat_t)
	if st == nil || !h.leased {
		if beforeInPlace != nil {
			beforeInPlace()
		}
		if !h.lastTry && h.changed() {
			return errChanged
		}
		return withPath(writeInPlace(f, c), p)
	}
	mode := fi.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
	dir := filepath.Dir(h.target)
	tmp, err := os.CreateTemp(dir, "."+truncName(filepath.Base(h.target))+".*.tmp")
	if err != nil { // the directory is not writable: the file is
		return withPath(writeInPlace(f, c), p)
	}
	tmpName := tmp.Name()
	discard := func() { tmp.Close(); os.Remove(tmpName) }
	if err := fill(tmp, c); err != nil {
		discard()
		return withPath(err, p)
	}
	if err := tmp.Chown(int(st.Uid), int(st.Gid)); err != nil {
		discard() // keeping the owner matters more than atomicity
		return withPath(writeInPlace(f, c), p)
	}
	// After chown, which clears setuid/setgid bits.
	if err := tmp.Chmod(mode); err != nil {
		discard()
		return withPath(writeInPlace(f, c), p)
	}
	if err := tmp.Sync(); err != nil {
		discard()
		return withPath(err, p)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmpName)
		return withPath(err, p)
	}
	if !leaseIntact(f) { // someone opened the file while we wrote: they must see our write
		os.Remove(tmpName)
		return withPath(writeInPlace(f, c), p)
	}
	if beforeSwitch != nil {
		beforeSwitch(f)
	}
	// An opener that found the old file just before a rename would wait for the lease and then
	// write to the replaced inode. So the files are swapped (the old one keeps a name) and the
	// lease is checked after the swap: if someone is waiting on the old file, it gets the new
	// content in place and its name back.
	if err := exchange(tmpName, h.target); err == nil {
		if !leaseIntact(f) {
			werr := writeInPlace(f, c)
			if err := exchange(tmpName, h.target); err != nil && werr == nil {
				werr = err // the new content is in place under the path anyway
			}
			os.Remove(tmpName)
			syncDir(dir)
			return withPath(werr, p)
		}
		os.Remove(tmpName) // the old file
		syncDir(dir)
		return nil
	}
	if err := os.Rename(tmpName, h.target); err != nil { // no RENAME_EXCHANGE here
		os.Remove(tmpName)
		return withPath(err, p)
	}
	syncDir(dir)
	return nil
}

// createFile makes a new file at target under the owner rule, atomically. A failure to set
// the owner or mode leaves the file written and is reported as *errChown.
func createFile(target string, c content, owner sandbox.Owner) error {
	dir := filepath.Dir(target)
	tmp, err := os.CreateTemp(dir, "."+truncName(filepath.Base(target))+".*.tmp")
	if err != nil {
		// Report what open(target, 'w') would: the error names the target.
		if _, serr := os.Stat(dir); serr != nil {
			return &fs.PathError{Op: "open", Path: target, Err: syscall.ENOENT}
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return &fs.PathError{Op: "open", Path: target, Err: pe.Err}
		}
		return err
	}
	tmpName := tmp.Name()
	if err := fill(tmp, c); err != nil {
		tmp.Close()
		os.Remove(tmpName)
		return err
	}
	chownErr := owner.Apply(tmp, false)
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmpName)
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmpName)
		return err
	}
	if err := os.Rename(tmpName, target); err != nil {
		os.Remove(tmpName)
		return err
	}
	syncDir(dir)
	if chownErr != nil {
		return &errChown{&fs.PathError{Op: "chown", Path: target, Err: underlying(chownErr)}}
	}
	return nil
}

func underlying(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// fill writes c to f through a buffer.
func fill(f *os.File, c content) error {
	w := bufio.NewWriterSize(f, 256<<10)
	if err := c(w); err != nil {
		return err
	}
	return w.Flush()
}

// writeInPlace truncates and rewrites the open file (the reference's only way of writing):
// every descriptor and hard link keeps seeing the file. Content is written first and the
// file cut to its length after, so a reader never sees it empty for long.
func writeInPlace(f *os.File, c content) error {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	cw := &countWriter{w: f}
	w := bufio.NewWriterSize(cw, 256<<10)
	if err := c(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Truncate(cw.n); err != nil {
		return err
	}
	_ = f.Sync()
	return nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

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
	if err == nil {
		return nil
	}
	var ce *errChown
	if errors.As(err, &ce) {
		return &errChown{withPath(ce.err, p)}
	}
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
