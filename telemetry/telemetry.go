// Package telemetry is the service that watches what commands do: one record per action
// (times, exit code, output size, CPU and peak memory, file changes, whether it waits for
// input), kept in a bounded store, and a live event stream with replay. The front doors hand
// it their actions; it never imports them.
package telemetry

import (
	"sync"
	"sync/atomic"
	"time"
)

// Config bounds and tunes the service. Zero values pick the defaults.
type Config struct {
	Hub        HubConfig
	Files      FilesConfig
	MaxRecords int  // records kept for GET /commands; 0 means 1000
	Cgroups    bool // measure each bash session in its own cgroup v2 child when possible
	// Quiet is how long a command must print nothing before its terminal is examined for an
	// input wait; Tick is the period of that check and of the memory sampler, which run only
	// while a command runs. 0 means 100 ms each.
	Quiet time.Duration
	Tick  time.Duration
}

// Service is the telemetry of one server.
type Service struct {
	cfg   Config
	Hub   *Hub
	Store *Store
	files *Tracker
}

// New starts the service (and the file watches of cfg.Files.Roots).
func New(cfg Config) *Service {
	if cfg.Quiet <= 0 {
		cfg.Quiet = 100 * time.Millisecond
	}
	if cfg.Tick <= 0 {
		cfg.Tick = 100 * time.Millisecond
	}
	s := &Service{cfg: cfg, Hub: NewHub(cfg.Hub), Store: NewStore(cfg.MaxRecords)}
	s.files = NewTracker(cfg.Files, func(c *Collection, ch Change) {
		s.Hub.Publish(EventFileChanged, c.id, ch)
	})
	return s
}

// Close stops the file watches. A nil Service (telemetry off) is valid everywhere: it
// records nothing.
func (s *Service) Close() {
	if s != nil {
		s.files.Close()
	}
}

// Terminal is one bash session the service measures and watches for input waits.
type Terminal struct {
	s       *Service
	sid     int
	meter   *Meter
	pending func() bool
	cur     atomic.Pointer[Command]
}

// Attach starts measuring the bash session whose leader is sid. pending (may be nil) reports
// whether the terminal holds output not yet read: no input wait is declared while a prompt is
// still on its way to the screen.
func (s *Service) Attach(sid int, pending func() bool) *Terminal {
	if s == nil {
		return nil
	}
	return &Terminal{s: s, sid: sid, meter: NewMeter(sid, s.cfg.Cgroups), pending: pending}
}

// Close releases the session's cgroup; call it after bash has ended.
func (t *Terminal) Close() {
	if t != nil {
		t.meter.Close()
	}
}

// Meter is the terminal's resource meter.
func (t *Terminal) Meter() *Meter { return t.meter }

// Output is the terminal's output observer: off is the byte offset of text in everything
// bash printed, text what the screen got (prompts removed). It must not block: it runs in the
// PTY's reader.
func (t *Terminal) Output(off int64, text []byte) {
	if t == nil {
		return
	}
	var id int64
	if c := t.cur.Load(); c != nil {
		id = c.rec.ID
		c.outBytes.Add(int64(len(text)))
		c.lastOut.Store(time.Now().UnixNano())
	}
	t.s.Hub.Publish(EventOutput, id, outputData{Offset: off, Text: screenText(text)})
}

type outputData struct {
	Offset int64  `json:"offset"`
	Text   string `json:"text"`
}

// Command is one action being recorded.
type Command struct {
	s    *Service
	term *Terminal
	rec  Record // immutable after Begin but for the fields End fills

	files *Collection
	use   *Measurement

	outBytes atomic.Int64
	lastOut  atomic.Int64 // unix ns of the newest output (or the start)

	mu     sync.Mutex
	wait   *InputWait
	waitCh chan struct{}
	// tickMu serialises the ticks of the sampler and End; timer fires them (no goroutine
	// waits between ticks, and End does not wait for one to wake up).
	tickMu   sync.Mutex
	timer    *time.Timer
	ended    atomic.Bool
	finished bool
}

type startedData struct {
	Action  string `json:"action"`
	Command string `json:"command"`
}

// Begin starts the record of one action. term is the bash session a run action types into
// (nil for actions that run no shell command: write, edit, run_ipython).
func (s *Service) Begin(action, command string, term *Terminal) *Command {
	if s == nil {
		return nil
	}
	now := time.Now()
	c := &Command{s: s, term: term, waitCh: make(chan struct{})}
	command, n := clip(command, MaxCommandBytes), len(command)
	c.rec = Record{ID: s.Store.newID(), Action: action, Command: command, CommandBytes: n, Start: now.UTC(), Running: true,
		Usage: Usage{Method: "none"}, Files: FileChanges{Changes: []Change{}}}
	c.lastOut.Store(now.UnixNano())
	s.Store.Put(c.rec)
	s.Hub.Publish(EventCommandStarted, c.rec.ID, startedData{Action: action, Command: command})
	c.files = s.files.Begin(c.rec.ID)
	if term != nil {
		c.use = term.meter.Begin()
		term.cur.Store(c)
		c.tickMu.Lock()
		// The first sample comes early: short processes are over before a full tick.
		c.timer = time.AfterFunc(10*time.Millisecond, c.tick)
		c.tickMu.Unlock()
	}
	return c
}

// ID is the record's id.
func (c *Command) ID() int64 {
	if c == nil {
		return 0
	}
	return c.rec.ID
}

// InputWait is closed when the command is found waiting for terminal input (never, for the
// nil Command of a nil Service).
func (c *Command) InputWait() <-chan struct{} {
	if c == nil {
		return nil
	}
	return c.waitCh
}

// tick samples memory and looks for an input wait while the command runs; between ticks
// nothing runs, so an idle server does no work.
func (c *Command) tick() {
	c.tickMu.Lock()
	defer c.tickMu.Unlock()
	if c.ended.Load() {
		return
	}
	c.use.Sample()
	c.mu.Lock()
	looking := c.wait == nil
	c.mu.Unlock()
	if looking && time.Since(time.Unix(0, c.lastOut.Load())) >= c.s.cfg.Quiet &&
		(c.term.pending == nil || !c.term.pending()) {
		if w, ok := DetectInputWait(c.term.sid); ok {
			w.Since = time.Now().UTC().Format(time.RFC3339Nano)
			c.mu.Lock()
			c.wait = &w
			c.mu.Unlock()
			c.s.Hub.Publish(EventInputWait, c.rec.ID, w)
			close(c.waitCh)
		}
	}
	c.timer.Reset(c.s.cfg.Tick)
}

type finishedData struct {
	ExitCode        *int    `json:"exit_code"`
	DurationSeconds float64 `json:"duration_seconds"`
	OutputBytes     int64   `json:"output_bytes"`
	Usage           Usage   `json:"usage"`
	FilesChanged    int     `json:"files_changed"`
	WaitingForInput bool    `json:"waiting_for_input"`
}

// End completes the record: exitCode is the action's exit code (nil when it has none), note
// anything worth saying (e.g. "timed out; still running"). It returns the stored record.
func (c *Command) End(exitCode *int, note string) Record {
	if c == nil {
		return Record{}
	}
	c.mu.Lock()
	if c.finished {
		c.mu.Unlock()
		r, _ := c.s.Store.Get(c.rec.ID)
		return r
	}
	c.finished = true
	c.mu.Unlock()
	if c.term != nil {
		c.ended.Store(true)
		c.timer.Stop()
		c.tickMu.Lock() // a tick that is running finishes first
		c.timer.Stop()  // and may have re-armed the timer
		c.tickMu.Unlock()
		c.term.cur.CompareAndSwap(c, nil)
	}
	end := time.Now()
	r := c.rec
	endUTC := end.UTC()
	r.End, r.Running = &endUTC, false
	r.DurationSeconds = end.Sub(c.rec.Start).Seconds()
	r.ExitCode = exitCode
	r.OutputBytes = c.outBytes.Load()
	r.Note = clip(note, MaxCommandBytes)
	if c.use != nil {
		r.Usage = c.use.End()
	}
	r.Files = c.files.End()
	if r.Files.Method == "scan" {
		// A scan finds changes only now; inotify reported them as they happened.
		for _, ch := range r.Files.Changes {
			c.s.Hub.Publish(EventFileChanged, r.ID, ch)
		}
	}
	c.mu.Lock()
	r.InputWait = c.wait
	c.mu.Unlock()
	r.WaitingForInput = r.InputWait != nil
	c.s.Store.Put(r)
	c.s.Hub.Publish(EventCommandFinished, r.ID, finishedData{ExitCode: exitCode, DurationSeconds: r.DurationSeconds,
		OutputBytes: r.OutputBytes, Usage: r.Usage, FilesChanged: r.Files.Total, WaitingForInput: r.WaitingForInput})
	return r
}
