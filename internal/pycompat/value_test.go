package pycompat

import (
	"math"
	"testing"
)

// The wanted texts are what CPython 3.12 prints for repr(json.loads(in)).
func TestDecodeRepr(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{`{"b": 1, "a": [true, false, null], "c": {}}`, `{'b': 1, 'a': [True, False, None], 'c': {}}`},
		{`{"a": 1, "b": 2, "a": 3}`, `{'a': 3, 'b': 2}`}, // first place, last value
		{`[120.0, 120, -0, -0.0, 1e16, 1e-5, 0.0001, 1.5e300, 1e400, -1e400, 12345678901234567890123]`,
			`[120.0, 120, 0, -0.0, 1e+16, 1e-05, 0.0001, 1.5e+300, inf, -inf, 12345678901234567890123]`},
		{`"it's"`, `"it's"`},
		{`"both ' and \""`, `'both \' and "'`},
		{`"tab\tnl\ncr\rbs\\nul\u0000del\u007f"`, `'tab\tnl\ncr\rbs\\nul\x00del\x7f'`},
		{`"é\u00a0\u200b\u2028😀\ufffd"`, `'é\xa0\u200b\u2028😀�'`},
		{`[]`, `[]`},
		{`""`, `''`},
	}
	for _, c := range cases {
		v, err := Decode([]byte(c.in))
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if got := Repr(v); got != c.want {
			t.Errorf("Repr(%s)\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	t.Parallel()
	for _, in := range []string{``, `{`, `{"a":1} x`, `[1,]`, `{"a" 1}`, `NaN`} {
		if _, err := Decode([]byte(in)); err == nil {
			t.Errorf("Decode(%q) accepted", in)
		}
	}
}

func TestDictOps(t *testing.T) {
	t.Parallel()
	v, _ := Decode([]byte(`{"a":1,"b":2,"c":3}`))
	d := v.(*Dict)
	if x, ok := d.Pop("b"); !ok || x != Int("2") {
		t.Fatalf("pop b: %v %v", x, ok)
	}
	d.Set("a", "new")    // keeps its place
	d.Set("b", Int("9")) // goes last
	if got := Repr(d); got != `{'a': 'new', 'c': 3, 'b': 9}` {
		t.Fatal(got)
	}
	if string(JSON(d)) != `{"a":"new","c":3,"b":9}` {
		t.Fatal(string(JSON(d)))
	}
	d.Set("e", Enum{Repr: "<R.LOW: 0>", Value: Int("0")})
	if Repr(d) != `{'a': 'new', 'c': 3, 'b': 9, 'e': <R.LOW: 0>}` || string(JSON(d)) != `{"a":"new","c":3,"b":9,"e":0}` {
		t.Fatal(Repr(d), string(JSON(d)))
	}
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`{"x":[1,2.5,"<&>",null,true],"y":{"z":1e+300}}`, `1e999`} {
		v, err := Decode([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		w, err := Decode(JSON(v))
		if err != nil || Repr(w) != Repr(v) {
			t.Fatalf("%s: %s vs %s (%v)", in, Repr(w), Repr(v), err)
		}
	}
}

func TestTruthyTypeName(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in     string
		truthy bool
		name   string
	}{
		{`null`, false, "NoneType"}, {`0`, false, "int"}, {`-0`, false, "int"}, {`0.0`, false, "float"},
		{`""`, false, "str"}, {`[]`, false, "list"}, {`{}`, false, "dict"}, {`false`, false, "bool"},
		{`"false"`, true, "str"}, {`10`, true, "int"}, {`0.5`, true, "float"}, {`[0]`, true, "list"},
	}
	for _, c := range cases {
		v, _ := Decode([]byte(c.in))
		if Truthy(v) != c.truthy || TypeName(v) != c.name {
			t.Errorf("%s: truthy %v type %s", c.in, Truthy(v), TypeName(v))
		}
	}
}

func TestFloatRepr(t *testing.T) {
	t.Parallel()
	for f, want := range map[float64]string{1: "1.0", 0.1: "0.1", 1e16: "1e+16", 9999999999999998: "9999999999999998.0",
		1e-5: "1e-05", 0.0001: "0.0001", math.Inf(1): "inf", math.NaN(): "nan", -2.5: "-2.5", 1.5e-7: "1.5e-07",
		2.5: "2.5", 120: "120.0", 30: "30.0", 0: "0.0"} {
		if got := FloatRepr(f); got != want {
			t.Errorf("FloatRepr(%v) = %s, want %s", f, got, want)
		}
	}
}

// The wanted texts are repr(ast.literal_eval(in)) in CPython 3.12.
func TestLiteralEvalDict(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{`{'command': 'view', 'path': '/a b'}`, `{'command': 'view', 'path': '/a b'}`},
		{`{"a": 'x' "y", 'b': r'\n', 'c': '\n\x41\u00e9\101', 'd': """tri'ple"""}`, `{'a': 'xy', 'b': '\\n', 'c': '\nAéA', 'd': "tri'ple"}`},
		{`{'n': -1_000, 'h': 0x1f, 'f': 1.5e3, 't': True, 'z': None, 'l': [1, (2,), (3)], 'e': {},}`,
			`{'n': -1000, 'h': 31, 'f': 1500.0, 't': True, 'z': None, 'l': [1, [2], 3], 'e': {}}`},
		{`{'a': 1, 'a': 2}`, `{'a': 2}`},
	}
	for _, c := range cases {
		d, err := LiteralEvalDict(c.in)
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if got := Repr(d); got != c.want {
			t.Errorf("LiteralEvalDict(%s)\n got %s\nwant %s", c.in, got, c.want)
		}
	}
	for _, bad := range []string{`{'a': 1`, `{'a': b'x'}`, `{1: 2}`, `{'a': 1j}`, `[1]`, `{'a': 012}`, `{'a': x}`, `{'a': 'unterminated}`, `{'a': 1} 2`} {
		if _, err := LiteralEvalDict(bad); err == nil {
			t.Errorf("LiteralEvalDict(%s) accepted", bad)
		}
	}
}

func FuzzDecodeRepr(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5,"x'\""]}`, `1e400`, `"\ud800"`, `{"a":{"a":{}}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		v, err := Decode([]byte(in))
		if err != nil {
			return
		}
		_ = Repr(v)
		w, err := Decode(JSON(v))
		if err != nil {
			t.Fatalf("JSON(%q) does not decode: %v", in, err)
		}
		if Repr(w) != Repr(v) {
			t.Fatalf("round trip changed %q: %s vs %s", in, Repr(v), Repr(w))
		}
	})
}

func FuzzLiteralEvalDict(f *testing.F) {
	for _, s := range []string{`{'a': [1, (2,)], "b": r'x' 'y'}`, `{'a': '\x4'}`, `{'a': -+-1.5e-3}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if d, err := LiteralEvalDict(in); err == nil {
			_ = Repr(d)
		}
	})
}
