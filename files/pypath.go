package files

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"
)

// pyPath normalises a path string as Python's pathlib.PurePosixPath does, because the
// reference uses that string in every message and as the undo-history key: repeated
// slashes collapse (but exactly two leading slashes stay), "." parts go, ".." stays, a
// trailing slash goes, and "" becomes ".".
func pyPath(p string) string {
	root := ""
	switch {
	case strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "///"):
		root = "//"
	case strings.HasPrefix(p, "/"):
		root = "/"
	}
	var parts []string
	for _, s := range strings.Split(p, "/") {
		if s == "" || s == "." {
			continue
		}
		parts = append(parts, s)
	}
	if root == "" && len(parts) == 0 {
		return "."
	}
	return root + strings.Join(parts, "/")
}

// pyJoin is str(Path(base) / p).
func pyJoin(base, p string) string {
	if strings.HasPrefix(p, "/") {
		return pyPath(p)
	}
	return pyPath(base + "/" + p)
}

func pyIsAbs(p string) bool { return strings.HasPrefix(p, "/") }

// pySuffix is PurePath.suffix.
func pySuffix(p string) string {
	name := p
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		name = p[i+1:]
	}
	i := strings.LastIndexByte(name, '.')
	if i > 0 && i < len(name)-1 {
		return name[i:]
	}
	return ""
}

// pyStrRepr renders s as Python's repr(str).
func pyStrRepr(s string) string {
	q := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			b.WriteString(`\x` + hex2(int(r)))
		case r == utf8.RuneError || !unicode.IsPrint(r) && r != ' ':
			b.WriteString(pyCharEscape(r))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

func hex2(n int) string {
	s := strconv.FormatInt(int64(n), 16)
	if len(s) < 2 {
		s = "0" + s
	}
	return s
}

// pyCharEscape is the escape Python uses for one character in error texts.
func pyCharEscape(r rune) string {
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

// pyFloatRepr is Python's repr(float).
func pyFloatRepr(f float64) string {
	if math.IsInf(f, 0) {
		if f > 0 {
			return "inf"
		}
		return "-inf"
	}
	if math.IsNaN(f) {
		return "nan"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddddde±XX
	mant, expS, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expS)
	if exp >= -4 && exp < 16 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.ContainsAny(s, ".") {
			s += ".0"
		}
		return s
	}
	sign := "+"
	if exp < 0 {
		sign = "-"
		exp = -exp
	}
	es := strconv.Itoa(exp)
	if len(es) < 2 {
		es = "0" + es
	}
	return mant + "e" + sign + es
}

// pyIsSpace is Python's str.isspace for one character (str.strip's set).
func pyIsSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, 0x85:
		return true
	}
	return r > 0x7f && unicode.IsSpace(r) || r == 0x1680 || r == 0x2028 || r == 0x2029 || r == 0x202f || r == 0x205f || r == 0x3000 || (r >= 0x2000 && r <= 0x200a)
}

func pyStrip(s string) string { return strings.TrimFunc(s, pyIsSpace) }

// errnoText gives the C library's message for an errno, as Python prints it.
func errnoText(e syscall.Errno) string {
	s := e.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// pyOSError renders err as Python's str(OSError): "[Errno 2] No such file or directory: '/x'".
func pyOSError(err error) string {
	var pe *fs.PathError
	var le *os.LinkError
	var errno syscall.Errno
	switch {
	case errors.As(err, &pe) && errors.As(pe.Err, &errno):
		return "[Errno " + strconv.Itoa(int(errno)) + "] " + errnoText(errno) + ": " + pyStrRepr(pe.Path)
	case errors.As(err, &le) && errors.As(le.Err, &errno):
		return "[Errno " + strconv.Itoa(int(errno)) + "] " + errnoText(errno) + ": " + pyStrRepr(le.Old) + " -> " + pyStrRepr(le.New)
	case errors.As(err, &errno):
		return "[Errno " + strconv.Itoa(int(errno)) + "] " + errnoText(errno)
	}
	return err.Error()
}
