package swerex

import (
	"math"
	"strconv"
	"strings"
)

// The request models of swe-rex 1.4.0 (swerex/runtime/abstract.py) and the validation
// FastAPI + pydantic 2 apply to them: lax coercions (a "1.5" string is a float, "yes" a
// bool) and the same 422 error entries, in field order.

type kind int

const (
	kStr kind = iota
	kOptStr
	kFloat
	kOptFloat
	kBool
	kInt
	kStrList
	kStrOrList
	kOptStrMap
	kLiteral
)

type field struct {
	name string
	kind kind
	req  bool
	lits []string
}

// verr is one entry of FastAPI's 422 "detail" list.
type verr struct {
	typ   string
	loc   []any
	msg   string
	input any
	ctx   omap
}

func newVerr(typ string, loc []any, msg string, input any) verr {
	return verr{typ: typ, loc: loc, msg: msg, input: input}
}

// MarshalJSON writes the entry's keys in pydantic's order.
func (e verr) MarshalJSON() ([]byte, error) {
	m := omap{{"type", e.typ}, {"loc", e.loc}, {"msg", e.msg}, {"input", e.input}}
	if e.ctx != nil {
		m = append(m, kv{"ctx", e.ctx})
	}
	return m.MarshalJSON()
}

func locOf(base []any, more ...any) []any {
	out := make([]any, 0, len(base)+len(more))
	out = append(out, base...)
	return append(out, more...)
}

// validate checks obj against fields and returns the coerced values by name.
func validate(obj *pydict, fields []field, loc []any) (map[string]any, []verr) {
	vals := map[string]any{}
	var errs []verr
	for _, f := range fields {
		raw, present := obj.get(f.name)
		if !present {
			if f.req {
				errs = append(errs, newVerr("missing", locOf(loc, f.name), "Field required", obj))
			}
			continue
		}
		v, e := coerce(raw, f, locOf(loc, f.name))
		errs = append(errs, e...)
		if len(e) == 0 {
			vals[f.name] = v
		}
	}
	return vals, errs
}

func coerce(v any, f field, loc []any) (any, []verr) {
	one := func(typ, msg string) (any, []verr) { return nil, []verr{newVerr(typ, loc, msg, v)} }
	switch f.kind {
	case kOptStr:
		if v == nil {
			return nil, nil
		}
		fallthrough
	case kStr:
		if s, ok := v.(string); ok {
			return s, nil
		}
		return one("string_type", "Input should be a valid string")
	case kOptFloat:
		if v == nil {
			return nil, nil
		}
		fallthrough
	case kFloat:
		switch t := v.(type) {
		case float64:
			return t, nil
		case int64:
			return float64(t), nil
		case bool:
			if t {
				return 1.0, nil
			}
			return 0.0, nil
		case string:
			if x, ok := pyParseFloat(t); ok {
				return x, nil
			}
			return one("float_parsing", "Input should be a valid number, unable to parse string as a number")
		}
		return one("float_type", "Input should be a valid number")
	case kBool:
		switch t := v.(type) {
		case bool:
			return t, nil
		case int64:
			if t == 0 || t == 1 {
				return t == 1, nil
			}
			return one("bool_parsing", "Input should be a valid boolean, unable to interpret input")
		case float64:
			if t == 0 || t == 1 {
				return t == 1, nil
			}
			return one("bool_parsing", "Input should be a valid boolean, unable to interpret input")
		case string:
			switch strings.ToLower(t) {
			case "0", "off", "f", "false", "n", "no":
				return false, nil
			case "1", "on", "t", "true", "y", "yes":
				return true, nil
			}
			return one("bool_parsing", "Input should be a valid boolean, unable to interpret input")
		}
		return one("bool_type", "Input should be a valid boolean")
	case kInt:
		switch t := v.(type) {
		case int64:
			return int(t), nil
		case bool:
			if t {
				return 1, nil
			}
			return 0, nil
		case float64:
			if t == math.Trunc(t) && !math.IsInf(t, 0) && math.Abs(t) < 1<<53 {
				return int(t), nil
			}
			return one("int_from_float", "Input should be a valid integer, got a number with a fractional part")
		case string:
			if n, err := strconv.Atoi(strings.TrimSpace(t)); err == nil {
				return n, nil
			}
			return one("int_parsing", "Input should be a valid integer, unable to parse string as an integer")
		}
		return one("int_type", "Input should be a valid integer")
	case kStrList:
		return strList(v, loc)
	case kStrOrList:
		if s, ok := v.(string); ok {
			return s, nil
		}
		l, errs := strList(v, locOf(loc, "list[str]"))
		if len(errs) == 0 {
			return l, nil
		}
		return nil, append([]verr{newVerr("string_type", locOf(loc, "str"), "Input should be a valid string", v)}, errs...)
	case kOptStrMap:
		if v == nil {
			return nil, nil
		}
		m, ok := v.(*pydict)
		if !ok {
			return one("dict_type", "Input should be a valid dictionary")
		}
		out := map[string]string{}
		var errs []verr
		for _, k := range m.keys {
			s, ok := m.vals[k].(string)
			if !ok {
				errs = append(errs, newVerr("string_type", locOf(loc, k), "Input should be a valid string", m.vals[k]))
				continue
			}
			out[k] = s
		}
		if len(errs) > 0 {
			return nil, errs
		}
		return out, nil
	case kLiteral:
		if s, ok := v.(string); ok {
			for _, l := range f.lits {
				if s == l {
					return s, nil
				}
			}
		}
		exp := literalList(f.lits)
		e := newVerr("literal_error", loc, "Input should be "+exp, v)
		e.ctx = omap{{"expected", exp}}
		return nil, []verr{e}
	}
	return v, nil
}

func strList(v any, loc []any) ([]string, []verr) {
	a, ok := v.([]any)
	if !ok {
		return nil, []verr{newVerr("list_type", loc, "Input should be a valid list", v)}
	}
	out := make([]string, 0, len(a))
	var errs []verr
	for i, x := range a {
		s, ok := x.(string)
		if !ok {
			errs = append(errs, newVerr("string_type", locOf(loc, i), "Input should be a valid string", x))
			continue
		}
		out = append(out, s)
	}
	return out, errs
}

// literalList is pydantic's "'a', 'b' or 'c'".
func literalList(lits []string) string {
	q := make([]string, len(lits))
	for i, l := range lits {
		q[i] = "'" + l + "'"
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// pyParseFloat is pydantic's str → float: Python float() syntax (inf, nan, underscores
// between digits, surrounding blanks).
func pyParseFloat(s string) (float64, bool) {
	t := strings.TrimSpace(s)
	if t == "" || strings.HasPrefix(t, "_") || strings.HasSuffix(t, "_") || strings.Contains(t, "__") {
		return 0, false
	}
	switch strings.ToLower(strings.TrimLeft(t, "+-")) {
	case "inf", "infinity", "nan":
	default:
		if strings.ContainsAny(strings.ToLower(t), "xp") {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(t, "_", ""), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}

// The models. Defaults are applied by the handlers when a field is absent.
var (
	createSessionFields = []field{
		{name: "startup_source", kind: kStrList},
		{name: "session", kind: kStr},
		{name: "startup_timeout", kind: kFloat},
	}
	bashActionFields = []field{
		{name: "command", kind: kStr, req: true},
		{name: "session", kind: kStr},
		{name: "timeout", kind: kOptFloat},
		{name: "is_interactive_command", kind: kBool},
		{name: "is_interactive_quit", kind: kBool},
		{name: "check", kind: kLiteral, lits: []string{"silent", "raise", "ignore"}},
		{name: "error_msg", kind: kStr},
		{name: "expect", kind: kStrList},
	}
	interruptFields = []field{
		{name: "session", kind: kStr},
		{name: "timeout", kind: kFloat},
		{name: "n_retry", kind: kInt},
		{name: "expect", kind: kStrList},
	}
	closeSessionFields = []field{
		{name: "session", kind: kStr},
	}
	commandFields = []field{
		{name: "command", kind: kStrOrList, req: true},
		{name: "timeout", kind: kOptFloat},
		{name: "shell", kind: kBool},
		{name: "check", kind: kBool},
		{name: "error_msg", kind: kStr},
		{name: "env", kind: kOptStrMap},
		{name: "cwd", kind: kOptStr},
		{name: "merge_output_streams", kind: kBool},
	}
	readFileFields = []field{
		{name: "path", kind: kStr, req: true},
		{name: "encoding", kind: kOptStr},
		{name: "errors", kind: kOptStr},
	}
	writeFileFields = []field{
		{name: "content", kind: kStr, req: true},
		{name: "path", kind: kStr, req: true},
	}
)

// values is a validated request with the model's defaults.
type values map[string]any

func (v values) str(k, def string) string {
	if s, ok := v[k].(string); ok {
		return s
	}
	return def
}

func (v values) optStr(k string) *string {
	if s, ok := v[k].(string); ok {
		return &s
	}
	return nil
}

func (v values) float(k string, def float64) float64 {
	if f, ok := v[k].(float64); ok {
		return f
	}
	return def
}

func (v values) optFloat(k string) *float64 {
	if f, ok := v[k].(float64); ok {
		return &f
	}
	return nil
}

func (v values) boolean(k string) bool {
	b, _ := v[k].(bool)
	return b
}

func (v values) integer(k string, def int) int {
	if n, ok := v[k].(int); ok {
		return n
	}
	return def
}

func (v values) strs(k string) []string {
	s, _ := v[k].([]string)
	return s
}
