package files

import (
	"unicode/utf8"
	"unsafe"
)

// utf8View returns data as a string without copying it. The caller must not modify data
// afterwards; it is used for file contents read once and then only read.
func utf8View(data []byte) (string, error) {
	if !utf8.Valid(data) {
		return "", utf8Error("utf-8", data)
	}
	if len(data) == 0 {
		return "", nil
	}
	return unsafe.String(&data[0], len(data)), nil
}
