package mcp

import (
	"fmt"
	"strings"
	"testing"
)

// TestRingKeepsTheTail: after many short writes and a long one, tail gives the last lines and
// the buffer stays within twice its size.
func TestRingKeepsTheTail(t *testing.T) {
	t.Parallel()
	r := newRing(1 << 10)
	for i := range 100000 {
		fmt.Fprintf(r, "line %d\n", i)
	}
	if got := r.tail(2); got != "line 99998\nline 99999" {
		t.Fatalf("tail: %q", got)
	}
	if len(r.buf) > 2<<10 {
		t.Fatalf("buffer grew to %d bytes", len(r.buf))
	}
	fmt.Fprintf(r, "%s\nlast\n", strings.Repeat("x", 5000))
	if got := r.tail(2); got != strings.Repeat("x", 1<<10-6)+"\nlast" {
		t.Fatalf("tail after a long write: %d bytes", len(got))
	}
}
