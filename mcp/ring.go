package mcp

import (
	"strings"
	"sync"
)

// ring keeps the last bytes a child wrote to stderr, bounded, for error messages.
type ring struct {
	mu   sync.Mutex
	buf  []byte
	size int
}

func newRing(size int) *ring { return &ring{size: size} }

// Write keeps the last size bytes. The buffer grows to twice that before the oldest half is
// dropped, so that a write costs its own length, not a move of the whole buffer (a server
// printing short stderr lines without end moved 64 KB for each).
func (r *ring) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(p)
	if len(p) >= r.size {
		p = p[len(p)-r.size:]
		r.buf = append(r.buf[:0], p...)
		return n, nil
	}
	if len(r.buf)+len(p) > 2*r.size {
		r.buf = append(r.buf[:0], r.buf[len(r.buf)-r.size:]...)
	}
	r.buf = append(r.buf, p...)
	return n, nil
}

// tail returns the last n non-empty lines (of the last size bytes).
func (r *ring) tail(n int) string {
	r.mu.Lock()
	s := string(r.buf[max(len(r.buf)-r.size, 0):])
	r.mu.Unlock()
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	var keep []string
	for i := len(lines) - 1; i >= 0 && len(keep) < n; i-- {
		if l := strings.TrimRight(lines[i], "\r "); l != "" {
			keep = append(keep, l)
		}
	}
	for i, j := 0, len(keep)-1; i < j; i, j = i+1, j-1 {
		keep[i], keep[j] = keep[j], keep[i]
	}
	return strings.Join(keep, "\n")
}
