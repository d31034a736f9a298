package shell

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// The output observer sees what bash prints, prompts removed, at growing offsets.
func TestOutputObserver(t *testing.T) {
	t.Parallel()
	s := newTestSession(t, 10*time.Second)
	var mu sync.Mutex
	var got strings.Builder
	last := int64(-1)
	s.SetOutputObserver(func(off int64, text []byte) {
		mu.Lock()
		defer mu.Unlock()
		if off < last {
			t.Errorf("offset %d after %d", off, last)
		}
		last = off
		got.Write(text)
	})
	if s.PID() <= 0 {
		t.Fatalf("PID %d", s.PID())
	}
	if _, err := s.Run(context.Background(), Request{Command: "echo observed-$((40+2))"}); err != nil {
		t.Fatal(err)
	}
	s.SetOutputObserver(nil)
	if _, err := s.Run(context.Background(), Request{Command: "echo unobserved"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if out := got.String(); !strings.Contains(out, "observed-42") || strings.Contains(out, "PS1") || strings.Contains(out, "unobserved") {
		t.Fatalf("observer saw %q", out)
	}
}

// A closed Request.InputWait returns the run at once, as a no-change timeout with its own
// suffix; the command keeps running and takes input.
func TestInputWaitReturnsEarly(t *testing.T) {
	t.Parallel()
	s := newTestSession(t, 30*time.Second)
	wait := make(chan struct{})
	close(wait)
	res, err := s.Run(context.Background(), Request{Command: `read -p "name? " x; echo "hi $x"`, InputWait: wait})
	if err != nil {
		t.Fatal(err)
	}
	if res.Suffix != InputWaitSuffix || res.Metadata.ExitCode != -1 {
		t.Fatalf("%+v", res)
	}
	res, err = s.Run(context.Background(), Request{Command: "bob", IsInput: true})
	if err != nil || !strings.Contains(res.Content, "hi bob") || res.Metadata.ExitCode != 0 {
		t.Fatalf("%+v %v", res, err)
	}
}
