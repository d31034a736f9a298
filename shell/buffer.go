package shell

// Buffer keeps the most recent bytes of a stream, addressed by their absolute offset in the
// stream, so that a reader can follow the output from any offset it has seen (streaming,
// reconnecting clients) while memory stays bounded.
type Buffer struct {
	data  []byte // ring storage
	start int64  // absolute offset of the oldest byte kept
	end   int64  // absolute offset one past the newest byte
}

// NewBuffer keeps at most size bytes.
func NewBuffer(size int) *Buffer { return &Buffer{data: make([]byte, size)} }

// Write appends p, dropping the oldest bytes when full.
func (b *Buffer) Write(p []byte) (int, error) {
	n := len(p)
	size := int64(len(b.data))
	if int64(len(p)) > size {
		b.end += int64(len(p)) - size
		p = p[len(p)-int(size):]
	}
	for len(p) > 0 {
		i := int(b.end % size)
		c := copy(b.data[i:], p)
		p = p[c:]
		b.end += int64(c)
	}
	if b.end-b.start > size {
		b.start = b.end - size
	}
	return n, nil
}

// Start is the oldest offset still held.
func (b *Buffer) Start() int64 { return b.start }

// End is the offset one past the newest byte.
func (b *Buffer) End() int64 { return b.end }

// ReadFrom copies the bytes from offset off up to End into dst (appending) and returns the
// offset it actually started from: later than off when the bytes at off were already dropped.
func (b *Buffer) ReadFrom(off int64, dst []byte) ([]byte, int64) {
	if off < b.start {
		off = b.start
	}
	if off > b.end {
		off = b.end
	}
	size := int64(len(b.data))
	for o := off; o < b.end; {
		i := o % size
		j := size
		if b.end-o < size-i {
			j = i + (b.end - o)
		}
		dst = append(dst, b.data[i:j]...)
		o += j - i
	}
	return dst, off
}
