package executor

import (
	"context"
	"encoding/json"
	"testing"
)

// BenchmarkRunEcho is the run action of `echo hi` without HTTP, with telemetry on (records,
// file watches on the working dir, cgroup, output stream) and off: telemetry's share of the
// echo round trip.
func BenchmarkRunEcho(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "telemetry=off"
		if on {
			name = "telemetry=on"
		}
		b.Run(name, func(b *testing.B) {
			x, _ := newBenchExecutor(b, on)
			a, err := DecodeAction(json.RawMessage(`{"action":"run","args":{"command":"echo hi"},"timeout":10}`))
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				obs, err := x.Execute(context.Background(), a)
				if err != nil || obs.Content != "hi" {
					b.Fatalf("%+v %v", obs, err)
				}
			}
		})
	}
}
