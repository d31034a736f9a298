package files

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// detectSampleSize is how much of a file the reference's encoding detection reads.
const detectSampleSize = 1 << 20

type encKind int

const (
	encUTF8 encKind = iota
	encUTF16
	encUTF32
	encCharmap
	encLatin1
)

// Encoding is a text encoding of an existing file. Reads and writes of that file use it,
// so a Latin-1 or UTF-16 file keeps its encoding after an edit (as in the reference).
type Encoding struct {
	Name string // Python codec name, used in error texts
	kind encKind
	bom  []byte
	be   bool
	cm   *charmap.Charmap
}

var (
	encodingUTF8    = Encoding{Name: "utf-8", kind: encUTF8}
	encodingUTF8Sig = Encoding{Name: "utf-8-sig", kind: encUTF8, bom: []byte{0xEF, 0xBB, 0xBF}}
	encodingCP1251  = Encoding{Name: "cp1251", kind: encCharmap, cm: charmap.Windows1251}
	encodingCP1252  = Encoding{Name: "cp1252", kind: encCharmap, cm: charmap.Windows1252}
	encodingLatin1  = Encoding{Name: "latin-1", kind: encLatin1}
)

// DetectEncoding picks the encoding of a file from its first bytes. The reference asks
// charset_normalizer and falls back to UTF-8; this is a small deterministic stand-in
// that covers what agents meet: BOMs (UTF-8/16/32), UTF-8 (and ASCII), Windows-1251
// Cyrillic, and Windows-1252/Latin-1 for other single-byte text.
func DetectEncoding(sample []byte) Encoding {
	switch {
	case bytes.HasPrefix(sample, []byte{0xEF, 0xBB, 0xBF}):
		return encodingUTF8Sig
	case bytes.HasPrefix(sample, []byte{0xFF, 0xFE, 0, 0}):
		return Encoding{Name: "utf-32", kind: encUTF32, bom: []byte{0xFF, 0xFE, 0, 0}}
	case bytes.HasPrefix(sample, []byte{0, 0, 0xFE, 0xFF}):
		return Encoding{Name: "utf-32", kind: encUTF32, bom: []byte{0, 0, 0xFE, 0xFF}, be: true}
	case bytes.HasPrefix(sample, []byte{0xFF, 0xFE}):
		return Encoding{Name: "utf-16", kind: encUTF16, bom: []byte{0xFF, 0xFE}}
	case bytes.HasPrefix(sample, []byte{0xFE, 0xFF}):
		return Encoding{Name: "utf-16", kind: encUTF16, bom: []byte{0xFE, 0xFF}, be: true}
	}
	if validUTF8Prefix(sample) {
		return encodingUTF8
	}
	if looksCyrillic1251(sample) {
		return encodingCP1251
	}
	for _, c := range sample {
		if c >= 0x80 && c <= 0x9f && charmap.Windows1252.DecodeByte(c) == utf8.RuneError {
			return encodingLatin1 // a byte cp1252 leaves undefined
		}
	}
	return encodingCP1252
}

// validUTF8Prefix reports whether b is UTF-8, allowing a sequence cut at the end (b may be
// a sample of a longer file).
func validUTF8Prefix(b []byte) bool {
	if utf8.Valid(b) {
		return true
	}
	for cut := 1; cut <= 3 && cut <= len(b); cut++ {
		tail := b[len(b)-cut:]
		if tail[0] >= 0xC0 && !utf8.FullRune(tail) {
			return utf8.Valid(b[:len(b)-cut])
		}
	}
	return false
}

// looksCyrillic1251 reports whether the high bytes of b read as Windows-1251 Cyrillic
// words: letters (0xC0–0xFF, Ё/ё) that mostly stand next to other such letters. Latin-1
// text has its accented letters scattered among ASCII ones instead.
func looksCyrillic1251(b []byte) bool {
	isLetter := func(c byte) bool { return c >= 0xC0 || c == 0xA8 || c == 0xB8 }
	high, letters, paired := 0, 0, 0
	for i, c := range b {
		if c < 0x80 {
			continue
		}
		high++
		if !isLetter(c) {
			continue
		}
		letters++
		if (i > 0 && isLetter(b[i-1])) || (i+1 < len(b) && isLetter(b[i+1])) {
			paired++
		}
	}
	return high > 0 && letters*10 >= high*9 && paired*10 >= letters*7
}

// decodeError is a Python UnicodeDecodeError text.
func decodeError(codec string, b []byte, pos int, reason string) error {
	if pos < len(b) {
		return fmt.Errorf("'%s' codec can't decode byte 0x%02x in position %d: %s", codec, b[pos], pos, reason)
	}
	return fmt.Errorf("'%s' codec can't decode bytes in position %d-%d: %s", codec, pos, len(b)-1, reason)
}

// Decode turns file bytes into text.
func (e Encoding) Decode(b []byte) (string, error) {
	if len(e.bom) > 0 && bytes.HasPrefix(b, e.bom) {
		b = b[len(e.bom):]
	}
	switch e.kind {
	case encUTF8:
		if utf8.Valid(b) {
			return string(b), nil
		}
		return "", utf8Error(e.Name, b)
	case encUTF16:
		if len(b)%2 != 0 {
			return "", decodeError("utf-16-"+e.endian(), b, len(b)-1, "truncated data")
		}
		u := make([]uint16, len(b)/2)
		for i := range u {
			if e.be {
				u[i] = binary.BigEndian.Uint16(b[2*i:])
			} else {
				u[i] = binary.LittleEndian.Uint16(b[2*i:])
			}
		}
		for i := 0; i < len(u); i++ {
			switch c := u[i]; {
			case c >= 0xD800 && c < 0xDC00:
				if i+1 >= len(u) || u[i+1] < 0xDC00 || u[i+1] >= 0xE000 {
					return "", decodeError("utf-16-"+e.endian(), b, 2*i, "illegal UTF-16 surrogate")
				}
				i++
			case c >= 0xDC00 && c < 0xE000:
				return "", decodeError("utf-16-"+e.endian(), b, 2*i, "illegal encoding")
			}
		}
		return string(utf16.Decode(u)), nil
	case encUTF32:
		if len(b)%4 != 0 {
			return "", decodeError("utf-32-"+e.endian(), b, len(b)-len(b)%4, "truncated data")
		}
		var sb strings.Builder
		sb.Grow(len(b) / 4)
		for i := 0; i < len(b); i += 4 {
			var r uint32
			if e.be {
				r = binary.BigEndian.Uint32(b[i:])
			} else {
				r = binary.LittleEndian.Uint32(b[i:])
			}
			if r > utf8.MaxRune || (r >= 0xD800 && r < 0xE000) {
				return "", decodeError("utf-32-"+e.endian(), b, i, "code point not in range(0x110000)")
			}
			sb.WriteRune(rune(r))
		}
		return sb.String(), nil
	case encLatin1:
		var sb strings.Builder
		sb.Grow(len(b) + len(b)/8)
		for _, c := range b {
			sb.WriteRune(rune(c))
		}
		return sb.String(), nil
	default:
		var sb strings.Builder
		sb.Grow(len(b) + len(b)/2)
		for i, c := range b {
			if c < 0x80 {
				sb.WriteByte(c)
				continue
			}
			r := e.cm.DecodeByte(c)
			if r == utf8.RuneError {
				return "", decodeError("charmap", b, i, "character maps to <undefined>")
			}
			sb.WriteRune(r)
		}
		return sb.String(), nil
	}
}

func (e Encoding) endian() string {
	if e.be {
		return "be"
	}
	return "le"
}

func utf8Error(codec string, b []byte) error {
	i := 0
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || n > 1 {
			i += n
			continue
		}
		c := b[i]
		switch {
		case c < 0xC2 || c > 0xF4:
			return decodeError(codec, b, i, "invalid start byte")
		case !utf8.FullRune(b[i:]):
			return decodeError(codec, b, i, "unexpected end of data")
		default:
			return decodeError(codec, b, i, "invalid continuation byte")
		}
	}
	return fmt.Errorf("'%s' codec can't decode", codec)
}

// Encode turns text into file bytes, failing (with Python's text) on a character the
// encoding cannot represent.
func (e Encoding) Encode(s string) ([]byte, error) {
	if !utf8.ValidString(s) {
		// Only reachable from Go callers (JSON strings are valid); Python's text for the
		// lone surrogates such bytes would decode to.
		pos := 0
		for i, r := range s {
			if r == utf8.RuneError {
				if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
					codec := e.Name
					if e.kind == encCharmap {
						codec = "charmap"
					}
					return nil, fmt.Errorf("'%s' codec can't encode character '\\udc%02x' in position %d: surrogates not allowed", codec, s[i], pos)
				}
			}
			pos++
		}
	}
	out := make([]byte, 0, len(s)+len(e.bom))
	out = append(out, e.bom...)
	switch e.kind {
	case encUTF8:
		return append(out, s...), nil
	case encUTF16:
		for _, r := range s {
			var units []uint16
			if r >= 0x10000 {
				a, b := utf16.EncodeRune(r)
				units = []uint16{uint16(a), uint16(b)}
			} else {
				units = []uint16{uint16(r)}
			}
			for _, u := range units {
				if e.be {
					out = binary.BigEndian.AppendUint16(out, u)
				} else {
					out = binary.LittleEndian.AppendUint16(out, u)
				}
			}
		}
		return out, nil
	case encUTF32:
		for _, r := range s {
			if e.be {
				out = binary.BigEndian.AppendUint32(out, uint32(r))
			} else {
				out = binary.LittleEndian.AppendUint32(out, uint32(r))
			}
		}
		return out, nil
	case encLatin1:
		pos := 0
		for _, r := range s {
			if r > 0xff {
				return nil, fmt.Errorf("'latin-1' codec can't encode character '%s' in position %d: ordinal not in range(256)", pyCharEscape(r), pos)
			}
			out = append(out, byte(r))
			pos++
		}
		return out, nil
	default:
		pos := 0
		for _, r := range s {
			if r < 0x80 {
				out = append(out, byte(r))
			} else if c, ok := e.cm.EncodeRune(r); ok {
				out = append(out, c)
			} else {
				return nil, fmt.Errorf("'charmap' codec can't encode character '%s' in position %d: character maps to <undefined>", pyCharEscape(r), pos)
			}
			pos++
		}
		return out, nil
	}
}
