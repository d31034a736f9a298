package files

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"

	"github.com/gohands/gohands/internal/pycompat"
)

// ReadResult is the outcome of a default `read`. An error observation is a Tool fault.
type ReadResult struct {
	Content string
	Path    string
}

// Resolve is the reference's _resolve_path: relative paths join the shell's cwd, and the
// result is normalised as pathlib does.
func Resolve(p, cwd string) string {
	if pyIsAbs(p) {
		return pycompat.PurePosixPath(p)
	}
	return pyJoin(cwd, p)
}

var dataURLTypes = map[string]string{
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".bmp": "image/bmp", ".gif": "image/gif",
	".pdf": "application/pdf",
	".mp4": "video/mp4", ".webm": "video/webm", ".ogg": "audio/ogg",
}

// Read is the default `read` action: images, PDFs and videos come back as data URLs,
// anything else as UTF-8 text sliced with read_lines(start, end). An unexpected failure
// (permission denied) is returned as an error; the reference lets it escape as HTTP 500.
func (s *Service) Read(p, cwd string, start, end int) (ReadResult, error) {
	fp := Resolve(p, cwd)
	lower := strings.ToLower(fp)
	for ext, mime := range dataURLTypes {
		if strings.HasSuffix(lower, ext) {
			data, err := readRegular(fp, s.cfg.MaxReadBytes)
			if err != nil {
				return s.readError(err, fp, cwd)
			}
			return ReadResult{Content: "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(data), Path: fp}, nil
		}
	}
	data, err := readRegular(fp, s.cfg.MaxReadBytes)
	if err != nil {
		return s.readError(err, fp, cwd)
	}
	text, err := utf8View(data) // no copy: data is not used again
	if err != nil {
		return ReadResult{}, toolText("File could not be decoded as utf-8: " + fp + ".")
	}
	return ReadResult{Content: sliceLines(universalNewlines(text), start, end), Path: fp}, nil
}

func (s *Service) readError(err error, fp, cwd string) (ReadResult, error) {
	switch {
	case errors.Is(err, errFileTooLarge):
		return ReadResult{}, s.tooLargeToRead(fp)
	case errors.Is(err, fs.ErrNotExist):
		return ReadResult{}, toolText("File not found: " + fp + ". Your current working directory is " + cwd + ".")
	case errors.Is(err, syscall.EISDIR):
		return ReadResult{}, toolText("Path is a directory: " + fp + ". You can only read files")
	}
	if m, ok := isNotRegular(err); ok {
		return ReadResult{}, toolText("Path is " + fileKind(m) + ", not a regular file: " + fp + ". You can only read files")
	}
	return ReadResult{}, errors.New(pyOSError(err))
}

// tooLargeToRead refuses a file above MaxReadBytes (the reference reads any size, and a huge
// one takes the server's memory).
func (s *Service) tooLargeToRead(fp string) error {
	return toolText(fmt.Sprintf("File is too large to read: %s (more than %d bytes). Read parts of it with a command (head, tail, sed -n).",
		fp, s.cfg.MaxReadBytes))
}

// splitKeepEnds is file.readlines(): lines with their "\n".
func splitKeepEnds(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// sliceLines is strings.Join(readLines(splitKeepEnds(text), start, end), "") without
// splitting the text into lines or copying it: the result is a substring of text.
func sliceLines(text string, start, end int) string {
	if start <= 0 && end == -1 {
		return text
	}
	n := strings.Count(text, "\n")
	if text != "" && text[len(text)-1] != '\n' {
		n++
	}
	from, to := readLinesRange(n, start, end)
	return text[lineOffset(text, from):lineOffset(text, to)]
}

// lineOffset is the byte offset of line i (0-based; i == number of lines is the end).
func lineOffset(text string, i int) int {
	off := 0
	for ; i > 0; i-- {
		j := strings.IndexByte(text[off:], '\n')
		if j < 0 {
			return len(text)
		}
		off += j + 1
	}
	return off
}

// readLines is the reference's read_lines(all_lines, start, end), odd clamping included:
// 0-based, end exclusive, -1 meaning "to the end", and a start past the second-to-last
// line pulled back when an end is given.
func readLines(all []string, start, end int) []string {
	from, to := readLinesRange(len(all), start, end)
	return all[from:to]
}

// readLinesRange is readLines on n lines, as the range of lines it keeps.
func readLinesRange(n, start, end int) (int, int) {
	start = min(max(start, 0), n)
	if end != -1 {
		end = min(max(end, 0), n)
	}
	if end == -1 {
		return start, n
	}
	begin := max(0, min(start, n-2))
	end = max(begin+1, end)
	if end > n {
		end = n
	}
	if begin > n {
		begin = n
	}
	return begin, end
}
