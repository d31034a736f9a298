package telemetry

import "testing"

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
