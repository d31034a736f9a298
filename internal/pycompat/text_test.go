package pycompat

import "testing"

func TestDecodeUTF8Backslash(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"héllo", "héllo"},
		{"a\xffb", `a\xffb`},
		{"\xe2\x82A", `\xe2\x82A`},
		{"\xed\xa0\x80", `\xed\xa0\x80`}, // a surrogate is not valid UTF-8 for Python either
		{"\x00\x0a", "\x00\n"},
	} {
		if got := DecodeUTF8Backslash([]byte(c.in)); got != c.want {
			t.Errorf("DecodeUTF8Backslash(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
