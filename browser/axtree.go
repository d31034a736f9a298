package browser

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/gohands/gohands/internal/pycompat"
)

// axNode is a CDP AXNode kept as generic JSON (it is also returned as axtree_object), with
// the fields the text form reads decoded alongside.
type axNode map[string]any

// bgDataRe is BrowserGym's regexp for the data carried in ARIA strings.
var bgDataRe = regexp.MustCompile(`^browsergym_id_([a-zA-Z0-9]+)\s?((?s).*)$`)

func extractBGData(s string) (string, string, bool) {
	m := bgDataRe.FindStringSubmatch(s)
	if m == nil {
		return "", s, false
	}
	return m[1], m[2], true
}

// decodeAXNodes parses an Accessibility.getFullAXTree result, keeping numbers exact.
func decodeAXNodes(raw []byte) ([]axNode, error) {
	var res struct {
		Nodes []axNode `json:"nodes"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&res); err != nil {
		return nil, err
	}
	return res.Nodes, nil
}

// tagBIDs moves the bids mark.js pushed into roledescription / description into a
// "browsergym_id" key, restoring the original ARIA values, as BrowserGym does.
func tagBIDs(nodes []axNode) {
	for _, n := range nodes {
		var bid string
		found := false
		if props, ok := n["properties"].([]any); ok {
			for i, pr := range props {
				pm, _ := pr.(map[string]any)
				if pm["name"] != "roledescription" {
					continue
				}
				vm, _ := pm["value"].(map[string]any)
				sv, _ := vm["value"].(string)
				b, rest, ok := extractBGData(sv)
				vm["value"] = rest
				if rest == "" {
					n["properties"] = append(props[:i:i], props[i+1:]...)
				}
				if ok {
					bid, found = b, true
				}
				break
			}
		}
		if d, ok := n["description"].(map[string]any); ok {
			sv, _ := d["value"].(string)
			b, rest, ok := extractBGData(sv)
			d["value"] = rest
			if rest == "" {
				delete(n, "description")
			}
			if !found && ok {
				bid, found = b, true
			}
		}
		if found {
			n["browsergym_id"] = bid
		}
	}
}

func strField(m map[string]any, k string) (string, bool) {
	v, ok := m[k].(map[string]any)
	if !ok {
		return "", false
	}
	s, ok := v["value"].(string)
	return s, ok
}

var ignoredRoles = map[string]bool{"LineBreak": true}
var ignoredProps = map[string]bool{"editable": true, "readonly": true, "level": true, "settable": true,
	"multiline": true, "invalid": true, "focusable": true}

// flattenAXTree is BrowserGym's flatten_axtree_to_str(with_clickable=True,
// skip_generic=False) with its other defaults (static text repeated in the parent's name
// removed, no visibility filter unless asked).
func flattenAXTree(nodes []axNode, props extraProps, filterVisible bool) string {
	idx := make(map[string]int, len(nodes))
	for i, n := range nodes {
		idx[idString(n["nodeId"])] = i
	}
	var dfs func(i, depth int, parentFiltered bool, parentName string) string
	visiting := make([]bool, len(nodes))
	dfs = func(i, depth int, parentFiltered bool, parentName string) string {
		if visiting[i] { // a malformed tree with a cycle
			return ""
		}
		visiting[i] = true
		defer func() { visiting[i] = false }()
		var b strings.Builder
		n := nodes[i]
		role, _ := strField(n, "role")
		skip, filter := false, false
		name := ""
		switch {
		case ignoredRoles[role]:
			skip = true
		case n["name"] == nil:
			skip = true
		default:
			name, _ = strField(n, "name")
			var valueRepr *string
			if vm, ok := n["value"].(map[string]any); ok {
				if v, ok := vm["value"]; ok {
					r := pyValueRepr(v)
					valueRepr = &r
				}
			}
			bid, hasBid := n["browsergym_id"].(string)
			var attrs []string
			if ps, ok := n["properties"].([]any); ok {
				for _, pr := range ps {
					pm, _ := pr.(map[string]any)
					vm, ok := pm["value"].(map[string]any)
					if !ok {
						continue
					}
					pv, ok := vm["value"]
					if !ok {
						continue
					}
					pn, _ := pm["name"].(string)
					switch {
					case ignoredProps[pn]:
					case pn == "required" || pn == "focused" || pn == "atomic":
						if pyTruthy(pv) {
							attrs = append(attrs, pn)
						}
					default:
						attrs = append(attrs, pn+"="+pyValueRepr(pv))
					}
				}
			}
			if role == "StaticText" {
				if parentFiltered {
					skip = true
				} else if strings.Contains(parentName, name) {
					skip = true
				}
			} else if hasBid {
				if pr, ok := props[bid]; ok {
					if filterVisible && pr.Visibility < 0.5 {
						filter = true
					}
					if pr.Clickable {
						attrs = append([]string{"clickable"}, attrs...)
					}
				}
				skip = skip || filter
			}
			if !skip {
				var s string
				if role == "generic" && name == "" {
					s = role
				} else {
					s = role + " " + pycompat.StrRepr(pycompat.Strip(name))
				}
				if hasBid {
					s = "[" + bid + "] " + s
				}
				if valueRepr != nil {
					s += " value=" + *valueRepr
				}
				if len(attrs) > 0 {
					s += ", " + strings.Join(attrs, ", ")
				}
				b.WriteString(strings.Repeat("\t", depth))
				b.WriteString(s)
			}
		}
		if kids, ok := n["childIds"].([]any); ok {
			self := idString(n["nodeId"])
			for _, k := range kids {
				ks := idString(k)
				j, ok := idx[ks]
				if !ok || ks == self {
					continue
				}
				cd := depth + 1
				if skip {
					cd = depth
				}
				cs := dfs(j, cd, filter, name)
				if cs != "" {
					if b.Len() > 0 {
						b.WriteString("\n")
					}
					b.WriteString(cs)
				}
			}
		}
		return b.String()
	}
	if len(nodes) == 0 {
		return ""
	}
	return dfs(0, 0, false, "")
}

func idString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return ""
}

func pyTruthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x != ""
	case json.Number:
		f, _ := x.Float64()
		return f != 0
	case nil:
		return false
	}
	return true
}

// pyValueRepr is repr() of a JSON value as Python's json module decodes it.
func pyValueRepr(v any) string {
	switch x := v.(type) {
	case string:
		return pycompat.StrRepr(x)
	case bool:
		if x {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	case json.Number:
		s := x.String()
		if strings.ContainsAny(s, ".eE") {
			f, err := strconv.ParseFloat(s, 64)
			if err == nil {
				return pycompat.FloatRepr(f)
			}
		}
		return s
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyValueRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		var parts []string
		for k, e := range x {
			parts = append(parts, pycompat.StrRepr(k)+": "+pyValueRepr(e))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return "None"
}
