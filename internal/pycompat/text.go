package pycompat

import (
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"
)

// Texts of Python's OS errors, str.isspace and bytes.decode, for error messages and outputs
// that read exactly as the reference's.

// CharEscape is the escape Python uses for one character in error texts.
func CharEscape(r rune) string {
	h := strconv.FormatInt(int64(r), 16)
	switch {
	case r <= 0xff:
		return `\x` + strings.Repeat("0", 2-len(h)) + h
	case r <= 0xffff:
		return `\u` + strings.Repeat("0", 4-len(h)) + h
	default:
		return `\U` + strings.Repeat("0", 8-len(h)) + h
	}
}

// IsSpace is Python's str.isspace for one character (str.strip's set).
func IsSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, 0x85:
		return true
	}
	return r > 0x7f && unicode.IsSpace(r) || r == 0x1680 || r == 0x2028 || r == 0x2029 || r == 0x202f || r == 0x205f || r == 0x3000 || (r >= 0x2000 && r <= 0x200a)
}

func Strip(s string) string { return strings.TrimFunc(s, IsSpace) }

// ErrnoText gives the C library's message for an errno, as Python prints it.
func ErrnoText(e syscall.Errno) string {
	s := e.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// OSError renders err as Python's str(OSError): "[Errno 2] No such file or directory: '/x'".
func OSError(err error) string {
	var pe *fs.PathError
	var le *os.LinkError
	var errno syscall.Errno
	switch {
	case errors.As(err, &pe) && errors.As(pe.Err, &errno):
		return "[Errno " + strconv.Itoa(int(errno)) + "] " + ErrnoText(errno) + ": " + StrRepr(pe.Path)
	case errors.As(err, &le) && errors.As(le.Err, &errno):
		return "[Errno " + strconv.Itoa(int(errno)) + "] " + ErrnoText(errno) + ": " + StrRepr(le.Old) + " -> " + StrRepr(le.New)
	case errors.As(err, &errno):
		return "[Errno " + strconv.Itoa(int(errno)) + "] " + ErrnoText(errno)
	}
	return err.Error()
}

// DecodeUTF8Backslash is bytes.decode("utf-8", errors="backslashreplace"): every byte that
// is not part of a valid UTF-8 sequence becomes \xNN.
func DecodeUTF8Backslash(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			sb.WriteString(`\x` + hex2(int(b[0])))
			b = b[1:]
			continue
		}
		sb.Write(b[:n])
		b = b[n:]
	}
	return sb.String()
}
