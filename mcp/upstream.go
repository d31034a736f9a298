package mcp

//lint:file-ignore SA1019 the stdio servers speak 2025-11-25, where roots and sampling are current; the reference's proxy offers them.
import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/gohands/gohands/internal/fault"
	"github.com/gohands/gohands/plugins/proc"
)

// The states of a stdio server, as /server_info shows them.
const (
	StateStarting = "starting"
	StateRunning  = "running"
	StateFailed   = "failed"
)

// upstream is one stdio MCP server: its config and its current process (an incarnation).
// The proxy's tools stay registered while it is down, so that a call reaches it, gets a clear
// error and triggers a restart (with a back-off) instead of vanishing.
type upstream struct {
	m      *Manager
	cfg    ServerConfig
	stderr *ring
	slots  chan struct{}                     // bounds the calls queued on this server
	caller atomic.Pointer[sdk.ServerSession] // the client of the latest call: sampling and elicitation go there

	startMu sync.Mutex // one (re)start at a time
	logs    logLimiter // the server's stderr and stdout noise on the way to the log

	mu        sync.Mutex
	state     string
	lastErr   string
	starts    int
	fails     int // consecutive failures, for the back-off
	retryAt   time.Time
	removed   bool
	inc       *incarnation
	tools     []*sdk.Tool
	resources []*sdk.Resource
	templates []*sdk.ResourceTemplate
	prompts   []*sdk.Prompt
}

// incarnation is one run of the server's process and its client session.
type incarnation struct {
	cmd     *exec.Cmd
	pid     int
	cs      *sdk.ClientSession
	noise   atomic.Pointer[string] // the first stdout line that was not JSON, if any
	tooLong atomic.Bool            // stdout carried a line over the limit
	exited  chan struct{}          // closed once the process was reaped
	status  string                 // "exit status 3", "signal: killed"; set before exited closes
	dead    chan struct{}          // closed once the session ended and the reason was recorded
	closing atomic.Bool            // set by stop: the end is not a crash
}

func newUpstream(m *Manager, cfg ServerConfig) *upstream {
	return &upstream{m: m, cfg: cfg, stderr: newRing(64 << 10), slots: make(chan struct{}, m.cfg.QueueLimit), state: StateStarting}
}

// start runs the process and the MCP handshake, then lists what the server offers, unless it
// already runs. It holds startMu; on failure the server is marked failed with the reason,
// which it returns.
func (u *upstream) start(ctx context.Context) error {
	u.mu.Lock()
	if u.removed {
		u.mu.Unlock()
		return fault.New(fault.Unavailable, "MCP server %q was removed", u.cfg.Name)
	}
	if u.state == StateRunning && u.inc != nil {
		// A call started it while the update that made it was still stopping the servers it
		// replaces: a second start would orphan this process.
		u.mu.Unlock()
		return nil
	}
	u.state = StateStarting
	u.starts++
	u.mu.Unlock()

	inc, feats, err := u.spawn(ctx)
	u.mu.Lock()
	defer u.mu.Unlock()
	if err != nil {
		u.state, u.lastErr = StateFailed, err.Error()
		u.fails++
		u.retryAt = time.Now().Add(backoff(u.fails))
		return err
	}
	if u.removed { // removed while starting
		go u.m.stopIncarnation(inc)
		return fault.New(fault.Unavailable, "MCP server %q was removed", u.cfg.Name)
	}
	u.inc, u.state, u.lastErr = inc, StateRunning, ""
	u.tools, u.resources, u.templates, u.prompts = feats.tools, feats.resources, feats.templates, feats.prompts
	go u.watch(inc)
	return nil
}

// backoff is the wait before restart attempt n (n ≥ 1 consecutive failures): none for the
// first, then 1 s doubling up to 30 s.
func backoff(n int) time.Duration {
	if n <= 1 {
		return 0
	}
	d := time.Second << min(n-2, 5)
	return min(d, 30*time.Second)
}

type features struct {
	tools     []*sdk.Tool
	resources []*sdk.Resource
	templates []*sdk.ResourceTemplate
	prompts   []*sdk.Prompt
}

func (u *upstream) spawn(ctx context.Context) (*incarnation, features, error) {
	cfg := &u.m.cfg
	name := u.cfg.Name
	var extra []string
	for k, v := range u.cfg.Env {
		extra = append(extra, k+"="+v)
	}
	env := proc.Env(cfg.BaseEnv, cfg.User, extra...)
	path, err := lookPath(u.cfg.Command, envValue(env, "PATH"), cfg.WorkDir)
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		return nil, features{}, fault.Wrap(fault.Unavailable, err, fmt.Sprintf("MCP server %q: command not found: %s", name, u.cfg.Command))
	}
	if err != nil {
		return nil, features{}, fault.Wrap(fault.Unavailable, err, fmt.Sprintf("MCP server %q: cannot run %s: %v", name, u.cfg.Command, err))
	}
	cannotStart := func(err error) error {
		return fault.Wrap(fault.Unavailable, err, fmt.Sprintf("MCP server %q: cannot start %s: %v", name, u.cfg.Command, err))
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, features{}, cannotStart(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, features{}, cannotStart(err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		outR.Close()
		outW.Close()
		return nil, features{}, cannotStart(err)
	}
	cmd := exec.Command(path, u.cfg.Args...)
	cmd.Args[0] = u.cfg.Command
	cmd.Dir, cmd.Env = cfg.WorkDir, env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, errW
	proc.Prepare(cmd, cfg.User)
	err = cmd.Start()
	inR.Close()
	outW.Close()
	errW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		errR.Close()
		return nil, features{}, cannotStart(err)
	}
	inc := &incarnation{cmd: cmd, pid: cmd.Process.Pid, exited: make(chan struct{}), dead: make(chan struct{})}
	go u.drainStderr(errR)
	pr, pw := io.Pipe()
	go u.filterStdout(inc, outR, pw, cfg.MaxLineLength)
	go func() {
		err := cmd.Wait()
		inc.status = exitStatus(cmd, err)
		// Whatever the leader left behind in its group dies with it: no orphans.
		_ = proc.KillGroup(inc.pid, syscall.SIGKILL)
		close(inc.exited)
	}()

	ictx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.InitTimeout)
	defer cancel()
	defer context.AfterFunc(u.m.closing, cancel)()
	client := sdk.NewClient(&sdk.Implementation{Name: "gohands-mcp-proxy", Version: Version}, &sdk.ClientOptions{
		ToolListChangedHandler:      func(context.Context, *sdk.ToolListChangedRequest) { go u.refresh(inc) },
		PromptListChangedHandler:    func(context.Context, *sdk.PromptListChangedRequest) { go u.refresh(inc) },
		ResourceListChangedHandler:  func(context.Context, *sdk.ResourceListChangedRequest) { go u.refresh(inc) },
		ProgressNotificationHandler: u.m.forwardProgress,
		// What the reference's FastMCP proxy offers its servers: roots (none of its own),
		// sampling and elicitation, forwarded to the client whose call is running. Servers
		// register tools by these (server-everything has four that need them).
		Capabilities: &sdk.ClientCapabilities{
			RootsV2:     &sdk.RootCapabilities{ListChanged: true},
			Sampling:    &sdk.SamplingCapabilities{},
			Elicitation: &sdk.ElicitationCapabilities{Form: &sdk.FormElicitationCapabilities{}, URL: &sdk.URLElicitationCapabilities{}},
		},
		CreateMessageHandler: func(ctx context.Context, req *sdk.CreateMessageRequest) (*sdk.CreateMessageResult, error) {
			ss := u.caller.Load()
			if ss == nil {
				return nil, fmt.Errorf("no MCP client session to forward sampling/createMessage to")
			}
			return ss.CreateMessage(ctx, req.Params)
		},
		ElicitationHandler: func(ctx context.Context, req *sdk.ElicitRequest) (*sdk.ElicitResult, error) {
			ss := u.caller.Load()
			if ss == nil {
				return nil, fmt.Errorf("no MCP client session to forward elicitation/create to")
			}
			return ss.Elicit(ctx, req.Params)
		},
	})
	// The classic initialize handshake at the version the reference's client proposes: the
	// SDK's newest (2026-07-28) first probes with server/discover, which today's stdio
	// servers reject with a page of errors on stderr.
	cs, err := client.Connect(ictx, &sdk.IOTransport{Reader: pr, Writer: inW, MaxLineLength: -1},
		&sdk.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
	var feats features
	if err == nil {
		inc.cs = cs
		feats, err = listFeatures(ictx, cs)
	}
	if err != nil {
		if cs != nil {
			_ = cs.Close()
		} else {
			inW.Close()
			pr.Close()
		}
		why := u.failure(inc, err, ictx.Err() != nil, "during start-up")
		if u.m.closing.Err() != nil {
			why = fmt.Sprintf("MCP server %q: start-up ended, the MCP proxy is shutting down", name)
		}
		inc.closing.Store(true)
		u.m.stopIncarnation(inc)
		close(inc.dead)
		return nil, features{}, fault.Wrap(fault.Unavailable, err, why)
	}
	return inc, feats, nil
}

// failure words why an incarnation ended: the process's exit status and the tail of its
// stderr when it exited, else the timeout or the protocol error.
func (u *upstream) failure(inc *incarnation, err error, timedOut bool, when string) string {
	name := u.cfg.Name
	exited := false
	select {
	case <-inc.exited:
		exited = true
	case <-time.After(time.Second):
	}
	var msg string
	perr, isProto := protocolError(err)
	if inc.tooLong.Load() {
		perr, isProto = errLineTooLong.Error(), true
	}
	// A timeout comes before the exit: the stdin was closed on it, and most servers leave
	// when it is (with status 0), which says nothing of why.
	switch {
	case isProto:
		msg = fmt.Sprintf("MCP server %q failed %s: %s", name, when, perr)
	case timedOut:
		msg = fmt.Sprintf("MCP server %q: initialize timed out after %s", name, u.m.cfg.InitTimeout)
		if n := inc.noise.Load(); n != nil {
			msg += fmt.Sprintf("; its stdout is not JSON-RPC: %q", *n)
		}
	case exited:
		msg = fmt.Sprintf("MCP server %q exited %s (%s)", name, when, inc.status)
	default:
		msg = fmt.Sprintf("MCP server %q failed %s: %s", name, when, perr)
	}
	// The stderr pipe may still hold the last lines; give the drain a moment.
	if exited {
		time.Sleep(20 * time.Millisecond)
	}
	if tail := u.stderr.tail(5); tail != "" {
		msg += "; stderr: " + tail
	}
	return msg
}

// protocolError words an error of the stdout stream; ok reports that the stream itself was
// bad, which says more than the exit that followed.
func protocolError(err error) (string, bool) {
	if errors.Is(err, errLineTooLong) {
		return errLineTooLong.Error(), true
	}
	s := err.Error()
	if strings.Contains(s, errLineTooLong.Error()) {
		return errLineTooLong.Error(), true
	}
	for _, marker := range []string{"invalid character", "invalid trailing data", "cannot unmarshal", "unexpected end of JSON"} {
		if i := strings.Index(s, marker); i >= 0 {
			return "stdout is not a JSON-RPC stream (" + s[i:] + ")", true
		}
	}
	return s, false
}

var errLineTooLong = fmt.Errorf("a line on stdout exceeded the %d-byte limit", DefaultMaxLineLength)

// filterStdout passes the child's JSON-RPC messages on to the SDK and skips (and logs) any
// other line, JSON or not, as the reference's Python client does (it skips a line that does
// not validate as a message): real servers print the odd banner or warning to stdout
// (mcp-server-fetch does, during a fetch) and keep working; a line of JSON that is not a
// message made the SDK drop the connection. A line over the limit
// ends the stream: it cannot be held in bounded memory.
func (u *upstream) filterStdout(inc *incarnation, src *os.File, dst *io.PipeWriter, limit int) {
	defer src.Close()
	br := bufio.NewReaderSize(src, 64<<10)
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > limit {
			inc.tooLong.Store(true)
			_ = dst.CloseWithError(errLineTooLong)
			return
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			line = append(line, chunk...)
			continue
		}
		if line != nil {
			chunk = append(line, chunk...)
			line = nil
		}
		if t := bytes.TrimSpace(chunk); len(t) > 0 {
			if checkMessage(t) == nil {
				if _, werr := dst.Write(chunk); werr != nil {
					return
				}
				if chunk[len(chunk)-1] != '\n' {
					_, _ = dst.Write([]byte{'\n'})
				}
			} else {
				shown := shorten(string(t), 200)
				inc.noise.CompareAndSwap(nil, &shown)
				u.logf("stdout line is not JSON-RPC, skipped: %s", shown)
			}
		}
		if err != nil {
			_ = dst.CloseWithError(err)
			return
		}
	}
}

func exitStatus(cmd *exec.Cmd, err error) string {
	if cmd.ProcessState != nil {
		return cmd.ProcessState.String()
	}
	if err != nil {
		return err.Error()
	}
	return "exited"
}

func listFeatures(ctx context.Context, cs *sdk.ClientSession) (features, error) {
	var f features
	caps := cs.InitializeResult().Capabilities
	if caps == nil {
		return f, nil
	}
	if caps.Tools != nil {
		for t, err := range cs.Tools(ctx, nil) {
			if err != nil {
				return f, fmt.Errorf("tools/list: %w", err)
			}
			f.tools = append(f.tools, t)
		}
	}
	// Resources and prompts are optional extras: a server that advertises them but fails to
	// list them still serves its tools.
	if caps.Resources != nil {
		for r, err := range cs.Resources(ctx, nil) {
			if err != nil {
				break
			}
			f.resources = append(f.resources, r)
		}
		for r, err := range cs.ResourceTemplates(ctx, nil) {
			if err != nil {
				break
			}
			f.templates = append(f.templates, r)
		}
	}
	if caps.Prompts != nil {
		for p, err := range cs.Prompts(ctx, nil) {
			if err != nil {
				break
			}
			f.prompts = append(f.prompts, p)
		}
	}
	return f, nil
}

// watch waits for the session to end; an end that stop did not ask for is a crash.
func (u *upstream) watch(inc *incarnation) {
	werr := inc.cs.Wait()
	if inc.closing.Load() {
		close(inc.dead)
		return
	}
	if werr == nil {
		werr = io.EOF
	}
	// The process may still run (it wrote garbage): it has to go.
	select {
	case <-inc.exited:
	case <-time.After(500 * time.Millisecond):
		_ = proc.KillGroup(inc.pid, syscall.SIGKILL)
	}
	why := u.failure(inc, werr, false, "while running")
	u.mu.Lock()
	if u.inc == inc {
		u.state, u.lastErr = StateFailed, why
		u.fails++
		u.retryAt = time.Now().Add(backoff(u.fails))
	}
	u.mu.Unlock()
	log.Printf("mcp: %s", why)
	close(inc.dead)
}

// refresh re-lists the features after a list_changed notification and updates the proxy.
func (u *upstream) refresh(inc *incarnation) {
	ctx, cancel := context.WithTimeout(context.Background(), u.m.cfg.InitTimeout)
	defer cancel()
	f, err := listFeatures(ctx, inc.cs)
	if err != nil {
		return
	}
	u.mu.Lock()
	if u.inc != inc {
		u.mu.Unlock()
		return
	}
	u.tools, u.resources, u.templates, u.prompts = f.tools, f.resources, f.templates, f.prompts
	u.mu.Unlock()
	u.m.rebuild()
}

func (u *upstream) drainStderr(r *os.File) {
	defer r.Close()
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			_, _ = u.stderr.Write(line)
			if u.m.cfg.LogStderr {
				u.logf("%s", strings.TrimRight(string(line), "\r\n"))
			}
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

// logf logs a line of the server's output, "mcp[name] …", unless the server has used up its
// share of the log (see logLimiter).
func (u *upstream) logf(format string, a ...any) {
	ok, skipped := u.logs.allow(time.Now())
	if !ok {
		return
	}
	if skipped > 0 {
		log.Printf("mcp[%s] … %d lines not logged (more than %d a second)", u.cfg.Name, skipped, logRate)
	}
	log.Printf("mcp["+u.cfg.Name+"] "+format, a...)
}

// The log takes a burst of logBurst lines of a server's output, then logRate a second.
const (
	logBurst = 200
	logRate  = 20
)

// logLimiter is a token bucket for one server's log lines: a server that prints without end
// (debug output, a loop printing to stdout) neither fills the disk with the server's log nor
// slows the reading of its pipes (each line logged cost more than reading it: 40 MB of noise
// made 214 MB of log and outlasted a 5 s initialize). What it leaves out it counts.
type logLimiter struct {
	mu      sync.Mutex
	tokens  float64
	last    time.Time
	skipped int
}

// allow takes a token; skipped is how many lines were refused since the last one allowed.
func (l *logLimiter) allow(now time.Time) (ok bool, skipped int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last.IsZero() {
		l.tokens = logBurst
	} else {
		l.tokens = min(logBurst, l.tokens+now.Sub(l.last).Seconds()*logRate)
	}
	l.last = now
	if l.tokens < 1 {
		l.skipped++
		return false, 0
	}
	l.tokens--
	skipped, l.skipped = l.skipped, 0
	return true, skipped
}

// session returns the running session, restarting a failed server when its back-off is over.
func (u *upstream) session(ctx context.Context) (*incarnation, error) {
	u.mu.Lock()
	if u.state == StateRunning && u.inc != nil {
		inc := u.inc
		u.mu.Unlock()
		return inc, nil
	}
	if u.removed {
		u.mu.Unlock()
		return nil, fault.New(fault.Unavailable, "MCP server %q was removed", u.cfg.Name)
	}
	u.mu.Unlock()
	u.startMu.Lock()
	defer u.startMu.Unlock()
	u.mu.Lock()
	if u.state == StateRunning && u.inc != nil {
		inc := u.inc
		u.mu.Unlock()
		return inc, nil
	}
	if wait := time.Until(u.retryAt); wait > 0 {
		why := u.lastErr
		u.mu.Unlock()
		return nil, fault.New(fault.Unavailable, "%s (next restart attempt in %s)", why, wait.Round(100*time.Millisecond))
	}
	prev := u.lastErr
	u.mu.Unlock()
	if err := u.start(ctx); err != nil {
		if prev != "" && prev != err.Error() {
			return nil, fault.New(fault.Unavailable, "%s; restart failed: %s", prev, err)
		}
		return nil, err
	}
	log.Printf("mcp: restarted MCP server %q", u.cfg.Name)
	u.m.rebuild()
	u.mu.Lock()
	inc := u.inc
	u.mu.Unlock()
	return inc, nil
}

// status is the /server_info view of the server.
func (u *upstream) status() ServerStatus {
	u.mu.Lock()
	defer u.mu.Unlock()
	s := ServerStatus{Name: u.cfg.Name, State: u.state, Tools: len(u.tools), Restarts: max(u.starts-1, 0), LastError: u.lastErr}
	if u.inc != nil && u.state == StateRunning {
		s.PID = u.inc.pid
	}
	return s
}

// lookPath finds cmd as the child's PATH would (not the server's), relative to dir when it
// holds a slash.
func lookPath(cmd, path, dir string) (string, error) {
	if strings.Contains(cmd, "/") {
		p := cmd
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		return p, isExec(p)
	}
	for d := range strings.SplitSeq(path, ":") {
		if d == "" {
			d = "."
		}
		if !filepath.IsAbs(d) {
			d = filepath.Join(dir, d)
		}
		p := filepath.Join(d, cmd)
		if isExec(p) == nil {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

func isExec(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%s is not executable", p)
	}
	return nil
}

func envValue(env []string, k string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], k+"="); ok {
			return v
		}
	}
	return ""
}
