package files

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// notRegularError is a path that is a device, a FIFO or a socket. Reading one can block for
// ever (a FIFO with no writer) or never end (/dev/zero, a FIFO fed by `yes`), so reads, edits
// and writes refuse them; only regular files and directories are handled.
type notRegularError struct{ mode fs.FileMode }

func (e *notRegularError) Error() string { return "not a regular file (" + fileKind(e.mode) + ")" }

// fileKind names a non-regular file type in words.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeIrregular != 0:
		return "an irregular file"
	}
	return "not a regular file"
}

func isNotRegular(err error) (fs.FileMode, bool) {
	var e *notRegularError
	if errors.As(err, &e) {
		return e.mode, true
	}
	return 0, false
}

// openFlags open without blocking on a FIFO (O_NONBLOCK; it has no effect on regular files)
// and without making a terminal the server's controlling tty.
const openFlags = syscall.O_NONBLOCK | syscall.O_NOCTTY

// openRegular opens p for reading and checks, on the open descriptor (no race with a rename),
// that it is a regular file: a directory is EISDIR as open() reports it, anything else a
// *notRegularError.
func openRegular(p string) (*os.File, fs.FileInfo, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if fi.IsDir() {
		f.Close()
		return nil, nil, &fs.PathError{Op: "read", Path: p, Err: syscall.EISDIR}
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, &fs.PathError{Op: "open", Path: p, Err: &notRegularError{fi.Mode()}}
	}
	return f, fi, nil
}

// errFileTooLarge is a file that grew past the caller's limit while it was read.
var errFileTooLarge = errors.New("file too large")

// readRegular reads the whole regular file p into one buffer sized from fstat (no growth
// copies), refusing anything but a regular file. limit < 0 means none; past it,
// errFileTooLarge.
func readRegular(p string, limit int64) ([]byte, error) {
	f, fi, err := openRegular(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAllFrom(f, fi.Size(), limit)
}

func readAllFrom(f io.Reader, size, limit int64) ([]byte, error) {
	if limit >= 0 && size > limit {
		return nil, errFileTooLarge
	}
	// +1 so that reading exactly size bytes sees EOF without growing the buffer.
	buf := make([]byte, 0, size+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if limit >= 0 && int64(len(buf)) > limit {
			return nil, errFileTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
