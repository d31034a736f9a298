package files

import (
	"strings"

	"github.com/gohands/gohands/internal/pycompat"
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

// The Python-compatibility helpers live in internal/py; these names keep this package's
// call sites short.
func pyStrRepr(s string) string    { return pycompat.StrRepr(s) }
func pyFloatRepr(f float64) string { return pycompat.FloatRepr(f) }
func pyIsSpace(r rune) bool        { return pycompat.IsSpace(r) }
func pyStrip(s string) string      { return pycompat.Strip(s) }
func pyOSError(err error) string   { return pycompat.OSError(err) }
func pyCharEscape(r rune) string   { return pycompat.CharEscape(r) }
