package browser

import (
	"context"
	"os"
	"testing"
	"time"
)

// TestNothingLeftInTMPDIR: Chromium's process-singleton dirs (org.chromium.Chromium.*, made
// in $TMPDIR and left there when the browser is killed) go into the profile, which is removed
// with the browser. Each server that had browsed left one in /tmp.
func TestNothingLeftInTMPDIR(t *testing.T) {
	if _, err := findChromium(os.Getenv("GOHANDS_CHROMIUM")); err != nil {
		t.Skipf("no chromium: %v", err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	s := New(Config{Chromium: os.Getenv("GOHANDS_CHROMIUM"), WorkingDir: t.TempDir(), MaxDownloadBytes: 1 << 20})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := s.Do(ctx, Request{Kind: Browse, URL: "about:blank"}); err != nil {
		s.Close()
		t.Fatal(err)
	}
	s.Close()
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		t.Errorf("left in TMPDIR: %s", e.Name())
	}
}
