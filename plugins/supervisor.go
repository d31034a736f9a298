package plugins

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/gohands/gohands/plugins/proc"
)

// Service is one supervised plugin process.
type Service interface {
	// Name labels the process in logs and in the status.
	Name() string
	// Command returns the process for one start or restart. A nil command and nil error mean
	// the plugin has no process to run (disabled). An error is permanent: no retry.
	Command() (*exec.Cmd, error)
	// Ready blocks until the process just started serves requests. ctx ends when the process
	// exits or the supervisor stops.
	Ready(ctx context.Context) error
}

// exitHook is implemented by services that drop state when their process ends.
type exitHook interface{ Exited() }

// detailer is implemented by services that add fields to their status.
type detailer interface{ Detail() map[string]any }

// States of a supervised process.
const (
	StateStarting   = "starting"
	StateRunning    = "running"
	StateRestarting = "restarting"
	StateDisabled   = "disabled"
	StateFailed     = "failed"
	StateStopped    = "stopped"
)

// Status is what /server_info shows of one plugin.
type Status struct {
	State    string         `json:"state"`
	PID      int            `json:"pid,omitempty"`
	Restarts int            `json:"restarts"`
	LastExit string         `json:"last_exit,omitempty"`
	Error    string         `json:"error,omitempty"`
	Detail   map[string]any `json:"detail,omitempty"`
}

// Backoff bounds between restarts; it doubles per quick failure and resets after a run that
// lasted stableAfter.
type Backoff struct {
	Min, Max    time.Duration
	StableAfter time.Duration
}

// DefaultBackoff is used when a Supervisor has none.
var DefaultBackoff = Backoff{Min: 100 * time.Millisecond, Max: 10 * time.Second, StableAfter: 30 * time.Second}

// StopGrace is how long a stopping process gets after SIGTERM before SIGKILL.
const StopGrace = 3 * time.Second

// Supervisor runs services, restarts them when they die and stops them with the server.
type Supervisor struct {
	log     *log.Logger
	backoff Backoff

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	entries map[string]*entry
	order   []string
}

type entry struct {
	svc      Service
	status   Status
	ready    chan struct{} // closed while the process serves; replaced when it goes down
	fatal    error         // permanent failure
	pgid     int
	exited   chan struct{} // closed when the current process has been reaped
	firstErr chan error    // the first start's outcome, buffered
}

// NewSupervisor returns a supervisor that logs through l (log.Default() when nil).
func NewSupervisor(l *log.Logger, b Backoff) *Supervisor {
	if l == nil {
		l = log.Default()
	}
	if b.Min <= 0 {
		b = DefaultBackoff
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Supervisor{log: l, backoff: b, ctx: ctx, cancel: cancel, entries: map[string]*entry{}}
}

// Start launches every service concurrently and waits until each is ready (or has no
// process), failing when one fails permanently or ctx ends first.
func (s *Supervisor) Start(ctx context.Context, svcs ...Service) error {
	var es []*entry
	s.mu.Lock()
	for _, svc := range svcs {
		e := &entry{svc: svc, status: Status{State: StateStarting}, ready: make(chan struct{}),
			firstErr: make(chan error, 1)}
		s.entries[svc.Name()] = e
		s.order = append(s.order, svc.Name())
		es = append(es, e)
	}
	s.mu.Unlock()
	for _, e := range es {
		s.wg.Add(1)
		go s.supervise(e)
	}
	var errs []error
	for _, e := range es {
		select {
		case err := <-e.firstErr:
			if err != nil {
				errs = append(errs, fmt.Errorf("plugin %s: %w", e.svc.Name(), err))
			}
		case <-ctx.Done():
			errs = append(errs, fmt.Errorf("plugin %s: not ready: %w", e.svc.Name(), ctx.Err()))
		}
	}
	return errors.Join(errs...)
}

// Wait blocks until the named service serves requests again, it failed for good, or ctx ends.
func (s *Supervisor) Wait(ctx context.Context, name string) error {
	s.mu.Lock()
	e := s.entries[name]
	s.mu.Unlock()
	if e == nil {
		return fmt.Errorf("plugin %s is not loaded", name)
	}
	for {
		s.mu.Lock()
		ready, fatal := e.ready, e.fatal
		s.mu.Unlock()
		if fatal != nil {
			return fatal
		}
		if s.ctx.Err() != nil {
			return fmt.Errorf("plugin %s is stopping", name)
		}
		select {
		case <-ready:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("plugin %s is not ready: %w", name, ctx.Err())
		case <-s.ctx.Done():
			return fmt.Errorf("plugin %s is stopping", name)
		case <-time.After(time.Second): // re-check fatal
		}
	}
}

// Status returns a snapshot of every service's state, keyed by name.
func (s *Supervisor) Status() map[string]Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Status, len(s.entries))
	for name, e := range s.entries {
		st := e.status
		if d, ok := e.svc.(detailer); ok {
			st.Detail = d.Detail()
		}
		out[name] = st
	}
	return out
}

// Stop ends supervision and kills every process group: SIGTERM, then SIGKILL after StopGrace.
// It returns once the groups are dead, not merely signalled.
func (s *Supervisor) Stop() {
	s.cancel()
	type group struct {
		name   string
		pgid   int
		exited chan struct{}
	}
	// Snapshot under the lock: a supervise goroutine may be relaunching right now. A process
	// it starts after this point is ended by supervise itself, which sees s.ctx done.
	s.mu.Lock()
	var live []group
	for _, e := range s.entries {
		if e.pgid > 0 && e.exited != nil {
			live = append(live, group{e.svc.Name(), e.pgid, e.exited})
		}
	}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, g := range live {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.endGroup(g.name, g.pgid, g.exited)
		}()
	}
	wg.Wait()
	s.wg.Wait()
}

// endGroup sends SIGTERM to the group, SIGKILL after StopGrace (or once the leader is gone, for
// what lingers in its group), and waits until no member is alive.
func (s *Supervisor) endGroup(name string, pgid int, exited <-chan struct{}) {
	_ = proc.KillGroup(pgid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(StopGrace):
	}
	_ = proc.KillGroup(pgid, syscall.SIGKILL)
	if !proc.WaitGroupGone(pgid, StopGrace) {
		s.log.Printf("[%s] process group %d survived SIGKILL", name, pgid)
	}
}

func (s *Supervisor) supervise(e *entry) {
	defer s.wg.Done()
	name := e.svc.Name()
	first := true
	report := func(err error) {
		if first {
			first = false
			e.firstErr <- err
		}
	}
	delay := s.backoff.Min
	for s.ctx.Err() == nil {
		cmd, err := e.svc.Command()
		if err != nil {
			s.set(e, func(st *Status) { st.State, st.Error = StateFailed, err.Error() })
			s.mu.Lock()
			e.fatal = fmt.Errorf("plugin %s failed: %w", name, err)
			s.mu.Unlock()
			s.log.Printf("[%s] %v", name, err)
			report(err)
			return
		}
		if cmd == nil {
			s.set(e, func(st *Status) { st.State = StateDisabled })
			s.markReady(e)
			report(nil)
			return
		}
		started := time.Now()
		if err := s.launch(e, cmd); err != nil {
			s.log.Printf("[%s] start: %v", name, err)
			s.set(e, func(st *Status) { st.Error = err.Error() })
		} else {
			exited := e.exited
			rctx, cancel := context.WithCancel(s.ctx)
			go func() {
				select {
				case <-exited:
					cancel()
				case <-rctx.Done():
				}
			}()
			rerr := e.svc.Ready(rctx)
			cancel()
			if rerr == nil {
				s.set(e, func(st *Status) { st.State, st.Error = StateRunning, "" })
				s.markReady(e)
				s.log.Printf("[%s] ready (pid %d) in %v", name, cmd.Process.Pid, time.Since(started).Round(time.Millisecond))
				report(nil)
			} else if s.ctx.Err() == nil {
				s.log.Printf("[%s] not ready: %v", name, rerr)
				s.set(e, func(st *Status) { st.Error = rerr.Error() })
				_ = proc.KillGroup(cmd.Process.Pid, syscall.SIGKILL)
			}
			select {
			case <-exited:
			case <-s.ctx.Done():
				// Stopping. Stop may have looked before this process was launched.
				s.endGroup(name, cmd.Process.Pid, exited)
				<-exited
			}
			if s.ctx.Err() != nil {
				s.markDown(e)
				s.set(e, func(st *Status) { st.State, st.PID = StateStopped, 0 })
				return
			}
			// Whatever the leader left in its group goes with it.
			_ = proc.KillGroup(cmd.Process.Pid, syscall.SIGKILL)
			s.markDown(e)
			if h, ok := e.svc.(exitHook); ok {
				h.Exited()
			}
			state := "exited"
			if cmd.ProcessState != nil {
				state = cmd.ProcessState.String()
			}
			s.log.Printf("[%s] process %d %s; restarting", name, cmd.Process.Pid, state)
			s.set(e, func(st *Status) {
				st.State, st.PID, st.LastExit = StateRestarting, 0, state
				st.Restarts++
			})
		}
		if time.Since(started) >= s.backoff.StableAfter {
			delay = s.backoff.Min
		}
		select {
		case <-time.After(delay):
		case <-s.ctx.Done():
			return
		}
		if delay *= 2; delay > s.backoff.Max {
			delay = s.backoff.Max
		}
	}
}

// launch starts cmd in its own process group with its output going to the log.
func (s *Supervisor) launch(e *entry, cmd *exec.Cmd) error {
	name := e.svc.Name()
	if cmd.SysProcAttr == nil {
		proc.Prepare(cmd, proc.User{})
	}
	cmd.SysProcAttr.Setpgid = true
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		pw.Close()
		return err
	}
	go s.pump(name, pr)
	exited := make(chan struct{})
	s.mu.Lock()
	e.pgid, e.exited = cmd.Process.Pid, exited
	e.status.PID = cmd.Process.Pid
	s.mu.Unlock()
	go func() {
		_ = cmd.Wait()
		pw.Close()
		close(exited)
	}()
	return nil
}

// pump copies a process's output to the log line by line, prefixed with its name. Overlong
// lines are cut so one process cannot flood the log with a single line.
func (s *Supervisor) pump(name string, r io.Reader) {
	br := bufio.NewReaderSize(r, 64*1024)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			text := string(line)
			if err == bufio.ErrBufferFull {
				text += " […]"
				// Skip the rest of the overlong line.
				for err == bufio.ErrBufferFull {
					_, err = br.ReadSlice('\n')
				}
			}
			s.log.Printf("[%s] %s", name, trimNL(text))
		}
		if err != nil && err != bufio.ErrBufferFull {
			return
		}
	}
}

func trimNL(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}

func (s *Supervisor) set(e *entry, f func(*Status)) {
	s.mu.Lock()
	f(&e.status)
	s.mu.Unlock()
}

func (s *Supervisor) markReady(e *entry) {
	s.mu.Lock()
	select {
	case <-e.ready:
	default:
		close(e.ready)
	}
	s.mu.Unlock()
}

func (s *Supervisor) markDown(e *entry) {
	s.mu.Lock()
	select {
	case <-e.ready:
		e.ready = make(chan struct{})
	default:
	}
	s.mu.Unlock()
}
