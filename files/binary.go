package files

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// IsBinary behaves like binaryornot 0.4.4's is_binary: ".pyc" names are binary; otherwise
// the first 1024 bytes decide. A file that cannot be opened counts as text, as there. It never
// blocks (binaryornot blocks for ever on a FIFO with no writer).
func IsBinary(path string) bool {
	if strings.HasSuffix(path, ".pyc") {
		return true
	}
	var buf [1024]byte
	n, err := readHead(path, buf[:])
	if err != nil {
		return false
	}
	return IsBinaryBytes(buf[:n])
}

// IsBinaryBytes is binaryornot's is_binary_string. Its chardet step ("decodes with a
// detected encoding of confidence > 0.9, other than ascii") is approximated by
// decodableWithConfidence.
func IsBinaryBytes(chunk []byte) bool {
	if len(chunk) == 0 {
		return false
	}
	control, low := 0, 0
	for _, c := range chunk {
		if !(c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\b' || (c >= 0x20 && c <= 0x7e)) {
			control++
		}
		if c < 0x7f {
			low++
		}
	}
	r1 := float64(control) / float64(len(chunk))
	r2 := float64(low) / float64(len(chunk))
	likelyBinary := (r1 > 0.3 && r2 < 0.05) || (r1 > 0.8 && r2 > 0.8)
	decodable := decodableWithConfidence(chunk)
	if likelyBinary {
		return !decodable
	}
	if decodable {
		return false
	}
	return bytes.IndexByte(chunk, 0) >= 0 || bytes.IndexByte(chunk, 0xff) >= 0
}

// decodableWithConfidence stands in for chardet: BOM-marked Unicode that decodes; UTF-8
// with at least four multi-byte characters (chardet's UTF-8 confidence passes 0.9 there);
// Windows-1251 Cyrillic text.
func decodableWithConfidence(chunk []byte) bool {
	enc := DetectEncoding(chunk)
	switch {
	case len(enc.bom) > 0:
		b := chunk
		if enc.kind == encUTF16 || enc.kind == encUTF32 {
			unit := 2
			if enc.kind == encUTF32 {
				unit = 4
			}
			b = b[:len(b)-len(b)%unit] // the chunk may cut a character
		}
		_, err := enc.Decode(b)
		return err == nil
	case enc.kind == encUTF8:
		multi := 0
		for i := 0; i < len(chunk); {
			r, n := utf8.DecodeRune(chunk[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			if n > 1 {
				multi++
			}
			i += n
		}
		return multi >= 4
	case enc.Name == "cp1251":
		return bytes.IndexByte(chunk, 0) < 0
	}
	return false
}
