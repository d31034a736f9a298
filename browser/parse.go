package browser

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gohands/gohands/internal/pycompat"
)

// The BrowserGym action language: Python-style calls with literal arguments, found the way
// BrowserGym's pyparsing grammar finds them (search mode: text between calls is skipped,
// `#` comments are ignored). Nothing is ever evaluated.

// Value is a parsed literal: string, int64, float64, bool, nil, []Value (list or tuple) or
// *pycompat.Dict (dict: keys in the order written).
type Value any

// Arg is one call argument; Name is empty for a positional one.
type Arg struct {
	Name  string
	Value Value
}

// Call is one parsed function call.
type Call struct {
	Name string
	Args []Arg
}

// maxCalls bounds the work one action string can ask for.
const maxCalls = 1000

// maxDepth bounds literal nesting ([[[...]]]) so a hostile string cannot exhaust the stack.
const maxDepth = 100

// ParseActions returns every call found in s, in order, as BrowserGym's non-strict parser
// does. An input without any call is BrowserGym's "Received an empty action." error.
func ParseActions(s string) ([]Call, error) {
	var calls []Call
	p := &parser{s: s}
	for {
		p.skip()
		if p.i >= len(p.s) {
			break
		}
		start := p.i
		c, ok := p.call()
		if p.err != nil {
			return nil, p.err
		}
		if !ok {
			p.i = start
			_, w := utf8.DecodeRuneInString(p.s[p.i:])
			p.i += w
			continue
		}
		calls = append(calls, c)
		if len(calls) > maxCalls {
			return nil, fmt.Errorf("ValueError: too many actions (more than %d)", maxCalls)
		}
	}
	if len(calls) == 0 {
		return nil, fmt.Errorf("ValueError: Received an empty action.")
	}
	return calls, nil
}

type parser struct {
	s     string
	i     int
	depth int
	err   error // a literal Python refuses: the whole parse fails with it
}

// skip passes whitespace and Python comments, as pyparsing's default whitespace and the
// grammar's ignore(python_style_comment) do.
func (p *parser) skip() {
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			p.i++
		case c == '#':
			for p.i < len(p.s) && p.s[p.i] != '\n' {
				p.i++
			}
		default:
			return
		}
	}
}

func (p *parser) peek(c byte) bool {
	p.skip()
	return p.i < len(p.s) && p.s[p.i] == c
}

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isIdentChar(r rune) bool  { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// ident reads an identifier at the current position (no whitespace skipping).
func (p *parser) ident() (string, bool) {
	start := p.i
	r, w := utf8.DecodeRuneInString(p.s[p.i:])
	if p.i >= len(p.s) || !isIdentStart(r) {
		return "", false
	}
	p.i += w
	for p.i < len(p.s) {
		r, w := utf8.DecodeRuneInString(p.s[p.i:])
		if !isIdentChar(r) {
			break
		}
		p.i += w
	}
	return p.s[start:p.i], true
}

// call parses `name(args)` at the current position.
func (p *parser) call() (Call, bool) {
	name, ok := p.ident()
	if !ok || !p.peek('(') {
		return Call{}, false
	}
	p.i++
	var c Call
	c.Name = name
	// positional arguments (a trailing comma allowed), then keyword arguments: the grammar
	// has no delimiter between the two lists, so `f(1 a=2)` parses as well.
	for {
		save := p.i
		if p.isNamedArg() {
			p.i = save
			break
		}
		v, ok := p.element()
		if !ok {
			p.i = save
			break
		}
		c.Args = append(c.Args, Arg{Value: v})
		if !p.peek(',') {
			break
		}
		p.i++
	}
	for {
		p.skip()
		save := p.i
		n, ok := p.ident()
		if !ok || !p.peek('=') {
			p.i = save
			break
		}
		p.i++
		p.skip()
		v, ok := p.element()
		if !ok {
			p.i = save
			break
		}
		c.Args = append(c.Args, Arg{Name: n, Value: v})
		if !p.peek(',') {
			break
		}
		p.i++
	}
	if !p.peek(')') {
		return Call{}, false
	}
	p.i++
	return c, true
}

func (p *parser) isNamedArg() bool {
	p.skip()
	save := p.i
	defer func() { p.i = save }()
	n, ok := p.ident()
	if !ok || n == "True" || n == "False" || n == "None" {
		// keywords are elements, but `True=1` would still be tried as a named arg
		if !ok {
			return false
		}
	}
	return p.peek('=')
}

// element parses one literal.
func (p *parser) element() (Value, bool) {
	p.skip()
	if p.i >= len(p.s) {
		return nil, false
	}
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, false
	}
	c := p.s[p.i]
	switch {
	case c == '"' || c == '\'':
		return p.str()
	case c == '[':
		p.i++
		items, ok := p.items(']')
		return items, ok
	case c == '(':
		p.i++
		items, ok := p.items(')')
		return items, ok
	case c == '{':
		return p.dict()
	case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
		return p.number()
	}
	save := p.i
	if n, ok := p.ident(); ok {
		switch n {
		case "True":
			return true, true
		case "False":
			return false, true
		case "None":
			return nil, true
		}
	}
	p.i = save
	return nil, false
}

func (p *parser) items(end byte) ([]Value, bool) {
	out := []Value{}
	for {
		if p.peek(end) {
			p.i++
			return out, true
		}
		v, ok := p.element()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		if p.peek(',') {
			p.i++
			continue
		}
		if p.peek(end) {
			p.i++
			return out, true
		}
		return nil, false
	}
}

func (p *parser) dict() (Value, bool) {
	p.i++ // {
	out := pycompat.NewDict()
	for {
		if p.peek('}') {
			p.i++
			return out, true
		}
		p.skip()
		if p.i >= len(p.s) || (p.s[p.i] != '"' && p.s[p.i] != '\'') {
			return nil, false
		}
		k, ok := p.str()
		if !ok || !p.peek(':') {
			return nil, false
		}
		p.i++
		v, ok := p.element()
		if !ok {
			return nil, false
		}
		out.Set(k.(string), v)
		if p.peek(',') {
			p.i++
			continue
		}
		if p.peek('}') {
			p.i++
			return out, true
		}
		return nil, false
	}
}

// number parses what pyparsing_common.number accepts: a signed integer, a real with a
// dot, or either with an exponent.
func (p *parser) number() (Value, bool) {
	s := p.s[p.i:]
	j := 0
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	digits := func() int {
		k := j
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		return j - k
	}
	intDigits := digits()
	isReal := false
	if j < len(s) && s[j] == '.' {
		save := j
		j++
		frac := digits()
		if intDigits == 0 && frac == 0 {
			j = save
		} else {
			isReal = true
		}
	}
	if intDigits == 0 && !isReal {
		return nil, false
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		save := j
		j++
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if digits() == 0 {
			j = save
		} else {
			isReal = true
		}
	}
	lit := s[:j]
	p.i += j
	if isReal {
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil {
			return nil, false
		}
		return f, true
	}
	n, err := strconv.ParseInt(lit, 10, 64)
	if err != nil {
		f, err := strconv.ParseFloat(lit, 64) // a huge integer: keep its magnitude
		if err != nil {
			return nil, false
		}
		return f, true
	}
	return n, true
}

// str parses a Python string literal ('…', "…", ”'…”', """…""") where pyparsing's
// python_quoted_string finds one, then decodes it as ast.literal_eval does. A literal whose
// escapes Python refuses ('\x4', '\N{NO SUCH NAME}') is literal_eval's SyntaxError, which
// ends the whole parse as it does in BrowserGym (p.err), rather than a call skipped.
func (p *parser) str() (Value, bool) {
	q := p.s[p.i]
	if strings.HasPrefix(p.s[p.i:], strings.Repeat(string(q), 3)) {
		if end, ok := p.scanStr(p.i+3, true); ok {
			return p.decodeStr(p.i+3, end, 3)
		}
	}
	if end, ok := p.scanStr(p.i+1, false); ok {
		return p.decodeStr(p.i+1, end, 1)
	}
	return nil, false
}

// scanStr finds the end of a string body starting at j with pyparsing's regexps: a
// single-quoted body has no bare line break and a \x must be followed by a hex digit; in a
// triple-quoted one a backslash escapes anything but a line break.
func (p *parser) scanStr(j int, triple bool) (int, bool) {
	s := p.s
	q := s[j-1]
	for j < len(s) {
		c := s[j]
		switch {
		case triple && strings.HasPrefix(s[j:], strings.Repeat(string(q), 3)):
			return j, true
		case !triple && c == q:
			return j, true
		case !triple && (c == '\n' || c == '\r'):
			return 0, false
		case c == '\\':
			if j+1 >= len(s) || (triple && s[j+1] == '\n') {
				return 0, false
			}
			if !triple && s[j+1] == 'x' {
				k := j + 2
				for k < len(s) && isHexDigit(s[k]) {
					k++
				}
				if k == j+2 {
					return 0, false
				}
				j = k
				continue
			}
			_, w := utf8.DecodeRuneInString(s[j+1:])
			j += 1 + w
		default:
			j++
		}
	}
	return 0, false
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// decodeStr decodes the body s[from:to] (the quotes are quote bytes each) and moves past it.
func (p *parser) decodeStr(from, to, quote int) (Value, bool) {
	v, err := pyUnescape(p.s[from:to])
	if err != nil {
		p.err = err
		return nil, false
	}
	p.i = to + quote
	return v, true
}

// pyUnescape decodes a string body with every escape form ast.literal_eval knows, and fails
// with its SyntaxError text where it fails. CPython decodes the body after turning each
// non-ASCII character into a ten-byte \UXXXXXXXX, so error positions count those ten each,
// and the line is the one the literal ends on.
func pyUnescape(body string) (string, error) {
	var b strings.Builder
	pos := 0 // position in CPython's converted bytes
	fail := func(start, end int, why string) error {
		return fmt.Errorf("SyntaxError: (unicode error) 'unicodeescape' codec can't decode bytes in position %d-%d: %s (<unknown>, line %d)",
			start, end-1, why, 1+strings.Count(body, "\n"))
	}
	for j := 0; j < len(body); {
		c := body[j]
		if c != '\\' {
			r, w := utf8.DecodeRuneInString(body[j:])
			b.WriteRune(r)
			j += w
			if c < utf8.RuneSelf {
				pos++
			} else {
				pos += 10
			}
			continue
		}
		start := pos
		if j+1 >= len(body) {
			return "", fail(start, pos+1, "\\ at end of string")
		}
		e := body[j+1]
		if v, ok := simpleEscapes[e]; ok {
			b.WriteString(v)
			j += 2
			pos += 2
			continue
		}
		switch {
		case e == '\r': // a backslash-CRLF continuation
			j += 2
			pos += 2
			if j < len(body) && body[j] == '\n' {
				j++
				pos++
			}
			continue
		case e >= '0' && e <= '7':
			n, v := 0, 0
			for n < 3 && j+1+n < len(body) && body[j+1+n] >= '0' && body[j+1+n] <= '7' {
				v = v*8 + int(body[j+1+n]-'0')
				n++
			}
			b.WriteRune(rune(v))
			j += 1 + n
			pos += 1 + n
			continue
		case e == 'x' || e == 'u' || e == 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			k := 0
			for k < n && j+2+k < len(body) && isHexDigit(body[j+2+k]) {
				k++
			}
			if k < n {
				return "", fail(start, start+2+k, map[byte]string{'x': `truncated \xXX escape`,
					'u': `truncated \uXXXX escape`, 'U': `truncated \UXXXXXXXX escape`}[e])
			}
			v, _ := strconv.ParseUint(body[j+2:j+2+n], 16, 32)
			if v > unicode.MaxRune {
				return "", fail(start, start+2+n, "illegal Unicode character")
			}
			b.WriteRune(rune(v))
			j += 2 + n
			pos += 2 + n
			continue
		case e == 'N':
			// \N{NAME}: Go has no Unicode name table; the few names an agent plausibly uses are
			// known, any other is refused as an unknown name rather than guessed.
			k := j + 2
			if k < len(body) && body[k] == '{' {
				k++
				nameStart := k
				for k < len(body) && body[k] != '}' {
					k++
				}
				if k > nameStart && k < len(body) {
					end := start + 2 + 1 + convLen(body[nameStart:k]) + 1
					r, ok := unicodeNames[strings.ToUpper(body[nameStart:k])]
					if !ok {
						return "", fail(start, end, "unknown Unicode character name")
					}
					b.WriteRune(r)
					pos = end
					j = k + 1
					continue
				}
			}
			return "", fail(start, start+convLen(body[j:k]), `malformed \N character escape`)
		}
		// an unknown escape keeps its backslash, as Python does
		b.WriteByte('\\')
		j++
		pos++
	}
	return b.String(), nil
}

var simpleEscapes = map[byte]string{'\\': `\`, '\'': `'`, '"': `"`, 'a': "\a", 'b': "\b", 'f': "\f",
	'n': "\n", 'r': "\r", 't': "\t", 'v': "\v", '\n': ""}

// convLen is the length of s in CPython's converted bytes (ten per non-ASCII character).
func convLen(s string) int {
	n := 0
	for _, r := range s {
		if r < utf8.RuneSelf {
			n++
		} else {
			n += 10
		}
	}
	return n
}

var unicodeNames = map[string]rune{
	"SPACE": ' ', "NO-BREAK SPACE": '\u00a0', "EM DASH": '\u2014', "EN DASH": '\u2013',
	"BULLET": '\u2022', "HORIZONTAL ELLIPSIS": '\u2026', "LINE FEED": '\n', "TAB": '\t',
	"CHARACTER TABULATION": '\t', "DEGREE SIGN": '\u00b0', "COPYRIGHT SIGN": '\u00a9',
}

// pyRepr renders v as Python's repr would (used in action and error texts).
func pyRepr(v Value) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return pycompat.FloatRepr(x)
	case string:
		return pycompat.StrRepr(x)
	case []Value:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *pycompat.Dict:
		parts := make([]string, 0, x.Len())
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			parts = append(parts, pycompat.StrRepr(k)+": "+pyRepr(e))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}
