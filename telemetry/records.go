package telemetry

import (
	"sync"
	"time"
	"unicode/utf8"
)

// Record is what one action did: the command, its times, exit code, output size, resource use,
// file changes and whether it ended up waiting for input. It is the body of GET /commands/{id}
// and the value of the "gohands_telemetry" key of a run observation's metadata.
type Record struct {
	ID              int64       `json:"id"`
	Action          string      `json:"action"`  // run, run_ipython, write, edit
	Command         string      `json:"command"` // at most MaxCommandBytes of it
	CommandBytes    int         `json:"command_bytes"`
	Start           time.Time   `json:"start"`
	End             *time.Time  `json:"end"` // null while running
	DurationSeconds float64     `json:"duration_seconds"`
	Running         bool        `json:"running"`
	ExitCode        *int        `json:"exit_code"` // null: none (still running, timed out, or not a command)
	OutputBytes     int64       `json:"output_bytes"`
	Usage           Usage       `json:"usage"`
	Files           FileChanges `json:"files"`
	WaitingForInput bool        `json:"waiting_for_input"`
	InputWait       *InputWait  `json:"input_wait,omitempty"`
	Note            string      `json:"note,omitempty"`
}

// MaxCommandBytes bounds the command text (and the note) a record and its command_started
// event keep: a store of MaxRecords full commands (a run may carry megabytes, a cell more) held
// hundreds of megabytes for as long as the server ran. CommandBytes is the full length.
const MaxCommandBytes = 4096

// clip cuts s to at most n bytes, at a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Usage is the CPU time and peak memory of the processes a command ran.
type Usage struct {
	CPUUserSeconds   float64 `json:"cpu_user_seconds"`
	CPUSystemSeconds float64 `json:"cpu_system_seconds"`
	PeakRSSBytes     int64   `json:"peak_rss_bytes"`
	// Method names how it was measured: "cgroup2" (cpu.stat and memory.peak of the session's
	// cgroup), "cgroup2-cpu+proc-sampler" (cgroup CPU, sampled memory), "proc-sampler"
	// (/proc samples plus the times of children bash reaped), or "none".
	Method string `json:"method"`
	Note   string `json:"note,omitempty"`
}

// Store keeps the last N records, newest last. Records are values: a reader never sees one
// being changed.
type Store struct {
	mu   sync.Mutex
	max  int
	next int64
	// recs is a ring once full: recs[head] is the oldest record, recs[head-1] the newest, so
	// that storing a record never moves the others. at finds a record's slot by its id.
	recs []Record
	head int
	at   map[int64]int
}

// NewStore keeps at most max records (0 means 1000).
func NewStore(max int) *Store {
	if max <= 0 {
		max = 1000
	}
	return &Store{max: max, at: map[int64]int{}}
}

// newID reserves the next id.
func (s *Store) newID() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	return s.next
}

// Put stores r, replacing the record with the same id if it is still kept.
func (s *Store) Put(r Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.at[r.ID]; ok {
		s.recs[i] = r
		return
	}
	if len(s.recs) < s.max {
		s.at[r.ID] = len(s.recs)
		s.recs = append(s.recs, r)
		return
	}
	delete(s.at, s.recs[s.head].ID)
	s.recs[s.head] = r
	s.at[r.ID] = s.head
	s.head = (s.head + 1) % len(s.recs)
}

// Get returns the record id, if it is still kept.
func (s *Store) Get(id int64) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.at[id]; ok {
		return s.recs[i], true
	}
	return Record{}, false
}

// Last returns up to n records, newest first.
func (s *Store) Last(n int) []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := len(s.recs)
	if n <= 0 || n > k {
		n = k
	}
	out := make([]Record, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, s.recs[(s.head+k-i)%k])
	}
	return out
}
