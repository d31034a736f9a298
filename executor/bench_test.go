package executor

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohands/gohands/telemetry"
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

// BenchmarkEventsSSE is how many events per second one SSE client over loopback HTTP
// receives (each an output event of an 80-byte line).
func BenchmarkEventsSSE(b *testing.B) {
	x, srv := newBenchExecutor(b, true)
	resp, err := http.Get(srv.URL + "/events")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	waitUntil(b, "subscribed", func() bool { return x.tel.Hub.Subscribers() == 1 })
	line := strings.Repeat("x", 79) + "\n"
	b.ResetTimer()
	start := time.Now()
	var got atomic.Int64
	go func() {
		// At most half a queue in flight: the rate the stream sustains, not the drop.
		for i := 0; i < b.N; i++ {
			for int64(i)-got.Load() > 512 {
				runtime.Gosched()
			}
			x.tel.Hub.Publish(telemetry.EventOutput, 1, map[string]any{"offset": i * 80, "text": line})
		}
	}()
	for got.Load() < int64(b.N) {
		l, err := r.ReadString('\n')
		if err != nil {
			b.Fatalf("after %d events: %v", got.Load(), err)
		}
		if strings.HasPrefix(l, "data: ") {
			got.Add(1)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}
