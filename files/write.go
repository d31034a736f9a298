package files

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"unicode/utf8"
)

// WriteResult is the outcome of a `write`. An error observation is a Tool fault.
type WriteResult struct {
	Path string
}

// Write is the `write` action. Content is split on "\n" and every piece is written with a
// "\n" after it (so "x\n" becomes "x\n\n", as in the reference). An existing file keeps
// the lines before start and from end on (start 0 / end -1 meaning none) and its mode and
// owner; a new file gets mode 0664 and the sandbox user. Missing parents are created.
// The file is replaced atomically.
func (s *Service) Write(p, cwd, content string, start, end int) (WriteResult, error) {
	fp := Resolve(p, cwd)
	dir := filepath.Dir(fp)
	if _, err := os.Stat(dir); err != nil {
		if err := s.cfg.Owner.MkdirAll(dir); err != nil {
			return WriteResult{}, errors.New(pyOSError(err))
		}
	}
	insert := strings.Split(content, "\n")
	var b strings.Builder
	fi, statErr := os.Stat(fp)
	exists := statErr == nil
	if exists {
		if fi.IsDir() {
			return WriteResult{}, toolText("Path is a directory: " + fp + ". You can only write to files")
		}
		data, err := readRegular(fp, -1)
		if err != nil {
			return writeError(err, fp)
		}
		if !utf8.Valid(data) {
			return WriteResult{}, toolText("File could not be decoded as utf-8: " + fp)
		}
		old := splitKeepEnds(universalNewlines(string(data)))
		if start == 0 {
			b.Grow(len(content) + len(insert))
		} else {
			for _, l := range pySliceTo(old, start) {
				b.WriteString(l)
			}
		}
		for _, l := range insert {
			b.WriteString(l)
			b.WriteByte('\n')
		}
		if end != -1 {
			for _, l := range pySliceFrom(old, end) {
				b.WriteString(l)
			}
		}
	} else {
		b.Grow(len(content) + len(insert))
		for _, l := range insert {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	err := atomicWrite(fp, []byte(b.String()), s.cfg.Owner)
	var ce *errChown
	if errors.As(err, &ce) {
		return WriteResult{}, toolText("File " + fp + " written, but failed to change ownership and permissions: " + pyOSError(ce.err))
	}
	if err != nil {
		return writeError(err, fp)
	}
	return WriteResult{Path: fp}, nil
}

func writeError(err error, fp string) (WriteResult, error) {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return WriteResult{}, toolText("File not found: " + fp)
	case errors.Is(err, syscall.EISDIR):
		return WriteResult{}, toolText("Path is a directory: " + fp + ". You can only write to files")
	}
	if m, ok := isNotRegular(err); ok {
		return WriteResult{}, toolText("Path is " + fileKind(m) + ", not a regular file: " + fp + ". You can only write to files")
	}
	return WriteResult{}, errors.New(pyOSError(err))
}

// pySliceTo is xs[:i] with Python's negative-index rules.
func pySliceTo(xs []string, i int) []string {
	if i < 0 {
		i = max(0, len(xs)+i)
	}
	return xs[:min(i, len(xs))]
}

// pySliceFrom is xs[i:] with Python's negative-index rules.
func pySliceFrom(xs []string, i int) []string {
	if i < 0 {
		i = max(0, len(xs)+i)
	}
	return xs[min(i, len(xs)):]
}
