package jupyter

import (
	"errors"
	"testing"
	"time"
)

func TestTimeoutInterrupts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startGateway(t, Config{Dir: dir, Debug: true})
	r, err := s.exec(t, "import time\ninterrupted = False\ntry:\n    time.sleep(60)\nexcept KeyboardInterrupt:\n    interrupted = True\n    raise\n", 2*time.Second, dir)
	if err != nil || !r.TimedOut {
		t.Fatalf("timeout: %+v %v", r, err)
	}
	r, err = s.exec(t, "print(interrupted)", 20*time.Second, dir)
	if err != nil || r.Text != "True\n" {
		t.Fatalf("after interrupt: %+v %v", r, err)
	}
}

func TestKernelDeathAndOutputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startGateway(t, Config{Dir: dir, Setup: []string{"setup_ran = True"}})
	steps := []struct {
		code    string
		want    string
		outputs int
		err     error
	}{
		{code: "a = 1", want: "", outputs: 0},
		// ipykernel batches a cell's stream writes on a timer: one or more outputs (a busy
		// machine splits even one print), one text.
		{code: "print('x', end=''); print('y')", want: "xy\n", outputs: -1},
		{code: "a + 1", want: "2", outputs: 1},
		{code: "print(setup_ran)", want: "True\n", outputs: -1},
		{code: "import os; os._exit(1)", err: ErrKernelDied},
		{code: "print('a' in globals(), setup_ran)", want: "False True\n", outputs: -1},
	}
	for _, st := range steps {
		r, err := s.exec(t, st.code, 60*time.Second, dir)
		if st.err != nil {
			if !errors.Is(err, st.err) {
				t.Fatalf("%s: err %v, want %v", st.code, err, st.err)
			}
			continue
		}
		if err != nil || r.Text != st.want || st.outputs >= 0 && r.Outputs != st.outputs || st.outputs < 0 && r.Outputs < 1 {
			t.Fatalf("%s: %+v %v", st.code, r, err)
		}
	}
}

// BenchmarkExecutePrint measures the round trip of print(1) in a warm kernel.
func BenchmarkExecutePrint(b *testing.B) {
	dir := b.TempDir()
	s := startGateway(b, Config{Dir: dir})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := s.exec(b, "print(1)", 0, dir)
		if err != nil || r.Text != "1\n" {
			b.Fatalf("%+v %v", r, err)
		}
	}
}
