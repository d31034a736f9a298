package swerex

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonError is a Python json.JSONDecodeError: msg and the character position FastAPI
// reports in its json_invalid answer.
type jsonError struct {
	msg string
	pos int // in characters, as Python counts
}

// parsePyJSON parses a request body as Python's json.loads does (NaN and Infinity
// included), with the same error messages and positions, because FastAPI puts both in its
// 422 answer. Numbers come back as float64 or int64 (for integers that fit).
func parsePyJSON(s string) (v any, err *jsonError) {
	p := &pyParser{s: s}
	defer func() {
		if r := recover(); r != nil {
			je, ok := r.(*jsonError)
			if !ok {
				panic(r)
			}
			je.pos = utf8.RuneCountInString(s[:je.pos])
			v, err = nil, je
		}
	}()
	p.ws()
	v = p.value()
	p.ws()
	if p.i < len(s) {
		panic(&jsonError{"Extra data", p.i})
	}
	return v, nil
}

type pyParser struct {
	s     string
	i     int
	depth int
}

func (p *pyParser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *pyParser) fail(msg string, at int) { panic(&jsonError{msg, at}) }

func (p *pyParser) value() any {
	if p.i >= len(p.s) {
		p.fail("Expecting value", p.i)
	}
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 1000 {
		p.fail("Expecting value", p.i) // Python raises RecursionError; a request this deep is malformed
	}
	switch c := p.s[p.i]; {
	case c == '"':
		return p.str()
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case strings.HasPrefix(p.s[p.i:], "null"):
		p.i += 4
		return nil
	case strings.HasPrefix(p.s[p.i:], "true"):
		p.i += 4
		return true
	case strings.HasPrefix(p.s[p.i:], "false"):
		p.i += 5
		return false
	case strings.HasPrefix(p.s[p.i:], "NaN"):
		p.i += 3
		return nanValue()
	case strings.HasPrefix(p.s[p.i:], "Infinity"):
		p.i += 8
		return infValue(1)
	case strings.HasPrefix(p.s[p.i:], "-Infinity"):
		p.i += 9
		return infValue(-1)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	p.fail("Expecting value", p.i)
	return nil
}

func (p *pyParser) number() any {
	start := p.i
	j := p.i
	if p.s[j] == '-' {
		j++
	}
	if j >= len(p.s) || p.s[j] < '0' || p.s[j] > '9' {
		p.fail("Expecting value", start)
	}
	if p.s[j] == '0' {
		j++
	} else {
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
	}
	isFloat := false
	if j+1 < len(p.s) && p.s[j] == '.' && p.s[j+1] >= '0' && p.s[j+1] <= '9' {
		isFloat = true
		j += 2
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
	}
	if j < len(p.s) && (p.s[j] == 'e' || p.s[j] == 'E') {
		k := j + 1
		if k < len(p.s) && (p.s[k] == '+' || p.s[k] == '-') {
			k++
		}
		if k < len(p.s) && p.s[k] >= '0' && p.s[k] <= '9' {
			isFloat = true
			for k < len(p.s) && p.s[k] >= '0' && p.s[k] <= '9' {
				k++
			}
			j = k
		}
	}
	p.i = j
	text := p.s[start:j]
	if !isFloat {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return n
		}
	}
	f, _ := strconv.ParseFloat(text, 64)
	return f
}

func (p *pyParser) str() string {
	start := p.i
	p.i++
	var b strings.Builder
	for {
		if p.i >= len(p.s) {
			p.fail("Unterminated string starting at", start)
		}
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String()
		case c == '\\':
			p.i++
			if p.i >= len(p.s) {
				p.fail("Unterminated string starting at", start)
			}
			e := p.s[p.i]
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r := p.hex4(p.i - 1)
				if utf16.IsSurrogate(r) && r < 0xdc00 && strings.HasPrefix(p.s[p.i+1:], `\u`) {
					save := p.i
					p.i += 2
					r2 := p.hex4(p.i - 1)
					if r2 >= 0xdc00 && r2 <= 0xdfff {
						r = utf16.DecodeRune(r, r2)
					} else {
						p.i = save
					}
				}
				b.WriteRune(r)
			default:
				p.fail(fmt.Sprintf("Invalid \\escape: %s", pyReprChar(p.s[p.i:])), p.i-1)
			}
			p.i++
		case c < 0x20:
			p.fail("Invalid control character at", p.i)
		default:
			b.WriteByte(c)
			p.i++
		}
	}
}

// hex4 reads the XXXX of \uXXXX (p.i is at 'u'); at is the backslash, for the error.
func (p *pyParser) hex4(at int) rune {
	if p.i+5 > len(p.s) {
		p.fail("Invalid \\uXXXX escape", at)
	}
	n, err := strconv.ParseUint(p.s[p.i+1:p.i+5], 16, 32)
	if err != nil || strings.ContainsAny(p.s[p.i+1:p.i+5], "+-") {
		p.fail("Invalid \\uXXXX escape", at)
	}
	p.i += 4
	return rune(n)
}

func pyReprChar(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	return pyRepr(string(r))
}

func (p *pyParser) object() map[string]any {
	p.i++
	m := map[string]any{}
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return m
	}
	for {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			p.fail("Expecting property name enclosed in double quotes", p.i)
		}
		k := p.str()
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			p.fail("Expecting ':' delimiter", p.i)
		}
		p.i++
		p.ws()
		m[k] = p.value()
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return m
		}
		if p.i >= len(p.s) || p.s[p.i] != ',' {
			p.fail("Expecting ',' delimiter", p.i)
		}
		p.i++
		p.ws()
	}
}

func (p *pyParser) array() []any {
	p.i++
	a := []any{}
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return a
	}
	for {
		a = append(a, p.value())
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			return a
		}
		if p.i >= len(p.s) || p.s[p.i] != ',' {
			p.fail("Expecting ',' delimiter", p.i)
		}
		p.i++
		p.ws()
	}
}
