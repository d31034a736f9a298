package jupyter

import (
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
