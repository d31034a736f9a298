package telemetry

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"
)

func evSeqs(evs []*Event) []uint64 {
	var out []uint64
	for _, e := range evs {
		out = append(out, e.Seq)
	}
	return out
}

func TestHubReplayAndGap(t *testing.T) {
	t.Parallel()
	cases := []struct {
		after   int64
		gap     bool
		gapFrom uint64
		seqs    []uint64
	}{
		{-1, false, 0, nil},
		{20, false, 0, nil},
		{15, false, 0, []uint64{16, 17, 18, 19, 20}},
		{12, false, 0, []uint64{13, 14, 15, 16, 17, 18, 19, 20}},
		{11, true, 12, []uint64{0, 13, 14, 15, 16, 17, 18, 19, 20}},
		{0, true, 1, []uint64{0, 13, 14, 15, 16, 17, 18, 19, 20}},
		{99, true, 1, []uint64{0, 13, 14, 15, 16, 17, 18, 19, 20}}, // a client of an earlier run
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.after), func(t *testing.T) {
			h := NewHub(HubConfig{RingEvents: 8})
			for i := 0; i < 20; i++ {
				h.Publish(EventOutput, 1, map[string]int{"i": i})
			}
			s, backlog := h.Subscribe(tc.after)
			defer h.Unsubscribe(s)
			if got := evSeqs(backlog); fmt.Sprint(got) != fmt.Sprint(tc.seqs) {
				t.Fatalf("backlog %v, want %v", got, tc.seqs)
			}
			if tc.gap {
				var g struct {
					Type string
					Data struct{ From, To uint64 }
				}
				if err := json.Unmarshal(backlog[0].JSON, &g); err != nil || g.Type != EventGap || g.Data.From != tc.gapFrom || g.Data.To != 12 {
					t.Fatalf("gap event %s (%v)", backlog[0].JSON, err)
				}
			}
			// Live events follow the backlog with nothing missing.
			h2 := h.Publish(EventOutput, 1, nil)
			if ev := <-s.C; ev.Seq != h2 {
				t.Fatalf("live event %d, want %d", ev.Seq, h2)
			}
		})
	}
}

// The ring is bounded in bytes too; an event larger than the whole ring is never kept.
func TestHubRingBytes(t *testing.T) {
	t.Parallel()
	h := NewHub(HubConfig{RingEvents: 1000, RingBytes: 4096})
	big := make([]byte, 1000)
	for i := range big {
		big[i] = 'x'
	}
	for i := 0; i < 100; i++ {
		h.Publish(EventOutput, 0, string(big))
	}
	h.mu.Lock()
	n, bytes := h.n, h.ringBytes
	h.mu.Unlock()
	if bytes > 4096 || n > 4 || n == 0 {
		t.Fatalf("ring holds %d events, %d bytes", n, bytes)
	}
	h.Publish(EventOutput, 0, string(make([]byte, 10000)))
	_, backlog := h.Subscribe(0)
	if len(backlog) != 1 || backlog[0].Type != EventGap {
		t.Fatalf("backlog after an oversized event: %d events", len(backlog))
	}
}

// A subscriber that never reads is dropped when its queue is full; publishing never blocks,
// and the other subscribers get everything.
func TestHubSlowSubscriberDropped(t *testing.T) {
	t.Parallel()
	h := NewHub(HubConfig{QueueLen: 16})
	stuck, _ := h.Subscribe(-1)
	var readers []*Sub
	for i := 0; i < 100; i++ {
		s, _ := h.Subscribe(-1)
		readers = append(readers, s)
	}
	var wg sync.WaitGroup
	got := make([]int, len(readers))
	for i, s := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range s.C {
				got[i]++
				if got[i] == 1000 {
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		for i := 0; i < 1000; i++ {
			h.Publish(EventOutput, 0, i)
			if i%10 == 9 {
				time.Sleep(time.Millisecond) // let the readers keep up; the stuck one never does
			}
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("Publish blocked")
	}
	if _, open := <-stuck.C; open {
		for range stuck.C {
		}
	}
	if !stuck.Dropped() {
		t.Fatal("the stuck subscriber was not marked dropped")
	}
	wg.Wait()
	for i, s := range readers {
		if s.Dropped() {
			t.Logf("reader %d fell behind too (busy machine)", i)
			continue
		}
		if got[i] != 1000 {
			t.Fatalf("reader %d got %d events", i, got[i])
		}
	}
	if n := h.Subscribers(); n > len(readers) {
		t.Fatalf("%d subscribers left", n)
	}
}

func TestParseAfter(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"": -1, "0": 0, "17": 17, "9223372036854775807": 9223372036854775807} {
		if got, err := ParseAfter(in); err != nil || got != want {
			t.Errorf("ParseAfter(%q) = %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"-1", "abc", "1.5", " 1", "0x10", "99999999999999999999", "1e3", "١٢"} {
		if _, err := ParseAfter(in); err == nil {
			t.Errorf("ParseAfter(%q) accepted", in)
		}
	}
}

func FuzzParseAfter(f *testing.F) {
	for _, s := range []string{"", "0", "12", "-1", "x", "18446744073709551616"} {
		f.Add(s)
	}
	h := NewHub(HubConfig{RingEvents: 4})
	for i := 0; i < 10; i++ {
		h.Publish(EventOutput, 0, i)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseAfter(s)
		if err != nil {
			return
		}
		if n < -1 {
			t.Fatalf("ParseAfter(%q) = %d", s, n)
		}
		sub, backlog := h.Subscribe(n)
		defer h.Unsubscribe(sub)
		if len(backlog) > 5 {
			t.Fatalf("backlog of %d from a ring of 4", len(backlog))
		}
	})
}

func BenchmarkHubPublish(b *testing.B) {
	h := NewHub(HubConfig{})
	s, _ := h.Subscribe(-1)
	go func() {
		for range s.C {
		}
	}()
	text := outputData{Offset: 1, Text: "a line of output, as a build prints it\n"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		h.Publish(EventOutput, 1, text)
	}
	b.StopTimer()
	h.Unsubscribe(s)
}

func TestHubCloseAll(t *testing.T) {
	t.Parallel()
	h := NewHub(HubConfig{})
	s, _ := h.Subscribe(-1)
	h.CloseAll()
	if _, open := <-s.C; open || s.Dropped() || s.Reason() == "" || h.Subscribers() != 0 {
		t.Fatalf("open %v dropped %v reason %q", open, s.Dropped(), s.Reason())
	}
	h.Unsubscribe(s) // no double close
	h.Publish(EventOutput, 0, nil)
}
