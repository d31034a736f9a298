package swerex

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// Python's json.loads messages and positions (checked with Python 3.11), as FastAPI reports them.
func TestParsePyJSONErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in  string
		msg string
		pos int
	}{
		{`{bad`, "Expecting property name enclosed in double quotes", 1},
		{`{"a": 1,}`, "Expecting property name enclosed in double quotes", 8},
		{`{"a" 1}`, "Expecting ':' delimiter", 5},
		{`{"a": 1 "b": 2}`, "Expecting ',' delimiter", 8},
		{`[1, 2`, "Expecting ',' delimiter", 5},
		{`[1,]`, "Expecting value", 3},
		{``, "Expecting value", 0},
		{`  `, "Expecting value", 2},
		{`{"a": 1} x`, "Extra data", 9},
		{`"abc`, "Unterminated string starting at", 0},
		{`{"é": "x`, "Unterminated string starting at", 6},
		{"\"a\x01\"", "Invalid control character at", 2},
		{`"\q"`, `Invalid \escape`, 1},
		{`"\u12G4"`, `Invalid \uXXXX escape`, 2},
		{`01`, "Extra data", 1},
		{`-`, "Expecting value", 0},
		{`tru`, "Expecting value", 0},
	} {
		_, err := parsePyJSON([]byte(c.in))
		if err == nil || err.msg != c.msg || err.pos != c.pos {
			t.Errorf("%q: %+v, want %q at %d", c.in, err, c.msg, c.pos)
		}
	}
	for _, ok := range []string{`{"a": [1, 2.5e3, "\ud83d\ude00", null, true]}`, ` {} `} {
		if _, err := parsePyJSON([]byte(ok)); err != nil {
			t.Errorf("%q: %+v", ok, err)
		}
	}
}

// FuzzParsePyJSON: never panics; accepts everything strict JSON accepts, with the same
// value; error positions lie inside the input. (NaN and Infinity, which json.loads takes,
// are refused: docs/compatibility.md.)
func FuzzParsePyJSON(f *testing.F) {
	for _, s := range []string{`{"command": "echo hi", "shell": true}`, `[1, 2.5, "x"]`, `{"a": {"b": [null]}}`, `"\u00e9"`, `{bad`, `NaN`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parsePyJSON([]byte(s))
		if err != nil {
			if err.pos < 0 || err.pos > utf8.RuneCountInString(s) {
				t.Fatalf("%q: position %d outside the input", s, err.pos)
			}
		}
		if utf8.ValidString(s) && json.Valid([]byte(s)) {
			if err != nil {
				t.Fatalf("%q is valid JSON, got %+v", s, err)
			}
			var want any
			if json.Unmarshal([]byte(s), &want) != nil {
				return // a number beyond float64: Python keeps a big int, Go cannot compare
			}
			var got any
			a, _ := json.Marshal(normalize(v))
			_ = json.Unmarshal(a, &got) // via JSON: *pydict keeps request order, maps do not
			a, _ = json.Marshal(normalize(got))
			b, _ := json.Marshal(normalize(want))
			if string(a) != string(b) {
				t.Fatalf("%q: got %s, want %s", s, a, b)
			}
		}
	})
}

// normalize turns int64 into float64, as encoding/json decodes numbers.
func normalize(v any) any {
	switch t := v.(type) {
	case int64:
		return float64(t)
	case float64:
		if t == 0 {
			return 0.0 // Python reads -0 as the integer 0
		}
	case []any:
		for i := range t {
			t[i] = normalize(t[i])
		}
	case map[string]any:
		for k := range t {
			t[k] = normalize(t[k])
		}
	case *pydict:
		for k := range t.vals {
			t.vals[k] = normalize(t.vals[k])
		}
	}
	return v
}
