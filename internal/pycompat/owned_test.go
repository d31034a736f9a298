package pycompat

import (
	"reflect"
	"testing"
)

// DecodeOwned must decode exactly as Decode does (values, key order, errors).
func FuzzDecodeOwned(f *testing.F) {
	for _, s := range []string{`{"action": {"action": "write", "args": {"path": "/a", "content": "x\ny\t\"q\" \u00e9\ud83c\udf89 \ud800 end"}}}`,
		`[1, -0, 2.5e3, true, false, null, "", {}, []]`, `{"a": 1, "a": 2, "b": {"c": [1, {"d": "\/"}]}}`, "\"\xff\xfe raw\"", "\"\xff\\n\"",
		`"\udc00\ud800\u0041"`, `  "pad"  `, `{"k":"v"} x`, `{"a":}`, `1e999`, `-0.0`, `"\ud83c"`, `"\u00"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, werr := Decode(append([]byte(nil), data...))
		got, gerr := DecodeOwned(append([]byte(nil), data...))
		if (werr != nil) != (gerr != nil) || (werr != nil && werr.Error() != gerr.Error()) {
			t.Fatalf("errors differ on %q: %v / %v", data, werr, gerr)
		}
		if werr == nil && (!reflect.DeepEqual(got, want) || Repr(got) != Repr(want)) {
			t.Fatalf("%q: got %s, want %s", data, Repr(got), Repr(want))
		}
	})
}
