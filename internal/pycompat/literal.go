package pycompat

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

var errLiteral = errors.New("malformed node or string")

// LiteralEvalDict is ast.literal_eval of a dict display, for the values JSON can carry: str
// (quoted either way, triple-quoted, r/u prefixes, adjacent literals joined), int, float,
// True/False/None, lists, tuples (as lists) and dicts with str keys. Anything else (bytes,
// complex, sets, other key types) is an error, as a text literal_eval rejects is.
func LiteralEvalDict(s string) (*Dict, error) {
	p := &litParser{s: s}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, errLiteral
	}
	d, ok := v.(*Dict)
	if !ok {
		return nil, errLiteral
	}
	return d, nil
}

type litParser struct {
	s string
	i int
}

func (p *litParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r', '\f':
			p.i++
		case '\\':
			if strings.HasPrefix(p.s[p.i:], "\\\n") {
				p.i += 2
				continue
			}
			return
		case '#':
			for p.i < len(p.s) && p.s[p.i] != '\n' {
				p.i++
			}
		default:
			return
		}
	}
}

func (p *litParser) value() (Value, error) {
	p.space()
	if p.i >= len(p.s) {
		return nil, errLiteral
	}
	c := p.s[p.i]
	switch {
	case c == '{':
		p.i++
		d := NewDict()
		for {
			p.space()
			if p.i < len(p.s) && p.s[p.i] == '}' {
				p.i++
				return d, nil
			}
			k, err := p.value()
			if err != nil {
				return nil, err
			}
			ks, ok := k.(string)
			if !ok {
				return nil, errLiteral
			}
			p.space()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return nil, errLiteral
			}
			p.i++
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			d.Set(ks, v)
			if !p.sep('}') {
				return nil, errLiteral
			}
		}
	case c == '[' || c == '(':
		end := byte(']')
		if c == '(' {
			end = ')'
		}
		p.i++
		l := []Value{}
		for {
			p.space()
			if p.i < len(p.s) && p.s[p.i] == end {
				p.i++
				if end == ')' && len(l) == 1 && !strings.HasSuffix(strings.TrimRight(p.s[:p.i-1], " \t\n\r\f"), ",") {
					return l[0], nil // (x) is x, not a tuple
				}
				return l, nil
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			l = append(l, v)
			if !p.sep(end) {
				return nil, errLiteral
			}
		}
	case c == '\'' || c == '"':
		return p.strings()
	case c == 'r' || c == 'R' || c == 'u' || c == 'U':
		if p.i+1 < len(p.s) && (p.s[p.i+1] == '\'' || p.s[p.i+1] == '"') {
			return p.strings()
		}
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		return p.number()
	}
	for _, w := range []struct {
		word string
		v    Value
	}{{"True", true}, {"False", false}, {"None", nil}} {
		if strings.HasPrefix(p.s[p.i:], w.word) && !identByte(p.s, p.i+len(w.word)) {
			p.i += len(w.word)
			return w.v, nil
		}
	}
	return nil, errLiteral
}

// sep consumes "," or sees the closing delimiter.
func (p *litParser) sep(end byte) bool {
	p.space()
	if p.i >= len(p.s) {
		return false
	}
	if p.s[p.i] == ',' {
		p.i++
		return true
	}
	return p.s[p.i] == end
}

func identByte(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	c := s[i]
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// strings reads one or more adjacent string literals and joins them.
func (p *litParser) strings() (Value, error) {
	var b strings.Builder
	n := 0
	for {
		p.space()
		if p.i >= len(p.s) {
			break
		}
		raw := false
		j := p.i
		if c := p.s[j]; c == 'r' || c == 'R' || c == 'u' || c == 'U' {
			raw = c == 'r' || c == 'R'
			j++
		}
		if j >= len(p.s) || (p.s[j] != '\'' && p.s[j] != '"') {
			break
		}
		s, next, err := readStr(p.s, j, raw)
		if err != nil {
			return nil, err
		}
		b.WriteString(s)
		p.i = next
		n++
	}
	if n == 0 {
		return nil, errLiteral
	}
	return b.String(), nil
}

func readStr(s string, i int, raw bool) (string, int, error) {
	q := s[i : i+1]
	if strings.HasPrefix(s[i:], q+q+q) {
		q = q + q + q
	}
	i += len(q)
	var b strings.Builder
	for i < len(s) {
		if strings.HasPrefix(s[i:], q) {
			return b.String(), i + len(q), nil
		}
		c := s[i]
		if c == '\n' && len(q) == 1 {
			return "", 0, errLiteral
		}
		if c != '\\' {
			r, size := utf8.DecodeRuneInString(s[i:])
			b.WriteRune(r)
			i += size
			continue
		}
		if i+1 >= len(s) {
			return "", 0, errLiteral
		}
		if raw {
			b.WriteString(s[i : i+2])
			i += 2
			continue
		}
		e := s[i+1]
		i += 2
		switch e {
		case '\n':
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'a':
			b.WriteByte('\a')
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
		case 'v':
			b.WriteByte('\v')
		case 'x', 'u', 'U':
			width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+width > len(s) {
				return "", 0, errLiteral
			}
			n, err := strconv.ParseUint(s[i:i+width], 16, 32)
			if err != nil || n > utf8.MaxRune {
				return "", 0, errLiteral
			}
			b.WriteRune(rune(n))
			i += width
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i - 1
			for i < len(s) && i-j < 3 && s[i] >= '0' && s[i] <= '7' {
				i++
			}
			n, _ := strconv.ParseUint(s[j:i], 8, 32)
			b.WriteRune(rune(n))
		default:
			b.WriteByte('\\') // an unknown escape stays as written
			b.WriteByte(e)
		}
	}
	return "", 0, errLiteral
}

func (p *litParser) number() (Value, error) {
	neg := false
	for p.i < len(p.s) && (p.s[p.i] == '-' || p.s[p.i] == '+') {
		if p.s[p.i] == '-' {
			neg = !neg
		}
		p.i++
		p.space()
	}
	j := p.i
	for p.i < len(p.s) && (identByte(p.s, p.i) || p.s[p.i] == '.' ||
		((p.s[p.i] == '-' || p.s[p.i] == '+') && p.i > j && (p.s[p.i-1] == 'e' || p.s[p.i-1] == 'E'))) {
		p.i++
	}
	lit := p.s[j:p.i]
	if lit == "" || strings.Contains(lit, "__") || strings.HasSuffix(lit, "_") || strings.ContainsAny(lit, "jJ") {
		return nil, errLiteral
	}
	clean := strings.ReplaceAll(lit, "_", "")
	sign := ""
	if neg {
		sign = "-"
	}
	lower := strings.ToLower(clean)
	if strings.HasPrefix(lower, "0x") || strings.HasPrefix(lower, "0o") || strings.HasPrefix(lower, "0b") {
		n, err := strconv.ParseInt(sign+clean, 0, 64)
		if err != nil {
			return nil, errLiteral
		}
		return Int(strconv.FormatInt(n, 10)), nil
	}
	if !strings.ContainsAny(lower, ".e") {
		if len(clean) > 1 && clean[0] == '0' && strings.Trim(clean, "0") != "" {
			return nil, errLiteral // 012 is a syntax error
		}
		digits := strings.TrimLeft(clean, "0")
		if digits == "" {
			return Int("0"), nil
		}
		for _, c := range digits {
			if c < '0' || c > '9' {
				return nil, errLiteral
			}
		}
		return Int(sign + digits), nil
	}
	f, err := strconv.ParseFloat(sign+clean, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, errLiteral
	}
	return Float(f), nil
}
