package e2e

import (
	"syscall"
	"testing"
	"time"
)

// BenchmarkAliveWithJupyter is the time from exec of the server to /alive answering with
// --plugins jupyter (gateway up, kernel created, init cells run). startServer polls every 20 ms.
//
//	go test ./test/e2e -run '^$' -bench AliveWithJupyter -benchtime 5x
func BenchmarkAliveWithJupyter(b *testing.B) {
	env := jupyterEnv(b)
	serverBinary(b)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		s := startServer(b, serverOpts{Plugins: []string{"jupyter"}, Env: env})
		total += time.Since(t0)
		_ = s.Cmd.Process.Signal(syscall.SIGTERM)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-to-alive")
}

// BenchmarkIPythonPrint is the round trip of print(1) through /execute_action on a warm kernel.
//
//	go test ./test/e2e -run '^$' -bench IPythonPrint -benchtime 200x
func BenchmarkIPythonPrint(b *testing.B) {
	s := startServer(b, serverOpts{Plugins: []string{"jupyter"}, Env: jupyterEnv(b)})
	s.ipy(b, "print(1)", 30)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if o := s.ipy(b, "print(1)", 30); o.body() != "1" {
			b.Fatal(o.Content)
		}
	}
}

// BenchmarkKernelRestart is the time from SIGKILL of the kernel to the next cell's answer
// (run on the replacement kernel, setup cells replayed).
//
//	go test ./test/e2e -run '^$' -bench KernelRestart -benchtime 5x
func BenchmarkKernelRestart(b *testing.B) {
	s := startServer(b, serverOpts{Plugins: []string{"agent_skills", "jupyter"}, Env: jupyterEnv(b)})
	s.ipy(b, "print(1)", 30)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		pid := detailInt(s.plugins(b)["jupyter"], "kernel_pid")
		t0 := time.Now()
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			b.Fatal(err)
		}
		if o := s.ipy(b, "print(2)", 60); o.body() != "2" {
			b.Fatal(o.Content)
		}
		total += time.Since(t0)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-to-next-cell")
}
