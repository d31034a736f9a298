// Package mcp is the MCP proxy: it runs the stdio MCP servers the backend syncs through
// /update_mcp_server, as the sandbox user, and serves their tools, resources and prompts to
// MCP clients over the legacy SSE transport (where the reference mounts it) and over
// Streamable HTTP. Both sides are the official Go SDK; this package only decides which
// server runs, under which names its features appear, and what a failure says.
package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/gohands/gohands/plugins/proc"
)

// Version is what the proxy reports as its serverInfo version.
const Version = "1.0.0"

// DefaultMaxLineLength bounds one JSON-RPC line from a stdio server.
const DefaultMaxLineLength = 16 << 20

// Config is how the proxy runs its children. cmd/ fills it once; zero values take defaults.
type Config struct {
	User    proc.User // the sandbox user every child runs as
	WorkDir string    // the children's working directory
	BaseEnv []string  // the environment the user's login variables and each server's env go on
	APIKey  string    // SESSION_API_KEY: when set, MCP routes need "Authorization: Bearer <key>"

	InitTimeout        time.Duration // start + initialize + first listing; default 30 s
	CallTimeout        time.Duration // per tool call when the client sets none; default 120 s
	QueueLimit         int           // calls in flight or queued per server; default 64
	MaxLineLength      int           // default DefaultMaxLineLength
	LogStderr          bool          // copy each child's stderr lines to the log
	SSEPing            time.Duration // keep-alive comment interval on SSE streams; default 15 s
	StreamWriteTimeout time.Duration // a client that takes longer to accept a piece of a stream is dropped; default 10 s
	// A Streamable HTTP session with no request and no open stream for HTTPSessionIdle is
	// closed (default 1 h), and so is the least recently used idle one when more than
	// MaxHTTPSessions are open (default 1000): a client that never sends DELETE leaves one.
	HTTPSessionIdle time.Duration
	MaxHTTPSessions int
}

func (c *Config) defaults() {
	if c.InitTimeout <= 0 {
		c.InitTimeout = 30 * time.Second
	}
	if c.CallTimeout <= 0 {
		c.CallTimeout = 120 * time.Second
	}
	if c.QueueLimit <= 0 {
		c.QueueLimit = 64
	}
	if c.SSEPing <= 0 {
		c.SSEPing = 15 * time.Second
	}
	if c.StreamWriteTimeout <= 0 {
		c.StreamWriteTimeout = 10 * time.Second
	}
	if c.HTTPSessionIdle <= 0 {
		c.HTTPSessionIdle = time.Hour
	}
	if c.MaxHTTPSessions <= 0 {
		c.MaxHTTPSessions = 1000
	}
	if c.MaxLineLength == 0 {
		c.MaxLineLength = DefaultMaxLineLength
	}
}

// ServerStatus is one server in /server_info's mcp section.
type ServerStatus struct {
	Name      string `json:"name"`
	State     string `json:"state"`
	Tools     int    `json:"tools"`
	Restarts  int    `json:"restarts"`
	LastError string `json:"last_error"`
	PID       int    `json:"pid,omitempty"`
}

// Manager owns the stdio servers and the proxy server every MCP client session talks to.
type Manager struct {
	cfg Config
	srv *sdk.Server

	updMu   sync.Mutex // one update at a time
	mu      sync.Mutex
	servers map[string]*upstream
	order   []string // config order, for the error log and status
	mounted bool     // true once an update listed a server: the reference mounts only then
	closed  bool

	buildMu sync.Mutex // one rebuild at a time
	tools   map[string]string
	res     map[string]string
	tmpls   map[string]string
	prompts map[string]string

	// closing is cancelled when Close begins: starts in progress end at once instead of
	// waiting out their init timeout while Close waits for the update that runs them.
	closing     context.Context
	stopClosing context.CancelFunc

	calls inflight // the requests each client session has running, to cancel when it leaves

	progSeq  atomic.Int64
	progress sync.Map // forwarded token (string) → progressTarget

	sse *sseRoutes
}

type progressTarget struct {
	ss    *sdk.ServerSession
	token any
}

// New makes a manager with no servers; Update starts them.
func New(cfg Config) *Manager {
	cfg.defaults()
	m := &Manager{cfg: cfg, servers: map[string]*upstream{},
		tools: map[string]string{}, res: map[string]string{}, tmpls: map[string]string{}, prompts: map[string]string{}}
	// The protocol versions the reference's stack (mcp 1.30) speaks, up to 2025-11-25: the
	// 2026-07-28 protocol changes how a server asks its client for sampling or elicitation
	// mid-call, which the forwarding here does not do.
	var versions []string
	for _, v := range sdk.SupportedProtocolVersions() {
		if v <= "2025-11-25" {
			versions = append(versions, v)
		}
	}
	m.srv = sdk.NewServer(&sdk.Implementation{Name: "gohands-mcp-proxy", Version: Version}, &sdk.ServerOptions{
		SupportedProtocolVersions: versions,
		// Advertise tools, resources and prompts even before any server lists one, as the
		// reference's FastMCP proxy does, so a client will not skip listing them.
		Capabilities: &sdk.ServerCapabilities{
			Tools:     &sdk.ToolCapabilities{ListChanged: true},
			Resources: &sdk.ResourceCapabilities{ListChanged: true},
			Prompts:   &sdk.PromptCapabilities{ListChanged: true},
		},
	})
	m.closing, m.stopClosing = context.WithCancel(context.Background())
	m.calls.m = map[*sdk.ServerSession]map[*context.CancelFunc]struct{}{}
	m.srv.AddReceivingMiddleware(m.unknownTool, m.calls.middleware)
	m.sse = newSSERoutes(m)
	return m
}

// Update makes the running servers match cfgs: servers no longer listed stop, unchanged
// running ones keep running (their client sessions survive), new or changed ones (and failed
// ones) start. It returns the error log: one line per server that failed, naming it and why.
func (m *Manager) Update(ctx context.Context, cfgs []ServerConfig) string {
	m.updMu.Lock()
	defer m.updMu.Unlock()

	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return "MCP proxy is shutting down"
	}
	if len(cfgs) > 0 {
		m.mounted = true
	}
	want := map[string]ServerConfig{}
	for _, c := range cfgs {
		want[c.Name] = c
	}
	var stop, start []*upstream
	for name, u := range m.servers {
		c, ok := want[name]
		u.mu.Lock()
		running := u.state == StateRunning
		u.mu.Unlock()
		if !ok || !c.Equal(u.cfg) || !running {
			stop = append(stop, u)
			delete(m.servers, name)
		}
	}
	m.order = m.order[:0]
	for _, c := range cfgs {
		m.order = append(m.order, c.Name)
		if _, ok := m.servers[c.Name]; !ok {
			u := newUpstream(m, c)
			m.servers[c.Name] = u
			start = append(start, u)
		}
	}
	m.mu.Unlock()

	var wg sync.WaitGroup
	for _, u := range stop {
		wg.Go(func() { m.remove(u) })
	}
	wg.Wait()
	errs := make([]string, len(start))
	for i, u := range start {
		wg.Go(func() {
			u.startMu.Lock()
			defer u.startMu.Unlock()
			if err := u.start(ctx); err != nil {
				errs[i] = err.Error()
				log.Printf("mcp: %v", err)
			}
		})
	}
	wg.Wait()
	m.rebuild()
	var lines []string
	for _, e := range errs {
		if e != "" {
			lines = append(lines, e)
		}
	}
	return strings.Join(lines, "\n")
}

// remove stops a server for good.
func (m *Manager) remove(u *upstream) {
	u.mu.Lock()
	u.removed = true
	inc := u.inc
	u.inc = nil
	u.mu.Unlock()
	if inc != nil {
		inc.closing.Store(true)
		m.stopIncarnation(inc)
	}
}

// stopIncarnation closes stdin (the MCP way to ask a stdio server to leave), then SIGTERMs
// and finally SIGKILLs the process group.
func (m *Manager) stopIncarnation(inc *incarnation) {
	if inc.cs != nil {
		go func() { _ = inc.cs.Close() }()
	}
	wait := func(d time.Duration) bool {
		select {
		case <-inc.exited:
			return true
		case <-time.After(d):
			return false
		}
	}
	if wait(500 * time.Millisecond) {
		return
	}
	_ = proc.KillGroup(inc.pid, syscall.SIGTERM)
	if wait(time.Second) {
		return
	}
	_ = proc.KillGroup(inc.pid, syscall.SIGKILL)
	wait(5 * time.Second)
}

// Close stops every server and ends every client session. No child outlives it.
func (m *Manager) Close() {
	m.stopClosing()
	m.CloseSessions()
	m.updMu.Lock()
	defer m.updMu.Unlock()
	m.mu.Lock()
	m.closed = true
	all := make([]*upstream, 0, len(m.servers))
	for _, u := range m.servers {
		all = append(all, u)
	}
	m.servers = map[string]*upstream{}
	m.mu.Unlock()
	var wg sync.WaitGroup
	for _, u := range all {
		wg.Go(func() { m.remove(u) })
	}
	wg.Wait()
}

// CloseSessions ends every MCP client session (SSE streams included), so that an HTTP
// server shutdown does not wait on them.
func (m *Manager) CloseSessions() {
	for ss := range m.srv.Sessions() {
		m.calls.cancel(ss)
		_ = ss.Close()
	}
}

// inflight holds the cancel functions of the requests each client session has running. The
// SDK does not cancel them when a session ends, and closing the session waits for them: a
// client that left during a long call (the Python client sends no cancellation when it
// leaves) kept its slots on the server, and its stream's handler, until the call ended.
type inflight struct {
	mu sync.Mutex
	m  map[*sdk.ServerSession]map[*context.CancelFunc]struct{}
}

func (f *inflight) middleware(next sdk.MethodHandler) sdk.MethodHandler {
	return func(ctx context.Context, method string, req sdk.Request) (sdk.Result, error) {
		ss, ok := req.GetSession().(*sdk.ServerSession)
		if !ok || ss == nil {
			return next(ctx, method, req)
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		key := &cancel
		f.mu.Lock()
		if f.m[ss] == nil {
			f.m[ss] = map[*context.CancelFunc]struct{}{}
		}
		f.m[ss][key] = struct{}{}
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			delete(f.m[ss], key)
			if len(f.m[ss]) == 0 {
				delete(f.m, ss)
			}
			f.mu.Unlock()
		}()
		return next(ctx, method, req)
	}
}

// cancel cancels every request ss has running: the client has gone.
func (f *inflight) cancel(ss *sdk.ServerSession) {
	f.mu.Lock()
	calls := f.m[ss]
	delete(f.m, ss)
	f.mu.Unlock()
	for c := range calls {
		(*c)()
	}
}

// closeSession ends the client session with the given (Streamable HTTP) id, if it is open.
func (m *Manager) closeSession(id string) {
	if ss := m.sessionByID(id); ss != nil {
		m.calls.cancel(ss)
		_ = ss.Close()
	}
}

func (m *Manager) sessionByID(id string) *sdk.ServerSession {
	for ss := range m.srv.Sessions() {
		if ss.ID() == id {
			return ss
		}
	}
	return nil
}

// Status lists the servers in config order; nil until the first update that listed one.
func (m *Manager) Status() []ServerStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.mounted {
		return nil
	}
	out := make([]ServerStatus, 0, len(m.order))
	for _, name := range m.order {
		if u := m.servers[name]; u != nil {
			out = append(out, u.status())
		}
	}
	return out
}

// Mounted reports whether the MCP routes answer: the reference mounts them at the first
// update that lists a server, and never unmounts them.
func (m *Manager) Mounted() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mounted
}

func (m *Manager) get(name string) *upstream {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.servers[name]
}

// rebuild makes the proxy's tools, resources and prompts those of the current servers, named
// as the reference's FastMCP proxy names them: a proxy over one server keeps the names; over
// several, each is prefixed with its server's name ("time_get_current_time", URI
// "demo://everything/resource/…", prompt "everything_simple-prompt"). The SDK sends the
// list_changed notifications.
func (m *Manager) rebuild() {
	m.buildMu.Lock()
	defer m.buildMu.Unlock()
	m.mu.Lock()
	ups := make([]*upstream, 0, len(m.servers))
	for _, name := range m.order {
		if u := m.servers[name]; u != nil {
			ups = append(ups, u)
		}
	}
	prefixed := len(m.order) > 1
	m.mu.Unlock()

	tools, res, tmpls, prompts := map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}
	for _, u := range ups {
		u.mu.Lock()
		ts, rs, tt, ps := u.tools, u.resources, u.templates, u.prompts
		u.mu.Unlock()
		server := u.cfg.Name
		for _, t := range ts {
			name := t.Name
			if prefixed {
				name = server + "_" + t.Name
			}
			if _, dup := tools[name]; dup {
				continue
			}
			m.register(m.tools, tools, name, server, t, func() {
				nt := *t
				nt.Name = name
				if nt.InputSchema == nil {
					nt.InputSchema = map[string]any{"type": "object"}
				}
				m.srv.AddTool(&nt, m.toolHandler(server, t.Name))
			})
		}
		for _, r := range rs {
			uri := r.URI
			if prefixed {
				uri = prefixURI(uri, server)
			}
			m.register(m.res, res, uri, server, r, func() {
				nr := *r
				nr.URI = uri
				m.srv.AddResource(&nr, m.resourceHandler(server, r.URI, uri))
			})
		}
		for _, t := range tt {
			tmpl := t.URITemplate
			if prefixed {
				tmpl = prefixURI(tmpl, server)
			}
			m.register(m.tmpls, tmpls, tmpl, server, t, func() {
				nt := *t
				nt.URITemplate = tmpl
				m.srv.AddResourceTemplate(&nt, m.templateHandler(server, prefixed))
			})
		}
		for _, p := range ps {
			name := p.Name
			if prefixed {
				name = server + "_" + p.Name
			}
			m.register(m.prompts, prompts, name, server, p, func() {
				np := *p
				np.Name = name
				m.srv.AddPrompt(&np, m.promptHandler(server, p.Name))
			})
		}
	}
	if gone := missing(m.tools, tools); len(gone) > 0 {
		m.srv.RemoveTools(gone...)
	}
	if gone := missing(m.res, res); len(gone) > 0 {
		m.srv.RemoveResources(gone...)
	}
	if gone := missing(m.tmpls, tmpls); len(gone) > 0 {
		m.srv.RemoveResourceTemplates(gone...)
	}
	if gone := missing(m.prompts, prompts); len(gone) > 0 {
		m.srv.RemovePrompts(gone...)
	}
	m.tools, m.res, m.tmpls, m.prompts = tools, res, tmpls, prompts
}

// register puts the feature v of server under name in cur and, unless the previous build
// (prev) registered the very same one, runs add, the SDK registration; a feature add refuses
// is left out of cur.
func (m *Manager) register(prev, cur map[string]string, name, server string, v any, add func()) {
	key := server + "\x00" + fingerprint(v)
	cur[name] = key
	if prev[name] != key && !m.try(add) {
		delete(cur, name)
	}
}

// try runs an SDK registration, which panics on a feature it finds invalid (a tool whose
// schema is not an object, a malformed URI): such a feature is skipped, not fatal.
func (m *Manager) try(f func()) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			log.Printf("mcp: skipped an invalid feature: %v", r)
			ok = false
		}
	}()
	f()
	return true
}

func fingerprint(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func missing(old, cur map[string]string) []string {
	var out []string
	for k := range old {
		if _, ok := cur[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// prefixURI is FastMCP's add_resource_prefix ("path" format): protocol://prefix/path.
func prefixURI(uri, prefix string) string {
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok {
		return uri
	}
	return scheme + "://" + prefix + "/" + rest
}

func unprefixURI(uri, prefix string) string {
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok {
		return uri
	}
	if r, ok := strings.CutPrefix(rest, prefix+"/"); ok {
		return scheme + "://" + r
	}
	return uri
}

// unknownTool answers a call to a tool no server offers as the reference's proxy does: an
// isError result "Unknown tool: <name>" (the SDK alone would answer a JSON-RPC error).
func (m *Manager) unknownTool(next sdk.MethodHandler) sdk.MethodHandler {
	return func(ctx context.Context, method string, req sdk.Request) (sdk.Result, error) {
		if method == "tools/call" {
			if p, ok := req.GetParams().(*sdk.CallToolParamsRaw); ok {
				m.buildMu.Lock()
				_, known := m.tools[p.Name]
				m.buildMu.Unlock()
				if !known {
					return errorResult("Unknown tool: %s", p.Name), nil
				}
			}
		}
		return next(ctx, method, req)
	}
}

func errorResult(format string, a ...any) *sdk.CallToolResult {
	return &sdk.CallToolResult{IsError: true, Content: []sdk.Content{&sdk.TextContent{Text: fmt.Sprintf(format, a...)}}}
}

// toolHandler forwards a call to the tool's server and returns its result unchanged. What
// fails on the way (server down, crashed during the call, queue full, timeout) becomes an
// isError result naming the server, never a hung call.
func (m *Manager) toolHandler(server, tool string) sdk.ToolHandler {
	return func(ctx context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		u := m.get(server)
		if u == nil {
			return errorResult("MCP server %q is not configured", server), nil
		}
		select {
		case u.slots <- struct{}{}:
			defer func() { <-u.slots }()
		default:
			return errorResult("MCP server %q is busy: %d calls already in flight; try again later", server, cap(u.slots)), nil
		}
		if _, ok := ctx.Deadline(); !ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, m.cfg.CallTimeout)
			defer cancel()
		}
		inc, err := u.session(ctx)
		if err != nil {
			return errorResult("%s", err.Error()), nil
		}
		u.caller.Store(req.Session)
		p := &sdk.CallToolParams{Name: tool, Meta: req.Params.Meta}
		if len(req.Params.Arguments) > 0 {
			p.Arguments = req.Params.Arguments
		}
		if tok := req.Params.GetProgressToken(); tok != nil {
			fwd := fmt.Sprintf("gohands-%d", m.progSeq.Add(1))
			m.progress.Store(fwd, progressTarget{ss: req.Session, token: tok})
			// The SDK hands notifications to their handler asynchronously, so the last progress
			// may be handled just after the result: keep the token a moment longer.
			defer time.AfterFunc(2*time.Second, func() { m.progress.Delete(fwd) })
			meta := sdk.Meta{}
			for k, v := range req.Params.Meta {
				meta[k] = v
			}
			p.Meta = meta
			p.SetProgressToken(fwd)
		}
		res, err := inc.cs.CallTool(ctx, p)
		if err == nil {
			u.mu.Lock()
			u.fails = 0
			u.mu.Unlock()
			return res, nil
		}
		// A JSON-RPC error from the server passes through as it is.
		var rpcErr *jsonrpc.Error
		if errors.As(err, &rpcErr) {
			return nil, err
		}
		switch {
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			return errorResult("MCP server %q: call to %s timed out", server, tool), nil
		case ctx.Err() != nil:
			return nil, err
		}
		// The connection broke: the watcher says why (exit status, stderr, bad stdout).
		select {
		case <-inc.dead:
			u.mu.Lock()
			why, removed := u.lastErr, u.removed
			u.mu.Unlock()
			if removed || inc.closing.Load() {
				return errorResult("MCP server %q was stopped by an update during the call to %s", server, tool), nil
			}
			return errorResult("%s (during a call to %s)", why, tool), nil
		case <-time.After(5 * time.Second):
			return errorResult("MCP server %q: call to %s failed: %v", server, tool, err), nil
		}
	}
}

func (m *Manager) resourceHandler(server, uri, shown string) sdk.ResourceHandler {
	return func(ctx context.Context, req *sdk.ReadResourceRequest) (*sdk.ReadResourceResult, error) {
		inc, err := m.sessionFor(ctx, server)
		if err != nil {
			return nil, err
		}
		p := *req.Params
		p.URI = uri
		return inc.cs.ReadResource(ctx, &p)
	}
}

func (m *Manager) templateHandler(server string, prefixed bool) sdk.ResourceHandler {
	return func(ctx context.Context, req *sdk.ReadResourceRequest) (*sdk.ReadResourceResult, error) {
		inc, err := m.sessionFor(ctx, server)
		if err != nil {
			return nil, err
		}
		p := *req.Params
		if prefixed {
			p.URI = unprefixURI(p.URI, server)
		}
		return inc.cs.ReadResource(ctx, &p)
	}
}

func (m *Manager) promptHandler(server, prompt string) sdk.PromptHandler {
	return func(ctx context.Context, req *sdk.GetPromptRequest) (*sdk.GetPromptResult, error) {
		inc, err := m.sessionFor(ctx, server)
		if err != nil {
			return nil, err
		}
		p := *req.Params
		p.Name = prompt
		return inc.cs.GetPrompt(ctx, &p)
	}
}

func (m *Manager) sessionFor(ctx context.Context, server string) (*incarnation, error) {
	u := m.get(server)
	if u == nil {
		return nil, fmt.Errorf("MCP server %q is not configured", server)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, m.cfg.CallTimeout)
		defer cancel()
	}
	return u.session(ctx)
}

// forwardProgress passes a server's progress notification to the client session whose call
// carried the token, with the client's own token back in place.
func (m *Manager) forwardProgress(ctx context.Context, req *sdk.ProgressNotificationClientRequest) {
	tok, ok := req.Params.ProgressToken.(string)
	if !ok {
		return
	}
	v, ok := m.progress.Load(tok)
	if !ok {
		return
	}
	t := v.(progressTarget)
	p := *req.Params
	p.ProgressToken = t.token
	_ = t.ss.NotifyProgress(ctx, &p)
}
