package swerex

import (
	"strconv"

	"github.com/gohands/gohands/internal/pycompat"
)

// A request body is decoded as Python's json.loads decodes it (pycompat): object keys keep
// their order (422 answers echo objects back), integers stay apart from floats, and a body
// it rejects gets json.loads' message and position.

// pydict is a JSON object with its keys in request order.
type pydict struct {
	keys []string
	vals map[string]any
}

func (d *pydict) get(k string) (any, bool) {
	v, ok := d.vals[k]
	return v, ok
}

// MarshalJSON writes the keys in order, without HTML escaping.
func (d *pydict) MarshalJSON() ([]byte, error) {
	m := make(omap, len(d.keys))
	for i, k := range d.keys {
		m[i] = kv{k, d.vals[k]}
	}
	return m.MarshalJSON()
}

// jsonError is a Python json.JSONDecodeError: msg and the character position.
type jsonError struct {
	msg string
	pos int
}

// parsePyJSON decodes a body: nil, bool, int64 (an integer that fits, else float64), float64,
// string, []any or *pydict. The strings alias data (pycompat.DecodeOwned), which the caller
// must not use afterwards.
func parsePyJSON(data []byte) (any, *jsonError) {
	v, err := pycompat.DecodeOwned(data)
	if err != nil {
		pos, msg, ok := pycompat.JSONError(string(data))
		if !ok { // NaN / Infinity, which json.loads takes and the decoder does not
			pos, msg = 0, "Expecting value"
		}
		return nil, &jsonError{msg: msg, pos: pos}
	}
	return fromPy(v), nil
}

func fromPy(v pycompat.Value) any {
	switch t := v.(type) {
	case pycompat.Int:
		if n, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return n
		}
		f, _ := strconv.ParseFloat(string(t), 64)
		return f
	case pycompat.Float:
		return float64(t)
	case []pycompat.Value:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = fromPy(x)
		}
		return out
	case *pycompat.Dict:
		d := &pydict{keys: append([]string(nil), t.Keys()...), vals: make(map[string]any, t.Len())}
		for _, k := range d.keys {
			x, _ := t.Get(k)
			d.vals[k] = fromPy(x)
		}
		return d
	}
	return v
}
