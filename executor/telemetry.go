package executor

import (
	"context"
	"sync"

	"github.com/gohands/gohands/shell"
	"github.com/gohands/gohands/telemetry"
)

// terminals maps each bash session to the telemetry terminal that measures it.
type terminals struct {
	mu sync.Mutex
	m  map[*shell.Session]*telemetry.Terminal
}

// attach starts measuring s and feeding its output to the event stream.
func (x *Executor) attach(s *shell.Session) {
	if x.tel == nil {
		return
	}
	t := x.tel.Attach(s.PID(), s.OutputPending)
	s.SetOutputObserver(t.Output)
	x.terms.mu.Lock()
	if x.terms.m == nil {
		x.terms.m = map[*shell.Session]*telemetry.Terminal{}
	}
	x.terms.m[s] = t
	x.terms.mu.Unlock()
}

// terminal is s's telemetry terminal (nil without telemetry).
func (x *Executor) terminal(s *shell.Session) *telemetry.Terminal {
	x.terms.mu.Lock()
	defer x.terms.mu.Unlock()
	return x.terms.m[s]
}

// closeSession ends bash, then releases what measured it (its cgroup can go only once bash
// has).
func (x *Executor) closeSession(s *shell.Session) {
	s.Close()
	x.terms.mu.Lock()
	t := x.terms.m[s]
	delete(x.terms.m, s)
	x.terms.mu.Unlock()
	t.Close()
}

// record wraps an action that runs no shell command (write, edit, run_ipython) in a
// telemetry record: its times and the file changes it made.
func (x *Executor) record(h handler) handler {
	return func(ctx context.Context, a *Action) (*Observation, error) {
		if x.tel == nil {
			return h(ctx, a)
		}
		c := x.tel.Begin(a.Type, actionSummary(a), nil)
		obs, err := h(ctx, a)
		note := ""
		switch {
		case err != nil:
			note = "error: " + err.Error()
		case obs != nil && obs.Observation == "error":
			note = "error: " + obs.Content
		}
		c.End(nil, note)
		return obs, err
	}
}

// actionSummary is what a record calls a write or edit ("<command> <path>") or a cell (its
// code). It reads the decoded args, never re-encoding them (a write's content may be large).
func actionSummary(a *Action) string {
	str := func(k string) string {
		v, _ := a.dict.Get(k)
		s, _ := v.(string)
		return s
	}
	if a.Type == "run_ipython" {
		return str("code")
	}
	if cmd := str("command"); cmd != "" {
		return cmd + " " + str("path")
	}
	return str("path")
}
