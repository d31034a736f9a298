package executor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Action is one decoded V0 action: its type, its raw args and the top-level timeout.
// Decoding is lenient (unknown top-level keys and unknown args are ignored); each
// handler unmarshals Args into its own struct.
type Action struct {
	Type    string
	Args    json.RawMessage
	Timeout *float64 // seconds; nil when absent or null
}

// knownActions lists every action type string the reference's schema defines. Types
// outside this list are "not defined"; types inside it without a handler have "no attribute".
var knownActions = []string{
	"message", "system", "start", "read", "write", "edit", "run", "run_ipython", "browse",
	"browse_interactive", "mcp", "delegate", "think", "finish", "reject", "null", "pause",
	"resume", "stop", "change_agent_state", "push", "send_pr", "recall", "condensation",
	"condensation_request", "task_tracking", "call_tool_mcp", "loop_recovery",
}

// DecodeAction parses the value of the request's "action" key.
func DecodeAction(raw json.RawMessage) (*Action, error) {
	var top map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&top); err != nil || top == nil {
		return nil, fmt.Errorf("Unknown event type: %s", string(raw))
	}
	typRaw, ok := top["action"]
	if !ok {
		if _, isObs := top["observation"]; isObs {
			return nil, fmt.Errorf("400: Invalid action type")
		}
		return nil, fmt.Errorf("Unknown event type: %s", pyRepr(raw))
	}
	var typ string
	if err := json.Unmarshal(typRaw, &typ); err != nil {
		return nil, fmt.Errorf("'action['action']=%s' is not defined. Available actions: %s", string(typRaw), availableActions())
	}
	known := false
	for _, k := range knownActions {
		if k == typ {
			known = true
			break
		}
	}
	if !known {
		return nil, fmt.Errorf("'action['action']=%s' is not defined. Available actions: %s", pyQuote(typ), availableActions())
	}
	a := &Action{Type: typ, Args: top["args"]}
	if len(a.Args) == 0 || string(a.Args) == "null" {
		a.Args = json.RawMessage("{}")
	}
	if t, ok := top["timeout"]; ok && string(t) != "null" {
		var f float64
		if err := json.Unmarshal(t, &f); err != nil {
			return nil, fmt.Errorf("action=%s has the wrong arguments: timeout must be a number", string(raw))
		}
		a.Timeout = &f
	}
	return a, nil
}

// DecodeArgs fills v from the action's args, ignoring unknown keys.
func (a *Action) DecodeArgs(v any) error {
	if err := json.Unmarshal(a.Args, v); err != nil {
		return fmt.Errorf("action=%s has the wrong arguments: %v", a.Type, err)
	}
	return nil
}

func availableActions() string {
	var b bytes.Buffer
	b.WriteString("dict_keys([")
	for i, k := range knownActions {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(pyQuote(k))
	}
	b.WriteString("])")
	return b.String()
}

// pyQuote renders s the way Python's repr renders a simple str.
func pyQuote(s string) string {
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		return `"` + s + `"`
	}
	return "'" + s + "'"
}

// pyRepr gives a compact rendering of a JSON value for error texts.
func pyRepr(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}
