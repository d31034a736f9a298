package fault

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

func TestKindsAndChains(t *testing.T) {
	t.Parallel()
	cause := fs.ErrNotExist
	cases := []struct {
		name    string
		err     error
		kind    Kind
		msg     string
		isCause bool
	}{
		{"tool", Toolf("No match for %q", "x"), Tool, `No match for "x"`, false},
		{"invalid", Invalidf("Path must be an absolute path"), Invalid, "Path must be an absolute path", false},
		{"not found", NotFoundf("File not found"), NotFound, "File not found", false},
		{"wrapped cause", Wrap(NotFound, cause, "File not found: /a"), NotFound, "File not found: /a", true},
		{"behind %w", fmt.Errorf("download: %w", Invalidf("bad chunk")), Invalid, "bad chunk", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, ok := As(c.err)
			if !ok {
				t.Fatalf("As(%v) found no *Error", c.err)
			}
			if e.Kind != c.kind || e.Msg != c.msg {
				t.Fatalf("got kind %v msg %q, want %v %q", e.Kind, e.Msg, c.kind, c.msg)
			}
			if !Is(c.err, c.kind) {
				t.Fatalf("Is(%v, %v) = false", c.err, c.kind)
			}
			for _, other := range []Kind{Tool, Invalid, NotFound, TooLarge, Timeout, Unavailable} {
				if other != c.kind && Is(c.err, other) {
					t.Fatalf("Is(%v, %v) = true", c.err, other)
				}
			}
			if got := errors.Is(c.err, cause); got != c.isCause {
				t.Fatalf("errors.Is(cause) = %v, want %v", got, c.isCause)
			}
		})
	}
	if _, ok := As(errors.New("plain")); ok {
		t.Fatal("a plain error is not a *Error")
	}
	if Kind(99).String() != "kind(99)" || Tool.String() != "tool" {
		t.Fatal("Kind.String")
	}
}
