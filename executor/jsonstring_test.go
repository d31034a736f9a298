package executor

import (
	"bytes"
	"testing"
)

// appendJSONString must encode exactly as encoding/json with HTML escaping off.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "a\"b\\c", "\x00\x01\x1f\b\f\n\r\t", "<>&", "\u2028\u2029", "héllo 世界 🎉", "\xff\xfe bad", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := marshalNoEscape(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}
