package telemetry

import (
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"
)

// Event types on the stream.
const (
	EventCommandStarted  = "command_started"
	EventOutput          = "output"
	EventInputWait       = "input_wait"
	EventFileChanged     = "file_changed"
	EventCommandFinished = "command_finished"
	EventGap             = "gap"
)

// Event is one entry of the live stream. JSON is encoded once, when it is published, so that
// a hundred subscribers cost a hundred channel sends, not a hundred encodings.
type Event struct {
	Seq  uint64
	Type string
	JSON []byte // {"seq":…,"type":…,"time":…,"command_id":…,"data":…}
}

// HubConfig bounds the hub's memory.
type HubConfig struct {
	RingEvents int // events kept for ?after=N replay; 0 means 4096
	RingBytes  int // bytes of encoded events kept; 0 means 8 MiB
	QueueLen   int // per-subscriber queue; 0 means 1024
}

// Hub numbers events and fans them out to subscribers. Publishing never blocks: a subscriber
// whose queue is full is dropped (its channel closed), so a slow client cannot slow a command.
type Hub struct {
	cfg HubConfig

	mu        sync.Mutex
	seq       uint64
	ring      []*Event // circular; ring[head] is the oldest of n events
	head, n   int
	ringBytes int
	subs      map[*Sub]struct{}
}

// Sub is one subscriber. C is closed when the hub drops it (queue full), closes (shutdown) or
// it unsubscribes.
type Sub struct {
	C       chan *Event
	dropped bool
	closed  bool
	reason  string
}

// Dropped reports whether the hub dropped this subscriber because it fell behind. Valid after
// C is closed.
func (s *Sub) Dropped() bool { return s.dropped }

// Reason says why C was closed by the hub ("" when the subscriber left). Valid after C is
// closed.
func (s *Sub) Reason() string { return s.reason }

// NewHub makes an empty hub.
func NewHub(cfg HubConfig) *Hub {
	if cfg.RingEvents <= 0 {
		cfg.RingEvents = 4096
	}
	if cfg.RingBytes <= 0 {
		cfg.RingBytes = 8 << 20
	}
	if cfg.QueueLen <= 0 {
		cfg.QueueLen = 1024
	}
	return &Hub{cfg: cfg, ring: make([]*Event, cfg.RingEvents), subs: map[*Sub]struct{}{}}
}

type wireEvent struct {
	Seq       uint64 `json:"seq"`
	Type      string `json:"type"`
	Time      string `json:"time"`
	CommandID int64  `json:"command_id,omitempty"`
	Data      any    `json:"data,omitempty"`
}

// Publish numbers, stores and fans out one event; it returns its sequence number.
func (h *Hub) Publish(typ string, commandID int64, data any) uint64 {
	now := time.Now().UTC().Format(time.RFC3339Nano)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	b, err := json.Marshal(wireEvent{Seq: h.seq, Type: typ, Time: now, CommandID: commandID, Data: data})
	if err != nil {
		b, _ = json.Marshal(wireEvent{Seq: h.seq, Type: typ, Time: now, CommandID: commandID,
			Data: map[string]string{"error": err.Error()}})
	}
	ev := &Event{Seq: h.seq, Type: typ, JSON: b}
	h.storeLocked(ev)
	for s := range h.subs {
		select {
		case s.C <- ev:
		default:
			s.dropped, s.reason = true, "the client fell behind"
			h.removeLocked(s)
		}
	}
	return ev.Seq
}

func (h *Hub) storeLocked(ev *Event) {
	if len(ev.JSON) > h.cfg.RingBytes {
		// Never kept: a later ?after= gets a gap for it, as for anything else that fell out.
		h.evictLocked(h.n)
		return
	}
	for h.n > 0 && (h.n == len(h.ring) || h.ringBytes+len(ev.JSON) > h.cfg.RingBytes) {
		h.evictLocked(1)
	}
	h.ring[(h.head+h.n)%len(h.ring)] = ev
	h.n++
	h.ringBytes += len(ev.JSON)
}

func (h *Hub) evictLocked(k int) {
	for ; k > 0 && h.n > 0; k-- {
		h.ringBytes -= len(h.ring[h.head].JSON)
		h.ring[h.head] = nil
		h.head = (h.head + 1) % len(h.ring)
		h.n--
	}
}

func (h *Hub) removeLocked(s *Sub) {
	if s.closed {
		return
	}
	s.closed = true
	delete(h.subs, s)
	close(s.C)
}

// Subscribers is how many subscribers are attached.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// ErrBadAfter is returned for an ?after= value that is not a sequence number.
var ErrBadAfter = errors.New("after must be a non-negative integer sequence number")

// ParseAfter reads an ?after= (or Last-Event-ID) value; "" means "only new events" (-1).
func ParseAfter(s string) (int64, error) {
	if s == "" {
		return -1, nil
	}
	n, err := strconv.ParseUint(s, 10, 63)
	if err != nil {
		return 0, ErrBadAfter
	}
	return int64(n), nil
}

// Subscribe attaches a subscriber. With after >= 0 it also returns the stored events numbered
// above after, preceded by a gap event when some of them are no longer stored (or when after
// is newer than anything this hub numbered: a client of an earlier server run). The backlog
// and the live channel neither overlap nor leave a hole.
func (h *Hub) Subscribe(after int64) (*Sub, []*Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := &Sub{C: make(chan *Event, h.cfg.QueueLen)}
	h.subs[s] = struct{}{}
	if after < 0 {
		return s, nil
	}
	first := h.seq + 1 // the oldest stored event's number
	if h.n > 0 {
		first = h.ring[h.head].Seq
	}
	from := uint64(after) + 1
	if uint64(after) > h.seq {
		from = 1 // numbers from another run of the server: everything is new to this client
	}
	var backlog []*Event
	if from < first {
		gap := map[string]any{"from": from, "to": first - 1, "reason": "events no longer stored"}
		if uint64(after) > h.seq {
			gap["reason"] = "after is newer than the newest event (the server restarted)"
		}
		b, _ := json.Marshal(wireEvent{Type: EventGap, Time: time.Now().UTC().Format(time.RFC3339Nano), Data: gap})
		backlog = append(backlog, &Event{Type: EventGap, JSON: b})
	}
	for i := 0; i < h.n; i++ {
		ev := h.ring[(h.head+i)%len(h.ring)]
		if ev.Seq >= from {
			backlog = append(backlog, ev)
		}
	}
	return s, backlog
}

// CloseAll ends every subscription (the server is shutting down: streams must not hold it).
func (h *Hub) CloseAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		s.reason = "the server is shutting down"
		h.removeLocked(s)
	}
}

// Unsubscribe detaches s and closes its channel (no-op when already dropped).
func (h *Hub) Unsubscribe(s *Sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(s)
}
