package httpbody

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestRead(t *testing.T) {
	t.Parallel()
	broken := errors.New("cut short")
	cases := []struct {
		name          string
		r             io.Reader
		contentLength int64
		limit         int64
		want          string
		err           error
	}{
		{"empty", strings.NewReader(""), 0, 10, "", nil},
		{"sized", strings.NewReader("hello"), 5, 10, "hello", nil},
		{"unsized", strings.NewReader("hello"), -1, 10, "hello", nil},
		{"at the limit", strings.NewReader("0123456789"), -1, 10, "0123456789", nil},
		{"one past", strings.NewReader("0123456789a"), -1, 10, "", ErrTooLarge},
		{"declared short, longer", strings.NewReader("0123456789abc"), 3, 10, "", ErrTooLarge},
		{"one byte at a time", iotest.OneByteReader(strings.NewReader("hello")), 5, 10, "hello", nil},
		{"read error", io.MultiReader(strings.NewReader("ab"), iotest.ErrReader(broken)), -1, 10, "", broken},
	}
	for _, c := range cases {
		got, err := Read(c.r, c.contentLength, c.limit)
		if !errors.Is(err, c.err) || (c.err == nil && string(got) != c.want) {
			t.Errorf("%s: %q %v, want %q %v", c.name, got, err, c.want, c.err)
		}
	}
}

// A body without a length never makes the buffer grow past the limit.
func TestReadBufferBounded(t *testing.T) {
	t.Parallel()
	const limit = 1 << 20
	got, err := Read(bytes.NewReader(make([]byte, limit)), -1, limit)
	if err != nil || len(got) != limit || cap(got) > limit+1 {
		t.Fatalf("len %d cap %d %v", len(got), cap(got), err)
	}
}
