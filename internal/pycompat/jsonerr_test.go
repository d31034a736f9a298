package pycompat

import "testing"

// The wanted positions and messages are CPython 3.12's json.loads(in) JSONDecodeError.
func TestJSONError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in  string
		pos int
		msg string
	}{
		{``, 0, "Expecting value"}, {`  `, 2, "Expecting value"}, {`not json`, 0, "Expecting value"},
		{`{`, 1, "Expecting property name enclosed in double quotes"}, {`{"a"`, 4, "Expecting ':' delimiter"},
		{`{"a" 1}`, 5, "Expecting ':' delimiter"}, {`{"a":}`, 5, "Expecting value"},
		{`{"a":1,}`, 7, "Expecting property name enclosed in double quotes"}, {`{"a":1 "b"}`, 7, "Expecting ',' delimiter"},
		{`[1,]`, 3, "Expecting value"}, {`[1 2]`, 3, "Expecting ',' delimiter"}, {`"abc`, 0, "Unterminated string starting at"},
		{`"a\q"`, 2, `Invalid \escape`}, {`"a\u12"`, 3, `Invalid \uXXXX escape`}, {`"a\u12zz"`, 3, `Invalid \uXXXX escape`},
		{"\"a\x01\"", 2, "Invalid control character at"}, {`{"a":1} x`, 8, "Extra data"}, {`01`, 1, "Extra data"},
		{`1.`, 1, "Extra data"}, {`-`, 0, "Expecting value"}, {`-x`, 0, "Expecting value"}, {`nul`, 0, "Expecting value"},
		{`{"é": ü}`, 6, "Expecting value"}, {`"\u1234`, 2, `Invalid \uXXXX escape`}, {`{"a": "b\`, 6, "Unterminated string starting at"},
		{`1e5x`, 3, "Extra data"}, {`{1:2}`, 1, "Expecting property name enclosed in double quotes"}, {`tru`, 0, "Expecting value"},
	}
	for _, c := range cases {
		pos, msg, ok := JSONError(c.in)
		if !ok || pos != c.pos || msg != c.msg {
			t.Errorf("JSONError(%q) = %d %q %v, want %d %q", c.in, pos, msg, ok, c.pos, c.msg)
		}
	}
	for _, in := range []string{`NaN`, `[Infinity, -Infinity]`, `{"a": [1, 2.5e3, "x\u00e9\n"]}`} {
		if _, msg, ok := JSONError(in); ok {
			t.Errorf("JSONError(%q) = %q, but Python accepts it", in, msg)
		}
	}
}

func TestBytesRepr(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"abc": `b'abc'`, "it's": `b"it's"`, "a\x00\xff\n\\": `b'a\x00\xff\n\\'`, "é": `b'\xc3\xa9'`} {
		if got := BytesRepr([]byte(in)); got != want {
			t.Errorf("BytesRepr(%q) = %s, want %s", in, got, want)
		}
	}
}
