package pycompat

import (
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// DecodeOwned is Decode for a buffer the caller hands over: strings are unescaped in place and
// alias data, so a request carrying a 60 MB file content holds it once (Decode's json.Decoder
// would copy it into its buffer and again into the string). data must not be used or changed
// afterwards, except through the returned values. An invalid document is left untouched and
// decoded by Decode, for its error.
func DecodeOwned(data []byte) (Value, error) {
	if !json.Valid(data) {
		return Decode(data)
	}
	p := &inPlace{b: data}
	v, err := p.value()
	if err != nil {
		// Cannot happen for valid JSON; data may be partly rewritten, so no fallback.
		return nil, err
	}
	return v, nil
}

// inPlace parses JSON that json.Valid accepted; it need not check the grammar again.
type inPlace struct {
	b []byte
	i int
}

var errInPlace = errors.New("pycompat: unexpected input in a validated document")

func (p *inPlace) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *inPlace) value() (Value, error) {
	p.ws()
	if p.i >= len(p.b) {
		return nil, errInPlace
	}
	switch c := p.b[p.i]; {
	case c == '{':
		p.i++
		d := NewDict()
		p.ws()
		if p.b[p.i] == '}' {
			p.i++
			return d, nil
		}
		for {
			p.ws()
			k, err := p.str()
			if err != nil {
				return nil, err
			}
			p.ws()
			p.i++ // ':'
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			d.Set(k, v)
			p.ws()
			if p.b[p.i] == ',' {
				p.i++
				continue
			}
			p.i++ // '}'
			return d, nil
		}
	case c == '[':
		p.i++
		l := []Value{}
		p.ws()
		if p.b[p.i] == ']' {
			p.i++
			return l, nil
		}
		for {
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			l = append(l, v)
			p.ws()
			if p.b[p.i] == ',' {
				p.i++
				continue
			}
			p.i++ // ']'
			return l, nil
		}
	case c == '"':
		return p.str()
	case c == 't':
		p.i += 4
		return true, nil
	case c == 'f':
		p.i += 5
		return false, nil
	case c == 'n':
		p.i += 4
		return nil, nil
	default:
		start := p.i
		for p.i < len(p.b) && strings.IndexByte("+-.0123456789eE", p.b[p.i]) >= 0 {
			p.i++
		}
		return number(string(p.b[start:p.i]))
	}
}

// str decodes the string literal at p.i in place, as encoding/json decodes it (an invalid
// UTF-8 byte or an unpaired surrogate becomes U+FFFD), and returns a string aliasing p.b. The
// decoded text never outgrows the literal (U+FFFD for one invalid byte is the exception, so
// those strings are copied instead).
func (p *inPlace) str() (string, error) {
	p.i++ // '"'
	start := p.i
	// The common case: no escape and valid UTF-8; nothing to rewrite.
	j := start
	for j < len(p.b) && p.b[j] != '"' && p.b[j] != '\\' {
		j++
	}
	if j < len(p.b) && p.b[j] == '"' && utf8.Valid(p.b[start:j]) {
		p.i = j + 1
		return alias(p.b[start:j]), nil
	}
	// Find the end first: with an invalid byte the text can grow, so decode out of place.
	end := start
	for end < len(p.b) && p.b[end] != '"' {
		if p.b[end] == '\\' {
			end++
		}
		end++
	}
	if end >= len(p.b) {
		return "", errInPlace
	}
	lit := p.b[start:end]
	p.i = end + 1
	if !utf8.Valid(lit) {
		out, err := unescape(make([]byte, 0, len(lit)+16), lit)
		return string(out), err
	}
	out, err := unescape(lit[:0], lit) // writes never overtake reads: an escape shrinks
	if err != nil {
		return "", err
	}
	return alias(out), nil
}

func alias(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// unescape appends the decoded literal s (without quotes) to dst; dst may be s[:0].
func unescape(dst, s []byte) ([]byte, error) {
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			if c < utf8.RuneSelf {
				dst = append(dst, c)
				i++
				continue
			}
			r, size := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			} else {
				dst = append(dst, s[i:i+size]...)
			}
			i += size
			continue
		}
		if i+1 >= len(s) {
			return nil, errInPlace
		}
		switch e := s[i+1]; e {
		case '"', '\\', '/':
			dst, i = append(dst, e), i+2
		case 'b':
			dst, i = append(dst, '\b'), i+2
		case 'f':
			dst, i = append(dst, '\f'), i+2
		case 'n':
			dst, i = append(dst, '\n'), i+2
		case 'r':
			dst, i = append(dst, '\r'), i+2
		case 't':
			dst, i = append(dst, '\t'), i+2
		case 'u':
			r, ok := hex4(s[i+2:])
			if !ok {
				return nil, errInPlace
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if len(s) >= i+6 && s[i] == '\\' && s[i+1] == 'u' {
					if r2, ok := hex4(s[i+2:]); ok {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							i += 6
							dst = utf8.AppendRune(dst, dec)
							continue
						}
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
		default:
			return nil, errInPlace
		}
	}
	return dst, nil
}

func hex4(s []byte) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r*16 + rune(c)
	}
	return r, true
}
