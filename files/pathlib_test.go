package files

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gohands/gohands/internal/fault"
)

func strp(s string) *string { return &s }

func TestReadText(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	crlf := write("crlf", "a\r\nb\rc\n")
	bin := write("bin", "a\xffb")
	for _, c := range []struct {
		name      string
		path      string
		enc, errs *string
		want      string
		errText   string
	}{
		{"universal newlines", crlf, nil, nil, "a\nb\nc\n", ""},
		{"strict", bin, nil, nil, "", "'utf-8' codec can't decode byte 0xff in position 1: invalid start byte"},
		{"replace", bin, nil, strp("replace"), "a\ufffdb", ""},
		{"ignore", bin, nil, strp("ignore"), "ab", ""},
		{"backslashreplace", bin, nil, strp("backslashreplace"), `a\xffb`, ""},
		{"latin-1", bin, strp("Latin_1"), nil, "a\u00ffb", ""},
		{"ascii", bin, strp("ascii"), nil, "", "'ascii' codec can't decode byte 0xff in position 1: ordinal not in range(128)"},
		{"unknown encoding", bin, strp("bogus"), nil, "", "unknown encoding: bogus"},
		{"unknown handler", bin, nil, strp("nope"), "", "unknown error handler name 'nope'"},
		{"missing", filepath.Join(dir, "nope"), nil, nil, "", "no such file or directory"},
		{"directory", dir, nil, nil, "", "is a directory"},
	} {
		got, err := ReadText(c.path, c.enc, c.errs, 0)
		if c.errText != "" {
			if err == nil || !strings.Contains(err.Error(), c.errText) {
				t.Errorf("%s: %q %v, want error %q", c.name, got, err, c.errText)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %q %v, want %q", c.name, got, err, c.want)
		}
	}
}

// TestReadTextSpecialFiles: a FIFO nobody writes to and an endless device neither hang nor
// fill memory.
func TestReadTextSpecialFiles(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if got, err := ReadText(fifo, nil, nil, 0); err != nil || got != "" {
			t.Errorf("fifo: %q %v", got, err)
		}
		if _, err := ReadText("/dev/zero", nil, nil, 0); !fault.Is(err, fault.TooLarge) {
			t.Errorf("/dev/zero: %v, want TooLarge", err)
		}
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("ReadText hung on a special file")
	}
}

// TestReadTextSilentWriter: a FIFO whose writer has written a little and stays open gives
// what is there now, without waiting for more (os.File would park the read in the poller).
func TestReadTextSilentWriter(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := os.OpenFile(fifo, os.O_RDWR, 0) // a writer that never closes
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.WriteString("partial"); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if got, err := ReadText(fifo, nil, nil, 0); err != nil || got != "partial" {
			t.Errorf("fifo: %q %v", got, err)
		}
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("ReadText waited for a writer that stays silent")
	}
}
