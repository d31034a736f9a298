package browser

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/gohands/gohands/internal/pycompat"
)

// dict builds a parsed dict from keys and values in turn.
func dict(kv ...any) *pycompat.Dict {
	d := pycompat.NewDict()
	for i := 0; i+1 < len(kv); i += 2 {
		d.Set(kv[i].(string), kv[i+1])
	}
	return d
}

func TestParseActions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want []Call
		err  string
	}{
		{`click("12")`, []Call{{"click", []Arg{{"", "12"}}}}, ""},
		{"fill('a1', \"multi-line\\nexample\")\n# click('9')\nnoop()", []Call{
			{"fill", []Arg{{"", "a1"}, {"", "multi-line\nexample"}}}, {"noop", nil}}, ""},
		{`click('48', button="middle", modifiers=["Shift"])`, []Call{{"click", []Arg{{"", "48"},
			{"button", "middle"}, {"modifiers", []Value{"Shift"}}}}}, ""},
		{`scroll(-50.2, -100.5)`, []Call{{"scroll", []Arg{{"", -50.2}, {"", -100.5}}}}, ""},
		{`noop(500) noop(1e3)`, []Call{{"noop", []Arg{{"", int64(500)}}}, {"noop", []Arg{{"", 1000.0}}}}, ""},
		{`x = 1; goto('''a'b''')`, []Call{{"goto", []Arg{{"", "a'b"}}}}, ""},
		{`send_msg_to_user("\x41\u00e9\101\\")`, []Call{{"send_msg_to_user", []Arg{{"", "Aé" + "A\\"}}}}, ""},
		{`f(True, False, None, (1, 2), {"k": [1]},)`, []Call{{"f", []Arg{{"", true}, {"", false}, {"", nil},
			{"", []Value{int64(1), int64(2)}}, {"", dict("k", []Value{int64(1)})}}}}, ""},
		{`click("12`, nil, "ValueError: Received an empty action."},
		{``, nil, "ValueError: Received an empty action."},
		{`hello world`, nil, "ValueError: Received an empty action."},
	}
	for _, c := range cases {
		got, err := ParseActions(c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%q: err %v, want %s", c.in, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q:\n got %#v\nwant %#v", c.in, got, c.want)
		}
	}
}

func TestBind(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, err string }{
		{`click()`, "TypeError: click() missing 1 required positional argument: 'bid'"},
		{`fill()`, "TypeError: fill() missing 2 required positional arguments: 'bid' and 'value'"},
		{`noop(1, 2)`, "TypeError: noop() takes from 0 to 1 positional arguments but 2 were given"},
		{`go_back(1)`, "TypeError: go_back() takes 0 positional arguments but 1 was given"},
		{`goto("a", "b")`, "TypeError: goto() takes 1 positional argument but 2 were given"},
		{`click("1", x=2)`, "TypeError: click() got an unexpected keyword argument 'x'"},
		{`click("1", bid="2")`, "TypeError: click() got multiple values for argument 'bid'"},
		{`click("1", button="left")`, ""},
	}
	for _, c := range cases {
		calls, err := ParseActions(c.in)
		if err != nil {
			t.Fatal(err)
		}
		_, err = bind(calls[0])
		if (err == nil) != (c.err == "") || (err != nil && err.Error() != c.err) {
			t.Errorf("%s: %v, want %q", c.in, err, c.err)
		}
	}
}

// Floats read as Python prints them: in action and error texts (f"{v}" of an argument) and
// in the accessibility tree's values (json.loads then repr), from 1e6 on as below it.
func TestFloatRepr(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v    Value
		want string
	}{{0.5, "0.5"}, {1000.0, "1000.0"}, {1500000.5, "1500000.5"}, {1e6, "1000000.0"}, {123456789.0, "123456789.0"},
		{1e16, "1e+16"}, {1.5e-5, "1.5e-05"}} {
		if got := pyRepr(c.v); got != c.want {
			t.Errorf("pyRepr(%v) = %s, want %s", c.v, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{{"1e6", "1000000.0"}, {"1500000.5", "1500000.5"}, {"2.5", "2.5"}, {"7", "7"}} {
		if got := pyValueRepr(json.Number(c.in)); got != c.want {
			t.Errorf("pyValueRepr(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

// A dict argument keeps its keys in the order written, a repeated key its first place and its
// last value, as Python's dict display does; its repr (in error texts) follows that order.
func TestDictOrder(t *testing.T) {
	t.Parallel()
	calls, err := ParseActions(`send_msg_to_user({"b": 1, "a": 2, "c": [3], "b": 4})`)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		if got := pyRepr(calls[0].Args[0].Value); got != "{'b': 4, 'a': 2, 'c': [3]}" {
			t.Fatalf("repr %s", got)
		}
	}
	if got := pyTypeName(calls[0].Args[0].Value); got != "dict" {
		t.Fatalf("type name %s", got)
	}
}

func FuzzParseActions(f *testing.F) {
	for _, s := range []string{`click("12")`, "fill('a', '''x\ny''')\n# c\nnoop()", `f([1, (2,), {"a": None}], k=True)`,
		`scroll(-1.5e3, .5)`, `"\x41\u00e9\N{BULLET}"`, `click("12`, `((((`, `[[[[[`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		calls, err := ParseActions(s)
		if err == nil && len(calls) == 0 {
			t.Fatal("no calls and no error")
		}
		for _, c := range calls {
			_, _ = bind(c)
			for _, a := range c.Args {
				_ = pyRepr(a.Value)
			}
		}
	})
}

// TestParseRefusedEscapes: a string literal that BrowserGym's parser finds but whose escapes
// ast.literal_eval refuses is a SyntaxError for the whole action, with CPython's text (recorded
// from ast.literal_eval). The parser skipped such a call and ran the others, so half an action
// string was executed; and a \x without any hex digit is no string at all, as pyparsing's
// regexp has it.
func TestParseRefusedEscapes(t *testing.T) {
	t.Parallel()
	const pre = "SyntaxError: (unicode error) 'unicodeescape' codec can't decode bytes in position "
	cases := []struct{ in, err string }{
		{`click('5') fill('6', '\x4')`, pre + `0-2: truncated \xXX escape (<unknown>, line 1)`},
		{`fill('6', '\N{BOGUS}') click('5')`, pre + `0-8: unknown Unicode character name (<unknown>, line 1)`},
		{`fill('6', 'ab\x4z')`, pre + `2-4: truncated \xXX escape (<unknown>, line 1)`},
		{`fill('6', 'é\x4')`, pre + `10-12: truncated \xXX escape (<unknown>, line 1)`},
		{`fill('6', '😀\x4')`, pre + `10-12: truncated \xXX escape (<unknown>, line 1)`},
		{`fill('6', '\u12')`, pre + `0-3: truncated \uXXXX escape (<unknown>, line 1)`},
		{`fill('6', '\U0011ffff')`, pre + `0-9: illegal Unicode character (<unknown>, line 1)`},
		{`fill('6', '\U1234')`, pre + `0-5: truncated \UXXXXXXXX escape (<unknown>, line 1)`},
		{`fill('6', '\N')`, pre + `0-1: malformed \N character escape (<unknown>, line 1)`},
		{`fill('6', '\Nabc')`, pre + `0-1: malformed \N character escape (<unknown>, line 1)`},
		{`fill('6', '\N{')`, pre + `0-2: malformed \N character escape (<unknown>, line 1)`},
		{`fill('6', '\N{abc')`, pre + `0-5: malformed \N character escape (<unknown>, line 1)`},
		{`fill('6', '\N{}')`, pre + `0-2: malformed \N character escape (<unknown>, line 1)`},
		{"fill('6', '''\\x4\n\n''')", pre + `0-2: truncated \xXX escape (<unknown>, line 3)`},
		{"fill('6', '''é\n\\u1''')", pre + `11-13: truncated \uXXXX escape (<unknown>, line 2)`},
		{"fill('6', 'a\\\nb\\x1')", pre + `4-6: truncated \xXX escape (<unknown>, line 2)`},
		// not a string for pyparsing: the call is not found
		{`fill('6', '\xg')`, "ValueError: Received an empty action."},
	}
	for _, c := range cases {
		got, err := ParseActions(c.in)
		if err == nil || err.Error() != c.err {
			t.Errorf("%s: %v %v, want %s", c.in, got, err, c.err)
		}
	}
	// what Python accepts still parses
	for in, want := range map[string]string{`'\N{EM DASH}'`: "\u2014", `'\777'`: "\u01ff", `'\8\d'`: `\8\d`, `'\x41\u00e9'`: "Aé",
		"'''a\\'''b'''": "a'''b", "'a\\\nb'": "ab"} {
		got, err := ParseActions("fill('6', " + in + ")")
		if err != nil || len(got) != 1 || got[0].Args[1].Value != want {
			t.Errorf("%s: %v %v, want %q", in, got, err, want)
		}
	}
}
