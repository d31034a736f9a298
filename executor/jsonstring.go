package executor

import (
	"encoding/binary"
	"unicode/utf8"
	"unsafe"
)

// appendJSONString appends s as a JSON string exactly as encoding/json encodes it with HTML
// escaping off (as Python leaves <, > and & alone): runs of safe bytes are copied whole, so a
// 10 MB file's content is encoded at memory speed into a buffer sized once.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	bs := unsafe.Slice(unsafe.StringData(s), len(s)) // read only
	for i := 0; i < len(s); {
		// Eight plain bytes at a time (no control, quote, backslash or non-ASCII byte).
		for i+8 <= len(s) && plain8(binary.LittleEndian.Uint64(bs[i:])) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		// U+2028 and U+2029 are escaped by encoding/json (JSONP safety).
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// plain8 reports whether none of the eight bytes of x needs escaping or is non-ASCII.
func plain8(x uint64) bool {
	hasZero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	return (x&highs)|((x-0x20*ones)&^x&highs)|hasZero(x^('"'*ones))|hasZero(x^('\\'*ones)) == 0
}
