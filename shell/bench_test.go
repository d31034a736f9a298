package shell

import (
	"context"
	"strings"
	"testing"
	"time"
)

// BenchmarkEchoRoundTrip measures one `echo hi` through the persistent session (no HTTP).
func BenchmarkEchoRoundTrip(b *testing.B) {
	s := newBenchSession(b)
	req := Request{Command: "echo hi", Timeout: 10 * time.Second}
	for i := 0; i < b.N; i++ {
		if r, err := s.Run(context.Background(), req); err != nil || r.Content != "hi" {
			b.Fatalf("%+v", r)
		}
	}
}

// BenchmarkLargeOutput measures a command printing 200 MB (not held in memory).
func BenchmarkLargeOutput(b *testing.B) {
	s := newBenchSession(b)
	req := Request{Command: "head -c 200000000 /dev/zero | tr '\\0' 'x' | fold -w 100", Timeout: 600 * time.Second, Blocking: true}
	for i := 0; i < b.N; i++ {
		r, _ := s.Run(context.Background(), req)
		if r.Metadata.ExitCode != 0 || !strings.Contains(r.Prefix, "truncated") {
			b.Fatalf("%+v", r.Metadata)
		}
	}
	b.SetBytes(200000000 + 2000000)
}

func newBenchSession(b *testing.B) *Session {
	b.Helper()
	home := b.TempDir()
	s, err := Start(Config{User: User{Name: "bench", Home: home}, WorkDir: b.TempDir(), Env: []string{"HOME=" + home}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	return s
}
