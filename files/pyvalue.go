package files

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// PyRepr renders a decoded JSON value (numbers as json.Number) as Python's repr of the
// equivalent Python value, for error texts that print arguments: [1, 'a'], 2.0, True, None.
func PyRepr(v any) string {
	switch t := v.(type) {
	case nil:
		return "None"
	case bool:
		if t {
			return "True"
		}
		return "False"
	case json.Number:
		s := t.String()
		if !strings.ContainsAny(s, ".eE") {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return strconv.FormatInt(n, 10)
			}
			return s
		}
		f, err := t.Float64()
		if err != nil {
			return s
		}
		return pyFloatRepr(f)
	case float64:
		return pyFloatRepr(t)
	case string:
		return pyStrRepr(t)
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = PyRepr(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyStrRepr(k) + ": " + PyRepr(t[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return ""
}

// PyTruthy is Python's bool() of a decoded JSON value.
func PyTruthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case json.Number:
		f, err := t.Float64()
		return err != nil || f != 0
	case string:
		return t != ""
	case []any:
		return len(t) > 0
	case map[string]any:
		return len(t) > 0
	}
	return true
}
