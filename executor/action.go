package executor

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/gohands/gohands/internal/pycompat"
)

// Action is one decoded V0 action: the handler to run, its args (after the reference's
// renames and drops) and the top-level timeout.
type Action struct {
	Type  string         // the handler: args["action"] when given, else the class's own type
	Class string         // the reference's class name (CmdRunAction, …)
	dict  *pycompat.Dict // the decoded args; DecodeArgs reads them into a handler's struct
	// Timeout is the top-level timeout in seconds (nil when absent or null). TimeoutErr is
	// Python's float() error for a timeout that does not convert ("could not convert …");
	// the reference raises it only where a handler reads the timeout.
	Timeout    *float64
	TimeoutErr string
}

// actionClass is one Action dataclass of the reference (openhands/events/action/*.py): the
// parameters its generated __init__ accepts, in declaration order, the first `required` of
// them without a default. action_from_dict calls Class(**args), so these decide the TypeError.
type actionClass struct {
	typ      string // the class's `action` default, its key in ACTION_TYPE_TO_CLASS
	member   string // the ActionType member of that default, for the "Available actions" repr
	name     string
	required int
	params   []string
}

// actionClasses are ACTION_TYPE_TO_CLASS in its order (openhands/events/serialization/action.py).
var actionClasses = []actionClass{
	{"null", "NULL", "NullAction", 0, []string{"action"}},
	{"run", "RUN", "CmdRunAction", 1, []string{"command", "is_input", "thought", "blocking", "is_static", "cwd", "hidden", "action", "confirmation_state", "security_risk"}},
	{"run_ipython", "RUN_IPYTHON", "IPythonRunCellAction", 1, []string{"code", "thought", "include_extra", "action", "confirmation_state", "security_risk", "kernel_init_code"}},
	{"browse", "BROWSE", "BrowseURLAction", 1, []string{"url", "thought", "action", "security_risk", "return_axtree"}},
	{"browse_interactive", "BROWSE_INTERACTIVE", "BrowseInteractiveAction", 1, []string{"browser_actions", "thought", "browsergym_send_msg_to_user", "action", "security_risk", "return_axtree"}},
	{"read", "READ", "FileReadAction", 1, []string{"path", "start", "end", "thought", "action", "security_risk", "impl_source", "view_range"}},
	{"write", "WRITE", "FileWriteAction", 2, []string{"path", "content", "start", "end", "thought", "action", "security_risk"}},
	// gohands_as_sandbox_user is gohands' own: the kernel's file_editor sets it (editArgs).
	{"edit", "EDIT", "FileEditAction", 1, []string{"path", "command", "file_text", "old_str", "new_str", "insert_line", "content", "start", "end", "thought", "action", "security_risk", "impl_source", "gohands_as_sandbox_user"}},
	{"think", "THINK", "AgentThinkAction", 0, []string{"thought", "action"}},
	{"finish", "FINISH", "AgentFinishAction", 0, []string{"final_thought", "outputs", "thought", "action"}},
	{"reject", "REJECT", "AgentRejectAction", 0, []string{"outputs", "thought", "action"}},
	{"delegate", "DELEGATE", "AgentDelegateAction", 2, []string{"agent", "inputs", "thought", "action"}},
	{"recall", "RECALL", "RecallAction", 1, []string{"recall_type", "query", "thought", "action"}},
	{"change_agent_state", "CHANGE_AGENT_STATE", "ChangeAgentStateAction", 1, []string{"agent_state", "thought", "action"}},
	{"message", "MESSAGE", "MessageAction", 1, []string{"content", "file_urls", "image_urls", "wait_for_response", "action", "security_risk"}},
	{"system", "SYSTEM", "SystemMessageAction", 1, []string{"content", "tools", "openhands_version", "agent_class", "action"}},
	{"condensation", "CONDENSATION", "CondensationAction", 0, []string{"action", "forgotten_event_ids", "forgotten_events_start_id", "forgotten_events_end_id", "summary", "summary_offset"}},
	{"condensation_request", "CONDENSATION_REQUEST", "CondensationRequestAction", 0, []string{"action"}},
	{"call_tool_mcp", "MCP", "MCPAction", 1, []string{"name", "arguments", "thought", "action", "security_risk"}},
	{"task_tracking", "TASK_TRACKING", "TaskTrackingAction", 0, []string{"command", "task_list", "thought", "action"}},
	{"loop_recovery", "LOOP_RECOVERY", "LoopRecoveryAction", 0, []string{"option", "action"}},
}

func lookupClass(typ string) *actionClass {
	for i := range actionClasses {
		if actionClasses[i].typ == typ {
			return &actionClasses[i]
		}
	}
	return nil
}

func (c *actionClass) accepts(param string) bool {
	for _, p := range c.params {
		if p == param {
			return true
		}
	}
	return false
}

// missingError is the TypeError of Class(**args) in Python 3.12 for missing required
// parameters, or "".
func (c *actionClass) missingError(args *pycompat.Dict) string {
	var missing []string
	for _, p := range c.params[:c.required] {
		if !args.Has(p) {
			missing = append(missing, pycompat.StrRepr(p))
		}
	}
	if len(missing) == 0 {
		return ""
	}
	var names string
	switch len(missing) {
	case 1:
		names = missing[0]
	case 2:
		names = missing[0] + " and " + missing[1]
	default:
		names = strings.Join(missing[:len(missing)-1], ", ") + ", and " + missing[len(missing)-1]
	}
	plural := ""
	if len(missing) > 1 {
		plural = "s"
	}
	return fmt.Sprintf("%s.__init__() missing %d required positional argument%s: %s", c.name, len(missing), plural, names)
}

// DecodeAction is the reference's event_from_dict for the value of the request's "action"
// key: the same checks in the same order, the same error texts (the caller wraps them in
// "Internal server error: "). What it does not model: pydantic validation of
// tool_call_metadata and llm_metrics.
func DecodeAction(raw json.RawMessage) (*Action, error) {
	v, err := pycompat.Decode(raw)
	top, isDict := v.(*pycompat.Dict)
	if err != nil || !isDict {
		return nil, fmt.Errorf("Unknown event type: %s", string(raw))
	}
	return decodeAction(top)
}

// decodeAction is DecodeAction of the decoded dict; it may modify top, as the reference does.
func decodeAction(top *pycompat.Dict) (*Action, error) {
	typV, ok := top.Get("action")
	if !ok {
		if top.Has("observation") {
			return nil, errors.New("400: Invalid action type")
		}
		return nil, fmt.Errorf("Unknown event type: %s", pycompat.Repr(top))
	}
	typ, _ := typV.(string)
	cls := lookupClass(typ)
	if _, isStr := typV.(string); !isStr || cls == nil {
		return nil, fmt.Errorf("'action['action']=%s' is not defined. Available actions: %s", pycompat.Repr(typV), availableActions())
	}

	// args is mutated in place, as the reference's is: the error texts below print the
	// action with its args after these steps.
	args := pycompat.NewDict()
	if a, ok := top.Get("args"); ok {
		switch t := a.(type) {
		case *pycompat.Dict:
			args = t
		case []pycompat.Value:
			return nil, errors.New("pop expected at most 1 argument, got 2") // list.pop('timestamp', None)
		default:
			return nil, fmt.Errorf("'%s' object has no attribute 'pop'", pycompat.TypeName(a))
		}
	}
	args.Pop("timestamp")
	if c, ok := args.Pop("is_confirmed"); ok && c != nil {
		args.Set("confirmation_state", c)
	}
	if u, ok := args.Pop("images_urls"); ok {
		args.Set("image_urls", u)
	}
	if r, ok := args.Get("security_risk"); ok && r != nil {
		if m, ok := securityRisk(r); ok {
			args.Set("security_risk", m)
		} else {
			args.Pop("security_risk")
		}
	}
	if err := deprecatedArgs(args); err != nil {
		return nil, err
	}
	if msg := cls.missingError(args); msg != "" {
		return nil, fmt.Errorf("action=%s has the wrong arguments: %s", pycompat.Repr(top), msg)
	}
	// Unknown keys are dropped, not a TypeError as in the reference: the contract asks for a
	// lenient server (spec §2.3), so a newer client's new fields do not break an action. The
	// kernel's file_editor passes view_range through for its `view` (editArgs).
	_, internal := args.Get("gohands_as_sandbox_user")
	for _, k := range args.Keys() {
		if !cls.accepts(k) && !(internal && cls.typ == "edit" && k == "view_range") {
			args.Pop(k)
		}
	}
	if cls.typ == "condensation" && !condensationValid(args) {
		return nil, errors.New("Invalid configuration of the optional fields.") // its __post_init__
	}
	if s, ok := top.Get("source"); ok {
		if str, _ := s.(string); str != "agent" && str != "user" && str != "environment" {
			return nil, fmt.Errorf("%s is not a valid EventSource", pycompat.Repr(s))
		}
	}

	a := &Action{Type: cls.typ, Class: cls.name, dict: args}
	if t, ok := args.Get("action"); ok {
		// run_action dispatches on the instance's `action` field, which args may override.
		name, isStr := t.(string)
		if !isStr {
			return nil, fmt.Errorf("attribute name must be string, not '%s'", pycompat.TypeName(t))
		}
		a.Type = name
	}
	if t, ok := top.Get("timeout"); ok {
		a.Timeout, a.TimeoutErr = pyFloatOf(t)
	}
	return a, nil
}

// deprecatedArgs is handle_action_deprecated_args.
func deprecatedArgs(args *pycompat.Dict) error {
	args.Pop("keep_prompt")
	args.Pop("task_completed")
	code, ok := args.Pop("translated_ipython_code")
	if !ok {
		return nil
	}
	if code != nil {
		s, isStr := code.(string)
		if !isStr {
			return fmt.Errorf("'%s' object has no attribute 'startswith'", pycompat.TypeName(code))
		}
		const prefix = "print(file_editor(**"
		if strings.HasPrefix(s, prefix) && strings.HasSuffix(s, "))") && len(s) >= len(prefix)+2 {
			// ast.literal_eval of the dict; a text it cannot parse is dropped, as there.
			if d, err := pycompat.LiteralEvalDict(s[len(prefix) : len(s)-2]); err == nil {
				for _, k := range d.Keys() {
					v, _ := d.Get(k)
					args.Set(k, v)
				}
			}
		}
	}
	if c, ok := args.Get("command"); ok && c == "view" {
		args.Pop("command")
	}
	return nil
}

// securityRisk is ActionSecurityRisk(v): a number (or bool) equal to -1, 0, 1 or 2.
func securityRisk(v pycompat.Value) (pycompat.Value, bool) {
	var f float64
	switch t := v.(type) {
	case bool:
		if t {
			f = 1
		}
	case pycompat.Int:
		n, err := strconv.Atoi(string(t))
		if err != nil {
			return nil, false
		}
		f = float64(n)
	case pycompat.Float:
		f = float64(t)
	default:
		return nil, false
	}
	names := map[float64]string{-1: "UNKNOWN", 0: "LOW", 1: "MEDIUM", 2: "HIGH"}
	name, ok := names[f]
	if !ok {
		return nil, false
	}
	n := int(f)
	return pycompat.Enum{Repr: fmt.Sprintf("<ActionSecurityRisk.%s: %d>", name, n), Value: pycompat.Int(strconv.Itoa(n))}, true
}

// condensationValid is CondensationAction._validate_field_polymorphism.
func condensationValid(args *pycompat.Dict) bool {
	set := func(k string) bool { v, ok := args.Get(k); return ok && v != nil }
	ids := set("forgotten_event_ids")
	rng := set("forgotten_events_start_id") && set("forgotten_events_end_id")
	return ids != rng && set("summary") == set("summary_offset")
}

// pyFloatOf is Python's float(v) for the timeout: nil for None.
func pyFloatOf(v pycompat.Value) (*float64, string) {
	var f float64
	switch t := v.(type) {
	case nil:
		return nil, ""
	case bool:
		if t {
			f = 1
		}
	case pycompat.Int:
		var err error
		if f, err = strconv.ParseFloat(string(t), 64); err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, "int too large to convert to float"
		}
		if math.IsInf(f, 0) {
			return nil, "int too large to convert to float"
		}
	case pycompat.Float:
		f = float64(t)
	case string:
		var ok bool
		if f, ok = pyFloatString(t); !ok {
			return nil, "could not convert string to float: " + pycompat.StrRepr(t)
		}
	default:
		return nil, "float() argument must be a string or a real number, not '" + pycompat.TypeName(v) + "'"
	}
	return &f, ""
}

// pyFloatString is float(str): surrounding whitespace, underscores between digits, inf/nan.
func pyFloatString(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case "inf", "infinity", "nan":
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	}
	if strings.Contains(s, "__") || strings.HasPrefix(strings.TrimLeft(s, "+-"), "_") || strings.HasSuffix(s, "_") ||
		strings.Contains(s, "_.") || strings.Contains(s, "._") || strings.ContainsAny(s, "xXpP") {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return f, true
}

// DecodeArgs fills the args struct v points to from the decoded args, as encoding/json
// would from their JSON (DecodeAction has checked their names): each key, in order, to the
// field its json tag names. A value of a type the handler cannot use is an error (HTTP 500);
// where the reference's own failure is known, the handler's args type catches it first
// (pyStr, pyBool, pyIndex). Strings are taken as they are: a large content is not copied.
func (a *Action) DecodeArgs(v any) error {
	sv := reflect.ValueOf(v).Elem()
	st := sv.Type()
	for _, k := range a.dict.Keys() {
		i := argField(st, k)
		if i < 0 {
			continue
		}
		val, _ := a.dict.Get(k)
		if e, ok := val.(pycompat.Enum); ok {
			val = e.Value // as its JSON is
		}
		if kind := setArg(sv.Field(i), val); kind != "" {
			t := st.Field(i).Type
			if t.Kind() == reflect.Pointer {
				t = t.Elem()
			}
			return fmt.Errorf("%s argument %s: a JSON %s cannot be a %s", a.Class, k, kind, t)
		}
	}
	return nil
}

// argField is the index of the field of st whose json tag is k, or -1.
func argField(st reflect.Type, k string) int {
	for i := 0; i < st.NumField(); i++ {
		if name, _, _ := strings.Cut(st.Field(i).Tag.Get("json"), ","); name == k {
			return i
		}
	}
	return -1
}

// setArg sets field f from v; on a type mismatch it returns the JSON kind of v ("number", …)
// and leaves f as it was. A null leaves a plain string or bool as it was, as encoding/json.
func setArg(f reflect.Value, v pycompat.Value) string {
	switch p := f.Addr().Interface().(type) {
	case *pyStr:
		if str, ok := v.(string); ok {
			*p = pyStr{S: str}
		} else {
			*p = pyStr{NotStr: pycompat.TypeName(v)}
		}
		return ""
	case *pyBool:
		*p = pyBool(pycompat.Truthy(v))
		return ""
	case *pyIndex:
		*p = indexOf(v)
		return ""
	case *json.RawMessage:
		*p = pycompat.JSON(v)
		return ""
	case *string:
		if setValue(p, v) {
			return ""
		}
	case **string:
		if setPointer(p, v) {
			return ""
		}
	case *bool:
		if setValue(p, v) {
			return ""
		}
	case **bool:
		if setPointer(p, v) {
			return ""
		}
	default:
		panic("executor: no args decoding for " + f.Type().String())
	}
	return jsonKind(v)
}

// setValue sets *p to v when v is a T; a null leaves *p as it was, as encoding/json.
func setValue[T any](p *T, v pycompat.Value) bool {
	if x, ok := v.(T); ok {
		*p = x
		return true
	}
	return v == nil
}

// setPointer sets *p to a copy of v when v is a T, and to nil when v is null.
func setPointer[T any](p **T, v pycompat.Value) bool {
	if x, ok := v.(T); ok {
		*p = &x
		return true
	}
	if v == nil {
		*p = nil
		return true
	}
	return false
}

// jsonKind is encoding/json's name for the kind of v in its type errors.
func jsonKind(v pycompat.Value) string {
	switch v.(type) {
	case bool:
		return "bool"
	case string:
		return "string"
	case []pycompat.Value:
		return "array"
	case *pycompat.Dict:
		return "object"
	}
	return "number"
}

// availableActions is str(ACTION_TYPE_TO_CLASS.keys()): the keys are ActionType members.
func availableActions() string {
	var b strings.Builder
	b.WriteString("dict_keys([")
	for i, c := range actionClasses {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("<ActionType." + c.member + ": " + pycompat.StrRepr(c.typ) + ">")
	}
	b.WriteString("])")
	return b.String()
}

// firstReads are the attributes a handler reads from its action before anything else.
var firstReads = map[string][]string{
	"run":   {"is_static"},
	"read":  {"path", "impl_source"},
	"write": {"path", "content"},
	"edit":  {"impl_source"},
}

// foreignClass answers an action whose args["action"] names another handler than its own
// class's. The reference's handler then gets an instance of the wrong class and fails on the
// first attribute it reads that the class lacks (run turns that into an error observation);
// when the class has those attributes, the handler runs on the args (nil, nil here).
func foreignClass(a *Action) (*Observation, error) {
	if a.Class == "" {
		return nil, nil
	}
	if own := lookupClass(a.Type); own != nil && own.name == a.Class {
		return nil, nil
	}
	var cls *actionClass
	for i := range actionClasses {
		if actionClasses[i].name == a.Class {
			cls = &actionClasses[i]
		}
	}
	if cls == nil {
		return nil, nil
	}
	for _, attr := range firstReads[a.Type] {
		if !cls.accepts(attr) {
			msg := fmt.Sprintf("'%s' object has no attribute '%s'", a.Class, attr)
			if a.Type == "run" {
				return ErrorObs(msg), nil
			}
			return nil, errors.New(msg)
		}
	}
	return nil, nil
}

// pyBool is an argument the reference only tests for truth: any JSON value, by Python's bool().
type pyBool bool

// pyStr is an argument the reference uses as a str: a JSON string, or the Python type name
// of what came instead (NotStr), for the error the reference's first str operation raises.
type pyStr struct {
	S      string
	NotStr string // "" for a string; else "int", "NoneType", "list", …
}

// pathlibError is the TypeError of pathlib.Path(x) for a non-str x (write resolves its path so).
func pathlibError(s pyStr) error {
	return fmt.Errorf("argument should be a str or an os.PathLike object where __fspath__ returns a str, not '%s'", s.NotStr)
}

// pyIndex is a line index used in a slice: an int (bools count) or None; anything else is the
// TypeError of the slice.
type pyIndex struct {
	N     *int
	Wrong bool
}

// indexOf is the pyIndex of v.
func indexOf(v pycompat.Value) pyIndex {
	switch t := v.(type) {
	case nil:
		return pyIndex{}
	case bool:
		n := 0
		if t {
			n = 1
		}
		return pyIndex{N: &n}
	case pycompat.Int:
		n, err := strconv.Atoi(string(t))
		if errors.Is(err, strconv.ErrRange) { // a Python int has no limit; slices clamp it
			n = math.MaxInt
			if strings.HasPrefix(string(t), "-") {
				n = math.MinInt
			}
		} else if err != nil {
			return pyIndex{Wrong: true}
		}
		return pyIndex{N: &n}
	}
	return pyIndex{Wrong: true}
}

const sliceIndexError = "slice indices must be integers or None or have an __index__ method"
