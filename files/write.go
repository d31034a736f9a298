package files

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"unicode/utf8"
)

// WriteResult is the outcome of a `write`. An error observation is a Tool fault.
type WriteResult struct {
	Path string
}

// Write is the `write` action. Content is split on "\n" and every piece is written with a
// "\n" after it (so "x\n" becomes "x\n\n", as in the reference): that is content + "\n". An
// existing file keeps the lines before start and from end on (start 0 / end -1 meaning none)
// and its mode and owner; a new file follows the sandbox owner rule. Missing parents are
// created. See writeFile for how the file is replaced.
func (s *Service) Write(p, cwd, content string, start, end int) (WriteResult, error) {
	return s.WriteFrom(p, cwd, func(w io.Writer) error {
		_, err := io.WriteString(w, content)
		return err
	}, start, end)
}

// WriteFrom is Write with the content produced by src, which may be called more than once and
// must write the same bytes each time. A large content is streamed from where it is (the
// request body) to the file: it is never held twice. The old file is read only when lines of
// it are kept; otherwise it is only checked, in chunks, to be UTF-8 as the reference's
// readlines() requires.
func (s *Service) WriteFrom(p, cwd string, src func(io.Writer) error, start, end int) (WriteResult, error) {
	for attempt := 1; ; attempt++ { // see Editor.Edit
		res, err := s.writeOnce(p, cwd, src, start, end, attempt)
		if errors.Is(err, errChanged) {
			continue
		}
		return res, err
	}
}

func (s *Service) writeOnce(p, cwd string, src func(io.Writer) error, start, end, attempt int) (WriteResult, error) {
	fp := Resolve(p, cwd)
	dir := filepath.Dir(fp)
	if _, err := os.Stat(dir); err != nil {
		if err := s.cfg.Owner.MkdirAll(dir); err != nil {
			return WriteResult{}, errors.New(pyOSError(err))
		}
	}
	// Held from before the old content is read until the new one is in place (see held).
	h, err := openForWriteWait(fp, attempt == 1)
	if err != nil {
		return writeError(err, fp)
	}
	var prefix, suffix []string
	if h != nil {
		defer h.close()
		h.lastTry = attempt >= maxAttempts
		var ok bool
		if start == 0 && end == -1 {
			// Above the read bound the old content is not checked (the reference would have
			// to hold it all to decode it): reading it would only hold the action for minutes.
			ok = s.cfg.MaxReadBytes >= 0 && h.fi.Size() > s.cfg.MaxReadBytes
			if !ok {
				ok, err = validUTF8(h.f)
			}
		} else {
			var data []byte
			data, err = h.read(s.cfg.MaxReadBytes)
			if ok = utf8.Valid(data); ok {
				old := splitKeepEnds(universalNewlines(string(data)))
				if start != 0 {
					prefix = pySliceTo(old, start)
				}
				if end != -1 {
					suffix = pySliceFrom(old, end)
				}
			}
		}
		if errors.Is(err, errFileTooLarge) {
			return WriteResult{}, s.tooLargeToRead(fp)
		}
		if err != nil {
			return writeError(err, fp)
		}
		if !ok {
			return WriteResult{}, toolText("File could not be decoded as utf-8: " + fp)
		}
	}
	c := func(w io.Writer) error {
		for _, l := range prefix {
			if _, err := io.WriteString(w, l); err != nil {
				return err
			}
		}
		if err := src(w); err != nil {
			return err
		}
		if _, err := io.WriteString(w, "\n"); err != nil {
			return err
		}
		for _, l := range suffix {
			if _, err := io.WriteString(w, l); err != nil {
				return err
			}
		}
		return nil
	}
	if h != nil {
		if err = h.write(fp, c); errors.Is(err, errChanged) {
			return WriteResult{}, err
		}
	} else {
		err = withPath(createFile(resolveTarget(fp), c, s.cfg.Owner), fp)
	}
	var ce *errChown
	if errors.As(err, &ce) {
		return WriteResult{}, toolText("File " + fp + " written, but failed to change ownership and permissions: " + pyOSError(ce.err))
	}
	if err != nil {
		return writeError(err, fp)
	}
	return WriteResult{Path: fp}, nil
}

// validUTF8 reports whether the file is valid UTF-8 from its start, reading it in chunks.
func validUTF8(f *os.File) (bool, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return false, err
	}
	buf := make([]byte, 256<<10)
	carry := 0 // bytes of an incomplete character kept from the last chunk
	for {
		n, err := f.Read(buf[carry:])
		n += carry
		end := n
		if err == nil {
			// Hold back a character cut at the chunk's end.
			for i := n - 1; i >= 0 && i >= n-utf8.UTFMax; i-- {
				if utf8.RuneStart(buf[i]) {
					if !utf8.FullRune(buf[i:n]) {
						end = i
					}
					break
				}
			}
		}
		if !utf8.Valid(buf[:end]) {
			return false, nil
		}
		carry = copy(buf, buf[end:n])
		if err == io.EOF {
			return carry == 0, nil
		}
		if err != nil {
			return false, err
		}
	}
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
