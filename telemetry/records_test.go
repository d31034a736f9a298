package telemetry

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestStoreBoundedNewestFirst(t *testing.T) {
	t.Parallel()
	s := NewStore(3)
	for i := 0; i < 5; i++ {
		s.Put(Record{ID: s.newID(), Command: "c"})
	}
	last := s.Last(0)
	if len(last) != 3 || last[0].ID != 5 || last[2].ID != 3 {
		t.Fatalf("Last: %+v", last)
	}
	if _, ok := s.Get(1); ok {
		t.Fatal("record 1 should have fallen out")
	}
	s.Put(Record{ID: 4, Command: "updated"})
	if r, _ := s.Get(4); r.Command != "updated" || len(s.Last(10)) != 3 {
		t.Fatalf("update: %+v", r)
	}
	if got := s.Last(2); len(got) != 2 || got[1].ID != 4 {
		t.Fatalf("Last(2): %+v", got)
	}
}

// A record keeps a bounded part of its command and says how long it was: a store of a
// thousand megabyte-long commands must not hold a gigabyte (before, it kept each in full).
func TestLongCommandClipped(t *testing.T) {
	t.Parallel()
	svc := New(Config{})
	defer svc.Close()
	sub, _ := svc.Hub.Subscribe(-1)
	defer svc.Hub.Unsubscribe(sub)
	cmd := "echo " + strings.Repeat("é", 1<<20) // 2-byte characters: the cut must not split one
	c := svc.Begin("run", cmd, nil)
	rec := c.End(nil, "error: "+cmd)
	if len(rec.Command) > MaxCommandBytes || len(rec.Command) < MaxCommandBytes-1 || !strings.HasPrefix(cmd, rec.Command) ||
		!utf8.ValidString(rec.Command) || rec.CommandBytes != len(cmd) {
		t.Fatalf("command: %d bytes kept, command_bytes %d, valid %v", len(rec.Command), rec.CommandBytes, utf8.ValidString(rec.Command))
	}
	if len(rec.Note) > MaxCommandBytes || !utf8.ValidString(rec.Note) {
		t.Fatalf("note: %d bytes", len(rec.Note))
	}
	if r, _ := svc.Store.Get(rec.ID); len(r.Command) > MaxCommandBytes {
		t.Fatalf("stored command: %d bytes", len(r.Command))
	}
	ev := <-sub.C
	if ev.Type != EventCommandStarted || len(ev.JSON) > 2*MaxCommandBytes {
		t.Fatalf("%s event: %d bytes", ev.Type, len(ev.JSON))
	}
	if short := svc.Begin("run", "echo hi", nil).End(nil, ""); short.Command != "echo hi" || short.CommandBytes != 7 {
		t.Fatalf("short command: %+v", short)
	}
}
