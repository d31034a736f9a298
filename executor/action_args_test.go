package executor

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/gohands/gohands/internal/pycompat"
)

// TestActionClassesTable: the table is the reference's ACTION_TYPE_TO_CLASS (21 classes, its
// order), each class's required parameters first, and every class takes `action`.
func TestActionClassesTable(t *testing.T) {
	t.Parallel()
	want := []string{"null", "run", "run_ipython", "browse", "browse_interactive", "read", "write", "edit", "think",
		"finish", "reject", "delegate", "recall", "change_agent_state", "message", "system", "condensation",
		"condensation_request", "call_tool_mcp", "task_tracking", "loop_recovery"}
	if len(actionClasses) != len(want) {
		t.Fatalf("%d classes", len(actionClasses))
	}
	seen := map[string]bool{}
	for i, c := range actionClasses {
		if c.typ != want[i] {
			t.Errorf("class %d is %s, want %s", i, c.typ, want[i])
		}
		if !c.accepts("action") || c.required > len(c.params) || !strings.HasSuffix(c.name, "Action") {
			t.Errorf("%+v", c)
		}
		if seen[c.name] {
			t.Errorf("%s twice", c.name)
		}
		seen[c.name] = true
	}
}

func TestTypeErrorText(t *testing.T) {
	t.Parallel()
	three := &actionClass{name: "X", required: 3, params: []string{"a", "b", "c", "d"}}
	cases := []struct {
		cls  *actionClass
		args string
		want string
	}{
		{three, `{}`, "X.__init__() missing 3 required positional arguments: 'a', 'b', and 'c'"},
		{three, `{"b":1}`, "X.__init__() missing 2 required positional arguments: 'a' and 'c'"},
		{three, `{"a":1,"b":1}`, "X.__init__() missing 1 required positional argument: 'c'"},
		{three, `{"a":1,"b":1,"c":1,"d":null}`, ""},
		{three, `{"z":1,"y":2}`, "X.__init__() missing 3 required positional arguments: 'a', 'b', and 'c'"}, // unknown keys are not the error (lenient)
		{three, `{"a":1,"b":2,"c":3,"it's":2}`, ""},
		{lookupClass("null"), `{"action":"x"}`, ""},
	}
	for _, c := range cases {
		v, err := pycompat.Decode([]byte(c.args))
		if err != nil {
			t.Fatal(err)
		}
		if got := c.cls.missingError(v.(*pycompat.Dict)); got != c.want {
			t.Errorf("%s: %q, want %q", c.args, got, c.want)
		}
	}
}

func TestSecurityRisk(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want string // repr; "" = not a member (popped)
	}{
		{`-1`, "<ActionSecurityRisk.UNKNOWN: -1>"}, {`0`, "<ActionSecurityRisk.LOW: 0>"}, {`1`, "<ActionSecurityRisk.MEDIUM: 1>"},
		{`2`, "<ActionSecurityRisk.HIGH: 2>"}, {`2.0`, "<ActionSecurityRisk.HIGH: 2>"}, {`true`, "<ActionSecurityRisk.MEDIUM: 1>"},
		{`false`, "<ActionSecurityRisk.LOW: 0>"}, {`3`, ""}, {`1.5`, ""}, {`"1"`, ""}, {`[1]`, ""}, {`{}`, ""},
		{`99999999999999999999`, ""},
	}
	for _, c := range cases {
		v, _ := pycompat.Decode([]byte(c.in))
		m, ok := securityRisk(v)
		got := ""
		if ok {
			got = pycompat.Repr(m)
		}
		if got != c.want {
			t.Errorf("%s: %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCondensationValid(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		`{}`:                              false,
		`{"forgotten_event_ids":[1]}`:     true,
		`{"forgotten_event_ids":null}`:    false,
		`{"forgotten_events_start_id":1}`: false,
		`{"forgotten_events_start_id":1,"forgotten_events_end_id":3}`:                           true,
		`{"forgotten_event_ids":[1],"forgotten_events_start_id":1,"forgotten_events_end_id":3}`: false,
		`{"forgotten_event_ids":[],"summary":"s"}`:                                              false,
		`{"forgotten_event_ids":[],"summary":"s","summary_offset":0}`:                           true,
	}
	for in, want := range cases {
		v, _ := pycompat.Decode([]byte(in))
		if got := condensationValid(v.(*pycompat.Dict)); got != want {
			t.Errorf("%s: %v", in, got)
		}
	}
}

func TestPyFloatString(t *testing.T) {
	t.Parallel()
	ok := map[string]float64{"5": 5, " 2.5 ": 2.5, "1_000": 1000, "1e3": 1000, "-0.5": -0.5, "+3": 3, ".5": 0.5, "5.": 5, "1_0.2_5": 10.25}
	for in, want := range ok {
		if f, good := pyFloatString(in); !good || f != want {
			t.Errorf("float(%q) = %v %v", in, f, good)
		}
	}
	for _, in := range []string{"", "x", "1__0", "_1", "1_", "0x10", "1_.5", "1._5", "1e", "--1", "nanx"} {
		if f, good := pyFloatString(in); good {
			t.Errorf("float(%q) accepted: %v", in, f)
		}
	}
	for _, in := range []string{"inf", "-Infinity", "nan", " NaN "} {
		if _, good := pyFloatString(in); !good {
			t.Errorf("float(%q) refused", in)
		}
	}
}

// TestArgTypes: what the handlers' argument types make of each JSON value.
func TestArgTypes(t *testing.T) {
	t.Parallel()
	var s struct {
		S pyStr   `json:"s"`
		B pyBool  `json:"b"`
		I pyIndex `json:"i"`
	}
	cases := []struct {
		in          string
		str, notStr string
		b           bool
		idx         int // -99: nil
		wrong       bool
	}{
		{`{"s":"x","b":"x","i":3}`, "x", "", true, 3, false},
		{`{"s":5,"b":"","i":true}`, "", "int", false, 1, false},
		{`{"s":null,"b":[0],"i":null}`, "", "NoneType", true, -99, false},
		{`{"s":[],"b":{},"i":1.5}`, "", "list", false, -99, true},
		{`{"s":{},"b":0.0,"i":"2"}`, "", "dict", false, -99, true},
		{`{"s":true,"b":-1,"i":-99999999999999999999999}`, "", "bool", true, math.MinInt, false},
	}
	for _, c := range cases {
		s.S, s.B, s.I = pyStr{}, false, pyIndex{}
		d, err := pycompat.Decode([]byte(c.in))
		if err != nil {
			t.Fatal(err)
		}
		if err := (&Action{Class: "X", dict: d.(*pycompat.Dict)}).DecodeArgs(&s); err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		idx := -99
		if s.I.N != nil {
			idx = *s.I.N
		}
		if s.S.S != c.str || s.S.NotStr != c.notStr || bool(s.B) != c.b || idx != c.idx || s.I.Wrong != c.wrong {
			t.Errorf("%s: %+v", c.in, s)
		}
	}
}

// TestForeignClass: args["action"] naming another handler gives the reference's
// AttributeError for the first attribute that handler reads and the class lacks.
func TestForeignClass(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in       string
		obs, err string
	}{
		{`{"action":"think","args":{"action":"run"}}`, "'AgentThinkAction' object has no attribute 'is_static'", ""},
		{`{"action":"read","args":{"path":"a","action":"write"}}`, "", "'FileReadAction' object has no attribute 'content'"},
		{`{"action":"write","args":{"path":"a","content":"","action":"read"}}`, "", "'FileWriteAction' object has no attribute 'impl_source'"},
		{`{"action":"read","args":{"path":"a","action":"edit"}}`, "", ""}, // FileReadAction has impl_source
		{`{"action":"run","args":{"command":"x","action":"run"}}`, "", ""},
		{`{"action":"think","args":{"action":"browse"}}`, "", ""},
	}
	for _, c := range cases {
		a, err := DecodeAction(json.RawMessage(c.in))
		if err != nil {
			t.Fatal(err)
		}
		obs, err := foreignClass(a)
		gotObs, gotErr := "", ""
		if obs != nil {
			gotObs = obs.Content
		}
		if err != nil {
			gotErr = err.Error()
		}
		if gotObs != c.obs || gotErr != c.err {
			t.Errorf("%s: obs %q err %q", c.in, gotObs, gotErr)
		}
	}
}

func TestInsertLine(t *testing.T) {
	t.Parallel()
	cases := []struct {
		raw, cmd string
		n        int // -99: nil
		repr     string
		errText  string
	}{
		{``, "insert", -99, "", ""},
		{`null`, "insert", -99, "", ""},
		{`3`, "insert", 3, "3", ""},
		{`"3"`, "insert", 3, "3", ""},
		{`" +1_0 "`, "insert", 10, "10", ""},
		{`"x"`, "view", -99, "", "Invalid insert_line value: 'x'. Expected an integer."},
		{`2.0`, "insert", 2, "2.0", ""},
		{`2.5`, "insert", -99, "", "Invalid insert_line value: '2.5'. Expected an integer."},
		{`true`, "insert", 1, "True", ""},
		{`[1]`, "insert", -99, "", "'<' not supported between instances of 'list' and 'int'"},
		{`{}`, "insert", -99, "", "'<' not supported between instances of 'dict' and 'int'"},
		{`[1]`, "create", -99, "", ""},
	}
	for _, c := range cases {
		il, errText := insertLine(json.RawMessage(c.raw), c.cmd)
		n, repr := -99, ""
		if il != nil {
			n, repr = il.n, il.repr
		}
		if n != c.n || repr != c.repr || errText != c.errText {
			t.Errorf("%s/%s: %d %q %q", c.raw, c.cmd, n, repr, errText)
		}
	}
}

func TestViewRange(t *testing.T) {
	t.Parallel()
	cases := []struct {
		raw        string
		set, valid bool
		start, end int
		repr       string
	}{
		{``, false, false, 0, 0, ""},
		{`null`, false, false, 0, 0, ""},
		{`[1, 5]`, true, true, 1, 5, "[1, 5]"},
		{`[1, -1]`, true, true, 1, -1, "[1, -1]"},
		{`[true, 2]`, true, true, 1, 2, "[True, 2]"},
		{`[1.0, 2]`, true, false, 0, 0, "[1.0, 2]"},
		{`[1]`, true, false, 0, 0, "[1]"},
		{`[]`, false, false, 0, 0, "[]"},
		{`"1,2"`, true, false, 0, 0, "1,2"},
		{`0`, false, false, 0, 0, "0"},
		{`["a", "it's"]`, true, false, 0, 0, `['a', "it's"]`},
		{`[1e20, 0.0001, 1e-5]`, true, false, 0, 0, "[1e+20, 0.0001, 1e-05]"},
		{`[1.5e3, null]`, true, false, 0, 0, "[1500.0, None]"},
		{`[1, 99999999999999999999]`, true, false, 0, 0, "[1, 99999999999999999999]"},
		{`{"b": 1, "a": [2]}`, true, false, 0, 0, "{'b': 1, 'a': [2]}"}, // json.loads keeps the order
		{`{}`, false, false, 0, 0, "{}"},
	}
	for _, c := range cases {
		vr := viewRange(json.RawMessage(c.raw))
		if vr.Set != c.set || vr.Valid != c.valid || vr.Start != c.start || vr.End != c.end || vr.Repr != c.repr {
			t.Errorf("%s: %+v", c.raw, vr)
		}
	}
}
