// Package pycompat holds what a door needs to answer exactly as the Python reference does:
// JSON decoded the way Python's json module decodes it (object keys in order, ints apart from
// floats) and Python's repr() of the result, for error texts that print a request back.
package pycompat

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Value is a decoded JSON value: nil, bool, Int, Float, string, []Value or *Dict.
type Value any

// Int is a JSON number without a fraction or exponent: a Python int (any size), kept as its
// decimal text.
type Int string

// Float is a JSON number with a fraction or exponent: a Python float.
type Float float64

// Dict is a JSON object as Python's dict holds it: keys in first-seen order, a repeated key
// keeps its first position and takes the last value (as json.loads does).
type Dict struct {
	keys []string
	vals map[string]Value
}

// NewDict returns an empty dict.
func NewDict() *Dict { return &Dict{vals: map[string]Value{}} }

// Len is the number of keys.
func (d *Dict) Len() int { return len(d.keys) }

// Keys are the keys in order (do not modify).
func (d *Dict) Keys() []string { return d.keys }

// Get returns the value of k.
func (d *Dict) Get(k string) (Value, bool) {
	v, ok := d.vals[k]
	return v, ok
}

// Has reports whether k is a key.
func (d *Dict) Has(k string) bool {
	_, ok := d.vals[k]
	return ok
}

// Set is d[k] = v: a new key goes last, an existing one keeps its place.
func (d *Dict) Set(k string, v Value) {
	if _, ok := d.vals[k]; !ok {
		d.keys = append(d.keys, k)
	}
	d.vals[k] = v
}

// Pop is d.pop(k, None): it removes k and returns its value.
func (d *Dict) Pop(k string) (Value, bool) {
	v, ok := d.vals[k]
	if !ok {
		return nil, false
	}
	delete(d.vals, k)
	for i, x := range d.keys {
		if x == k {
			d.keys = append(d.keys[:i:i], d.keys[i+1:]...)
			break
		}
	}
	return v, true
}

// Decode parses one JSON document the way Python's json.loads does.
func Decode(data []byte) (Value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("extra data after the JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (Value, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			d := NewDict()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, errors.New("object key is not a string")
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				d.Set(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return d, nil
		case '[':
			l := []Value{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return l, nil
		}
		return nil, errors.New("unexpected delimiter")
	case json.Number:
		return number(t.String())
	case string, bool, nil:
		return t, nil
	}
	return nil, errors.New("unexpected token")
}

// number is a JSON number literal as Python's json reads it: an Int (its digits as written,
// -0 as 0) unless it has a fraction or exponent, else a Float (out of range: ±inf, as
// Python's float()).
func number(s string) (Value, error) {
	if !strings.ContainsAny(s, ".eE") {
		if s == "-0" {
			s = "0"
		}
		return Int(s), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, err
	}
	return Float(f), nil
}

// JSON encodes v back to JSON (numbers as they were read, keys in order).
func JSON(v Value) []byte {
	var b bytes.Buffer
	writeJSON(&b, v)
	return b.Bytes()
}

func writeJSON(b *bytes.Buffer, v Value) {
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case Int:
		b.WriteString(string(t))
	case Float:
		f := float64(t)
		switch {
		case math.IsInf(f, 1):
			b.WriteString("1e999") // decodes back to +inf
		case math.IsInf(f, -1):
			b.WriteString("-1e999")
		default:
			s := strconv.FormatFloat(f, 'g', -1, 64)
			if !strings.ContainsAny(s, ".eE") {
				s += ".0"
			}
			b.WriteString(s)
		}
	case string:
		enc := json.NewEncoder(b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(t)
		b.Truncate(b.Len() - 1) // Encode's newline
	case []Value:
		b.WriteByte('[')
		for i, x := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, x)
		}
		b.WriteByte(']')
	case *Dict:
		b.WriteByte('{')
		for i, k := range t.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, k)
			b.WriteByte(':')
			writeJSON(b, t.vals[k])
		}
		b.WriteByte('}')
	case Enum:
		writeJSON(b, t.Value)
	}
}

// Enum is a member of a Python enum: Repr prints as Python does (<ActionSecurityRisk.LOW: 0>),
// JSON writes its Value.
type Enum struct {
	Repr  string
	Value Value
}

// Repr is Python's repr() of v.
func Repr(v Value) string {
	var b strings.Builder
	writeRepr(&b, v)
	return b.String()
}

func writeRepr(b *strings.Builder, v Value) {
	switch t := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if t {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case Int:
		b.WriteString(string(t))
	case Float:
		b.WriteString(FloatRepr(float64(t)))
	case string:
		b.WriteString(StrRepr(t))
	case []Value:
		b.WriteByte('[')
		for i, x := range t {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, x)
		}
		b.WriteByte(']')
	case *Dict:
		b.WriteByte('{')
		for i, k := range t.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(StrRepr(k))
			b.WriteString(": ")
			writeRepr(b, t.vals[k])
		}
		b.WriteByte('}')
	case Enum:
		b.WriteString(t.Repr)
	}
}

// TypeName is Python's type(v).__name__.
func TypeName(v Value) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case Int:
		return "int"
	case Float:
		return "float"
	case string:
		return "str"
	case []Value:
		return "list"
	case *Dict:
		return "dict"
	}
	return "object"
}

// Truthy is Python's bool(v).
func Truthy(v Value) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case Int:
		return strings.Trim(string(t), "-0") != ""
	case Float:
		return t != 0
	case string:
		return t != ""
	case []Value:
		return len(t) > 0
	case *Dict:
		return t.Len() > 0
	}
	return true
}

// FloatRepr is Python's repr of a float: the shortest text that reads back, with ".0" on
// whole numbers and an exponent below 1e-4 and from 1e16 on.
func FloatRepr(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	if a := math.Abs(f); a != 0 && (a < 1e-4 || a >= 1e16) {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		// Go: 1e+16, 1.5e-05; Python: the same (two-digit exponent at least).
		return s
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// StrRepr is Python's repr of a str: single quotes unless the text has a ' and no ", the
// escapes \\ \' \t \n \r, \xNN for other control characters, and non-printable code points
// as \xNN, \uNNNN or \UNNNNNNNN.
func StrRepr(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(q)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(q):
			b.WriteByte('\\')
			b.WriteByte(q)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x` + hex2(int(r)))
		case r < 0x7f:
			b.WriteRune(r)
		case r == utf8.RuneError && size == 1: // an invalid byte (Go's JSON decoder never gives one)
			b.WriteString(`\x` + hex2(int(s[i-1])))
		case unicode.IsPrint(r):
			b.WriteRune(r)
		case r < 0x100:
			b.WriteString(`\x` + hex2(int(r)))
		case r < 0x10000:
			b.WriteString(`\u` + hexN(int(r), 4))
		default:
			b.WriteString(`\U` + hexN(int(r), 8))
		}
	}
	b.WriteByte(q)
	return b.String()
}

func hex2(n int) string { return hexN(n, 2) }

func hexN(n, width int) string {
	s := strconv.FormatInt(int64(n), 16)
	return strings.Repeat("0", width-len(s)) + s
}
