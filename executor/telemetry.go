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
func (x *Executor) record(h handler, what func(*Action) string) handler {
	return func(ctx context.Context, a *Action) (*Observation, error) {
		c := x.tel.Begin(a.Type, what(a), nil)
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

// actionPath is the path a write or edit action names, for its record.
func actionPath(a *Action) string {
	var p struct {
		Path    string `json:"path"`
		Command string `json:"command"`
	}
	_ = a.DecodeArgs(&p)
	if p.Command != "" {
		return p.Command + " " + p.Path
	}
	return p.Path
}

// actionCode is the code of a run_ipython action, for its record.
func actionCode(a *Action) string {
	var p struct {
		Code string `json:"code"`
	}
	_ = a.DecodeArgs(&p)
	return p.Code
}
