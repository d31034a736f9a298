package pycompat

import (
	"strings"
	"unicode/utf8"
)

// JSONError is where and why Python 3.12's json.loads rejects s: the JSONDecodeError's pos (a
// character index) and msg. ok is false when json.loads accepts s (it also takes NaN, Infinity
// and -Infinity, which Go's decoder refuses).
func JSONError(s string) (pos int, msg string, ok bool) {
	r := []rune(s)
	p := &jsonScan{s: r}
	i := p.ws(0)
	end, err := p.value(i)
	if err != nil {
		return err.pos, err.msg, true
	}
	if end = p.ws(end); end != len(r) {
		return end, "Extra data", true
	}
	return 0, "", false
}

type jsonErr struct {
	pos int
	msg string
}

type jsonScan struct{ s []rune }

func (p *jsonScan) ws(i int) int {
	for i < len(p.s) && (p.s[i] == ' ' || p.s[i] == '\t' || p.s[i] == '\n' || p.s[i] == '\r') {
		i++
	}
	return i
}

func (p *jsonScan) has(i int, lit string) bool {
	return i+utf8.RuneCountInString(lit) <= len(p.s) && string(p.s[i:i+utf8.RuneCountInString(lit)]) == lit
}

// value is scan_once: the end of the value starting at i.
func (p *jsonScan) value(i int) (int, *jsonErr) {
	expecting := &jsonErr{i, "Expecting value"}
	if i >= len(p.s) {
		return 0, expecting
	}
	switch c := p.s[i]; {
	case c == '"':
		return p.str(i + 1)
	case c == '{':
		return p.object(i + 1)
	case c == '[':
		return p.array(i + 1)
	case c == 'n' && p.has(i, "null"):
		return i + 4, nil
	case c == 't' && p.has(i, "true"):
		return i + 4, nil
	case c == 'f' && p.has(i, "false"):
		return i + 5, nil
	case c == 'N' && p.has(i, "NaN"):
		return i + 3, nil
	case c == 'I' && p.has(i, "Infinity"):
		return i + 8, nil
	case c == '-' && p.has(i, "-Infinity"):
		return i + 9, nil
	case c == '-' || c >= '0' && c <= '9':
		return p.number(i, expecting)
	}
	return 0, expecting
}

// number matches (-?(?:0|[1-9]\d*))(\.\d+)?([eE][-+]?\d+)? at i.
func (p *jsonScan) number(i int, fail *jsonErr) (int, *jsonErr) {
	digit := func(j int) bool { return j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' }
	j := i
	if p.s[j] == '-' {
		j++
	}
	switch {
	case j < len(p.s) && p.s[j] == '0':
		j++
	case digit(j):
		for digit(j) {
			j++
		}
	default:
		return 0, fail
	}
	if j < len(p.s) && p.s[j] == '.' && digit(j+1) {
		j++
		for digit(j) {
			j++
		}
	}
	if j < len(p.s) && (p.s[j] == 'e' || p.s[j] == 'E') {
		k := j + 1
		if k < len(p.s) && (p.s[k] == '+' || p.s[k] == '-') {
			k++
		}
		if digit(k) {
			for digit(k) {
				k++
			}
			j = k
		}
	}
	return j, nil
}

// str is scanstring (strict): i is just after the opening quote.
func (p *jsonScan) str(i int) (int, *jsonErr) {
	begin := i - 1
	for {
		if i >= len(p.s) {
			return 0, &jsonErr{begin, "Unterminated string starting at"}
		}
		c := p.s[i]
		switch {
		case c == '"':
			return i + 1, nil
		case c < 0x20:
			return 0, &jsonErr{i, "Invalid control character at"}
		case c != '\\':
			i++
			continue
		}
		i++ // the backslash
		if i >= len(p.s) {
			return 0, &jsonErr{begin, "Unterminated string starting at"}
		}
		if e := p.s[i]; e != 'u' {
			if !strings.ContainsRune(`"\/bfnrt`, e) {
				return 0, &jsonErr{i - 1, `Invalid \escape`}
			}
			i++
			continue
		}
		i++
		if i+4 >= len(p.s) {
			return 0, &jsonErr{i - 1, `Invalid \uXXXX escape`}
		}
		for k := i; k < i+4; k++ {
			if !strings.ContainsRune("0123456789abcdefABCDEF", p.s[k]) {
				return 0, &jsonErr{i - 1, `Invalid \uXXXX escape`}
			}
		}
		i += 4
	}
}

func (p *jsonScan) object(i int) (int, *jsonErr) {
	i = p.ws(i)
	if i < len(p.s) && p.s[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(p.s) || p.s[i] != '"' {
			return 0, &jsonErr{i, "Expecting property name enclosed in double quotes"}
		}
		end, err := p.str(i + 1)
		if err != nil {
			return 0, err
		}
		i = p.ws(end)
		if i >= len(p.s) || p.s[i] != ':' {
			return 0, &jsonErr{i, "Expecting ':' delimiter"}
		}
		i = p.ws(i + 1)
		if i, err = p.value(i); err != nil {
			return 0, err
		}
		i = p.ws(i)
		if i < len(p.s) && p.s[i] == '}' {
			return i + 1, nil
		}
		if i >= len(p.s) || p.s[i] != ',' {
			return 0, &jsonErr{i, "Expecting ',' delimiter"}
		}
		i = p.ws(i + 1)
	}
}

func (p *jsonScan) array(i int) (int, *jsonErr) {
	i = p.ws(i)
	if i < len(p.s) && p.s[i] == ']' {
		return i + 1, nil
	}
	for {
		var err *jsonErr
		if i, err = p.value(i); err != nil {
			return 0, err
		}
		i = p.ws(i)
		if i < len(p.s) && p.s[i] == ']' {
			return i + 1, nil
		}
		if i >= len(p.s) || p.s[i] != ',' {
			return 0, &jsonErr{i, "Expecting ',' delimiter"}
		}
		i = p.ws(i + 1)
	}
}

// BytesRepr is Python's repr of a bytes object.
func BytesRepr(b []byte) string {
	q := byte('\'')
	if strings.IndexByte(string(b), '\'') >= 0 && strings.IndexByte(string(b), '"') < 0 {
		q = '"'
	}
	var out strings.Builder
	out.WriteString("b")
	out.WriteByte(q)
	for _, c := range b {
		switch {
		case c == '\\' || c == q:
			out.WriteByte('\\')
			out.WriteByte(c)
		case c == '\t':
			out.WriteString(`\t`)
		case c == '\n':
			out.WriteString(`\n`)
		case c == '\r':
			out.WriteString(`\r`)
		case c < 0x20 || c >= 0x7f:
			out.WriteString(`\x` + hex2(int(c)))
		default:
			out.WriteByte(c)
		}
	}
	out.WriteByte(q)
	return out.String()
}
