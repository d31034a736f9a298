// Package httpbody reads a request body whole, bounded, for the front doors that parse it in
// memory (the V0 door's actions, SWE-ReX's JSON bodies).
package httpbody

import (
	"errors"
	"io"
)

// ErrTooLarge is Read's error for a body longer than its limit.
var ErrTooLarge = errors.New("request body too large")

// Read reads r to its end, at most limit bytes; a longer body is ErrTooLarge, found once
// limit+1 bytes have come. The buffer is sized once from contentLength when it is known and
// within the limit (+1 for the read that sees EOF), so a large body is not copied as the
// buffer grows; without it the buffer doubles, but never past limit+1.
func Read(r io.Reader, contentLength, limit int64) ([]byte, error) {
	size := int64(64 << 10)
	if contentLength > 0 && contentLength <= limit {
		size = contentLength + 1
	}
	buf := make([]byte, 0, min(size, limit+1))
	for {
		if len(buf) == cap(buf) {
			grow := min(int64(cap(buf)), limit+1-int64(cap(buf)))
			if grow <= 0 {
				return nil, ErrTooLarge
			}
			buf = append(make([]byte, 0, int64(cap(buf))+grow), buf...)
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			if int64(len(buf)) > limit {
				return nil, ErrTooLarge
			}
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
