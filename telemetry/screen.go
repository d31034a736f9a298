package telemetry

import (
	"strings"
	"unicode/utf8"
)

// screenText turns a chunk of terminal output into the text a screen shows: escape sequences
// (colours, cursor moves, titles) removed, CR LF as LF, a lone CR (a progress bar redrawing
// its line) as LF, other control characters dropped, invalid UTF-8 replaced.
func screenText(p []byte) string {
	var b strings.Builder
	b.Grow(len(p))
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == 0x1b:
			i = skipEscape(p, i)
			continue
		case c == '\r':
			if i+1 < len(p) && p[i+1] == '\n' {
				i++
			}
			b.WriteByte('\n')
		case c == '\n' || c == '\t':
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
		case c < utf8.RuneSelf:
			b.WriteByte(c)
		default:
			r, n := utf8.DecodeRune(p[i:])
			b.WriteRune(r) // RuneError for invalid bytes
			i += n
			continue
		}
		i++
	}
	return b.String()
}

// skipEscape returns the index after the escape sequence starting at p[i] (ESC).
func skipEscape(p []byte, i int) int {
	i++
	if i >= len(p) {
		return i
	}
	switch p[i] {
	case '[': // CSI: parameters, then a final byte 0x40–0x7e
		for i++; i < len(p); i++ {
			if p[i] >= 0x40 && p[i] <= 0x7e {
				return i + 1
			}
		}
		return i
	case ']', 'P', '_', '^': // OSC, DCS, APC, PM: up to BEL or ESC \
		for i++; i < len(p); i++ {
			if p[i] == 0x07 {
				return i + 1
			}
			if p[i] == 0x1b && i+1 < len(p) && p[i+1] == '\\' {
				return i + 2
			}
		}
		return i
	case '(', ')', '*', '+': // charset designation: one more byte
		return min(i+2, len(p))
	}
	return i + 1
}
