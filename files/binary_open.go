package files

import "syscall"

// readHead reads up to len(buf) bytes from the start of path without ever blocking: the
// descriptor is non-blocking (a FIFO with no writer reads as empty, a terminal with no input
// too) and at most len(buf) bytes are read (a device such as /dev/zero never ends). It uses
// raw system calls so that Go's poller does not wait on a pollable file.
func readHead(path string, buf []byte) (int, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|openFlags, 0)
	if err != nil {
		return 0, err
	}
	defer syscall.Close(fd)
	n := 0
	for n < len(buf) {
		m, err := syscall.Read(fd, buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil || m <= 0 {
			break
		}
		n += m
	}
	return n, nil
}
