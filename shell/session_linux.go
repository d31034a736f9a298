package shell

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// setSaneTermios puts the tty in the mode bash reads commands in: canonical lines, signals
// on, no echo (so typed commands never appear in the output), output post-processing on.
func setSaneTermios(f *os.File) error {
	t, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		return fmt.Errorf("get termios: %w", err)
	}
	t.Lflag |= unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ECHOE | unix.ECHOK | unix.ECHOCTL | unix.ECHOKE
	t.Oflag |= unix.OPOST | unix.ONLCR
	t.Iflag |= unix.ICRNL
	t.Iflag &^= unix.IXON // ^S must not freeze the session
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(int(f.Fd()), unix.TCSETS, t); err != nil {
		return fmt.Errorf("set termios: %w", err)
	}
	return nil
}

// echoesControl reports whether the tty is in the mode where a terminal with echo on shows a
// control key as ^X: canonical input with signals (not a program's raw mode).
func echoesControl(f *os.File) bool {
	t, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil && t.Lflag&unix.ISIG != 0 && t.Lflag&unix.ICANON != 0
}

// canonicalInput reports whether the program reading the tty gets cooked lines (ICANON), as
// opposed to raw keys it echoes itself.
func canonicalInput(f *os.File) bool {
	t, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err != nil || t.Lflag&unix.ICANON != 0
}
