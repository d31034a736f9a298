package files

import (
	"strings"

	"github.com/gohands/gohands/internal/pycompat"
)

// pyJoin is str(Path(base) / p).
func pyJoin(base, p string) string {
	if strings.HasPrefix(p, "/") {
		return pycompat.PurePosixPath(p)
	}
	return pycompat.PurePosixPath(base + "/" + p)
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

// The Python-compatibility helpers live in internal/pycompat; these names keep this package's
// call sites short.
func pyStrRepr(s string) string  { return pycompat.StrRepr(s) }
func pyIsSpace(r rune) bool      { return pycompat.IsSpace(r) }
func pyStrip(s string) string    { return pycompat.Strip(s) }
func pyOSError(err error) string { return pycompat.OSError(err) }
func pyCharEscape(r rune) string { return pycompat.CharEscape(r) }
