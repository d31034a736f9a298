package mcp

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// MaxMessageBytes bounds one POSTed JSON-RPC message.
const MaxMessageBytes = 16 << 20

// ServeHTTP serves the MCP routes: the legacy SSE transport at GET /mcp/sse and
// POST /mcp/messages/?session_id=… (and the same at /sse and /messages/, as the reference
// mounts its SSE app at /mcp and at /), and Streamable HTTP at POST/GET/DELETE /mcp. Until
// the first update that lists a server, they are 404, as in the reference.
func (m *Manager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !m.Mounted() {
		notFound(w)
		return
	}
	if key := m.cfg.APIKey; key != "" && !bearerOK(r, key) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="Authentication required"`)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error": "invalid_token", "error_description": "Authentication required"}`)
		return
	}
	switch p := r.URL.Path; p {
	case "/mcp/sse", "/sse":
		m.sse.stream(w, r, strings.TrimSuffix(p, "/sse"))
	case "/mcp/messages/", "/messages/":
		m.sse.message(w, r)
	case "/mcp", "/mcp/":
		m.sse.streamableHTTP(w, r)
	default:
		notFound(w)
	}
}

func notFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	_, _ = io.WriteString(w, `{"detail":"Not Found"}`)
}

// bearerOK checks "Authorization: Bearer <key>" in constant time, as the reference's
// StaticTokenVerifier does (the scheme is case-insensitive).
func bearerOK(r *http.Request, key string) bool {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(key)) == 1
}

// sseRoutes is the legacy SSE transport with the reference's URLs: the SDK's
// SSEServerTransport for each stream, with the session id in ?session_id= (a uuid4 hex, as
// the Python SDK makes it) at .../messages/.
type sseRoutes struct {
	m          *Manager
	streamable *sdk.StreamableHTTPHandler
	mu         sync.Mutex
	sessions   map[string]*sdk.SSEServerTransport
	shttp      shttpSessions
}

func newSSERoutes(m *Manager) *sseRoutes {
	s := &sseRoutes{m: m, sessions: map[string]*sdk.SSEServerTransport{}}
	s.shttp = shttpSessions{m: m, byID: map[string]*shttpSession{}}
	// The backend reaches the sandbox under whatever host name its runtime gives it: the
	// SDK's DNS-rebinding check (loopback address, other Host) would refuse it. Access is
	// guarded by the session key instead, as in the reference.
	s.streamable = sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return m.srv },
		&sdk.StreamableHTTPOptions{DisableLocalhostProtection: true, MaxRequestBodyBytes: MaxMessageBytes})
	return s
}

var sessionIDRe = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)

func newSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return hex.EncodeToString(b[:])
}

func (s *sseRoutes) stream(w http.ResponseWriter, r *http.Request, prefix string) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	id := newSessionID()
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Connection", "keep-alive")
	w.Header().Set("X-Accel-Buffering", "no")
	lw := newLockedWriter(w, s.m.cfg.StreamWriteTimeout)
	defer lw.clearDeadline()
	t := &sdk.SSEServerTransport{Endpoint: prefix + "/messages/?session_id=" + id, Response: lw, MaxRequestBodyBytes: MaxMessageBytes}
	s.mu.Lock()
	s.sessions[id] = t
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.sessions, id)
		s.mu.Unlock()
	}()
	ss, err := s.m.srv.Connect(r.Context(), t, nil)
	if err != nil {
		return
	}
	done := make(chan struct{})
	go func() {
		_ = ss.Wait()
		close(done)
	}()
	// A comment line every 15 s, as the reference's sse-starlette sends: clients time out an
	// SSE stream that stays silent (the Python client after 5 minutes), for instance during a
	// long tool call.
	tick := time.NewTicker(s.m.cfg.SSEPing)
	defer tick.Stop()
	for wait := true; wait; {
		select {
		case <-r.Context().Done():
			wait = false
		case <-done:
			wait = false
		case <-lw.broken:
			wait = false
		case now := <-tick.C:
			lw.comment("ping - " + now.UTC().Format("2006-01-02 15:04:05.000000+00:00"))
		}
	}
	s.m.calls.cancel(ss)
	_ = ss.Close()
	<-done
}

// writeChunk is the most a stream write sends under one deadline.
const writeChunk = 64 << 10

// lockedWriter serialises the SDK transport's event writes (one Write per event) with the
// keep-alive comments, and drops a client that stops reading: each piece of a write (and each
// flush) must go out within the timeout, else the write fails, every later one fails at once
// and broken is closed. Without that, a blocked write to one client held the SDK's
// notification loop, and with it every other client's tools/list_changed, for as long as that
// client stayed connected.
type lockedWriter struct {
	mu      sync.Mutex
	w       http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	err     error
	broken  chan struct{}

	onHeader   func(http.Header) // if set, called once just before the header goes out
	headerSent bool
}

func newLockedWriter(w http.ResponseWriter, timeout time.Duration) *lockedWriter {
	return &lockedWriter{w: w, rc: http.NewResponseController(w), timeout: timeout, broken: make(chan struct{})}
}

func (l *lockedWriter) Header() http.Header { return l.w.Header() }

func (l *lockedWriter) WriteHeader(code int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.beforeHeader()
	l.w.WriteHeader(code)
}

func (l *lockedWriter) beforeHeader() {
	if !l.headerSent {
		l.headerSent = true
		if l.onHeader != nil {
			l.onHeader(l.w.Header())
		}
	}
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.write(p)
}

func (l *lockedWriter) write(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	l.beforeHeader()
	n := 0
	for len(p) > 0 {
		k := min(len(p), writeChunk)
		_ = l.rc.SetWriteDeadline(time.Now().Add(l.timeout))
		m, err := l.w.Write(p[:k])
		n += m
		if err != nil {
			l.fail(err)
			return n, err
		}
		p = p[k:]
	}
	return n, nil
}

func (l *lockedWriter) flush() error {
	if l.err != nil {
		return l.err
	}
	l.beforeHeader()
	_ = l.rc.SetWriteDeadline(time.Now().Add(l.timeout))
	if err := l.rc.Flush(); err != nil {
		l.fail(err)
		return err
	}
	return nil
}

func (l *lockedWriter) fail(err error) {
	l.err = err
	close(l.broken)
}

func (l *lockedWriter) Flush() { _ = l.FlushError() }

// FlushError is what http.ResponseController calls: it reports a failed flush.
func (l *lockedWriter) FlushError() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.flush()
}

// Unwrap lets http.ResponseController reach the connection for what this type does not do.
func (l *lockedWriter) Unwrap() http.ResponseWriter { return l.w }

func (l *lockedWriter) comment(text string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.write([]byte(": " + text + "\n\n")); err == nil {
		_ = l.flush()
	}
}

// clearDeadline leaves the connection without a write deadline, for the next request on it.
func (l *lockedWriter) clearDeadline() {
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = l.rc.SetWriteDeadline(time.Time{})
}

// message is POST .../messages/?session_id=…, with the Python SDK's answers (mcp 1.30, as the
// reference runs it) for a body that is not application/json and a missing, malformed or
// unknown id. A body that is not a JSON-RPC message gets a JSON-RPC parse error.
func (s *sseRoutes) message(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		http.Error(w, "Invalid Content-Type header", http.StatusBadRequest)
		return
	}
	id := r.URL.Query().Get("session_id")
	if id == "" {
		http.Error(w, "session_id is required", http.StatusBadRequest)
		return
	}
	if !sessionIDRe.MatchString(id) {
		http.Error(w, "Invalid session ID", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	t := s.sessions[strings.ToLower(id)]
	s.mu.Unlock()
	if t == nil {
		http.Error(w, "Could not find session", http.StatusNotFound)
		return
	}
	if !readMessage(w, r, false) {
		return
	}
	t.ServeHTTP(w, r)
}

// streamableHTTP is the SDK's Streamable HTTP handler, with a JSON-RPC error for a POST
// body that is not a JSON-RPC message (the SDK answers those in plain text).
func (s *sseRoutes) streamableHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && !readMessage(w, r, true) {
		return
	}
	// The SDK writes a session's messages to its streams while holding the session, as on
	// the SSE transport: a client that stops reading is dropped the same way.
	lw := newLockedWriter(w, s.m.cfg.StreamWriteTimeout)
	defer lw.clearDeadline()
	id := r.Header.Get(sessionIDHeader)
	if id == "" && r.Method == http.MethodPost {
		// A new session is tracked before its id reaches the client: the client's next
		// requests (its GET stream among them) may come before ServeHTTP returns here, and
		// must find it, or the stream is not counted and the listening session idles out.
		lw.onHeader = func(h http.Header) {
			if nid := h.Get(sessionIDHeader); nid != "" {
				s.shttp.add(nid)
			}
		}
	}
	if id != "" {
		s.shttp.begin(id)
		defer s.shttp.end(id)
		if r.Method == http.MethodDelete {
			// The client ends its session: its calls still running end with it (closing the
			// session waits for them).
			if ss := s.m.sessionByID(id); ss != nil {
				s.m.calls.cancel(ss)
			}
		}
	}
	s.streamable.ServeHTTP(lw, r)
	if id != "" && r.Method == http.MethodDelete {
		s.shttp.forget(id)
	}
}

const sessionIDHeader = "Mcp-Session-Id"

// shttpSessions closes the Streamable HTTP sessions clients leave behind. The SDK keeps a
// session until the client sends DELETE, and many never do (a script that initializes for
// each call, a client that crashed): each left ~10 KB for the server's life (5000 initialize
// requests grew the server by 50 MB). A session is closed once it has had no request and no
// open stream for HTTPSessionIdle, and when more than MaxHTTPSessions are open the least
// recently used idle one is. (The SDK's own SessionTimeout counts only POSTs: it would close
// a client that listens on its GET stream.)
type shttpSessions struct {
	m    *Manager
	mu   sync.Mutex
	byID map[string]*shttpSession
}

type shttpSession struct {
	refs  int       // requests and streams open
	last  time.Time // when the last one ended
	timer *time.Timer
}

// add starts tracking a session the SDK just created.
func (s *shttpSessions) add(id string) {
	s.mu.Lock()
	if _, ok := s.byID[id]; ok {
		s.mu.Unlock()
		return
	}
	e := &shttpSession{last: time.Now()}
	e.timer = time.AfterFunc(s.m.cfg.HTTPSessionIdle, func() { s.expire(id, e) })
	s.byID[id] = e
	var evict string
	if len(s.byID) > s.m.cfg.MaxHTTPSessions {
		var oldest *shttpSession
		for k, o := range s.byID {
			if k != id && o.refs == 0 && (oldest == nil || o.last.Before(oldest.last)) {
				evict, oldest = k, o
			}
		}
		if oldest != nil {
			oldest.timer.Stop()
			delete(s.byID, evict)
		}
	}
	s.mu.Unlock()
	if evict != "" {
		s.m.closeSession(evict)
	}
}

func (s *shttpSessions) begin(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.byID[id]; e != nil {
		e.refs++
		e.timer.Stop()
	}
}

func (s *shttpSessions) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.byID[id]; e != nil {
		e.refs--
		e.last = time.Now()
		if e.refs == 0 {
			e.timer.Reset(s.m.cfg.HTTPSessionIdle)
		}
	}
}

// forget stops tracking a session the client deleted.
func (s *shttpSessions) forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.byID[id]; e != nil {
		e.timer.Stop()
		delete(s.byID, id)
	}
}

func (s *shttpSessions) expire(id string, e *shttpSession) {
	s.mu.Lock()
	if s.byID[id] != e || e.refs > 0 {
		s.mu.Unlock()
		return
	}
	delete(s.byID, id)
	s.mu.Unlock()
	s.m.closeSession(id)
}

// count is the number of tracked sessions (for tests).
func (s *shttpSessions) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byID)
}

// readMessage reads a POSTed body of at most MaxMessageBytes and checks that it is a JSON-RPC
// message (see validMessage); it answers the request itself and returns false when it is not,
// else it puts the body back for the transport to read.
func readMessage(w http.ResponseWriter, r *http.Request, batches bool) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxMessageBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, fmt.Sprintf("request body exceeds %d bytes", MaxMessageBytes), http.StatusRequestEntityTooLarge)
			return false
		}
		http.Error(w, "failed to read body", http.StatusBadRequest)
		return false
	}
	if !validMessage(w, body, batches) {
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return true
}

// validMessage answers 400 with a JSON-RPC error (-32700 parse error, -32600 invalid
// request) when body is not a JSON-RPC message. Batches (a JSON array) are the transport's
// to judge when allowed.
func validMessage(w http.ResponseWriter, body []byte, batches bool) bool {
	if batches && json.Valid(body) && bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) {
		return true
	}
	err := checkMessage(body)
	if err == nil {
		return true
	}
	code, msg := int64(-32700), "Parse error"
	if json.Valid(body) {
		code, msg = -32600, "Invalid Request"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": nil,
		"error": map[string]any{"code": code, "message": msg + ": " + err.Error()}})
	return false
}

// rpcShape is the outline of a JSON-RPC message: enough to refuse what is not one, without a
// second full decode (the SDK's decoder costs ~60 KB per message).
type rpcShape struct {
	JSONRPC string          `json:"jsonrpc"`
	Method  *string         `json:"method"`
	ID      json.RawMessage `json:"id"`
}

func checkMessage(body []byte) error {
	var m rpcShape
	if err := json.Unmarshal(body, &m); err != nil {
		return err
	}
	if m.JSONRPC != "2.0" {
		return errors.New(`"jsonrpc" must be "2.0"`)
	}
	if m.Method == nil && m.ID == nil {
		return errors.New("neither a request, a notification nor a response")
	}
	return nil
}

// sessionCount is the number of open SSE streams (for tests).
func (s *sseRoutes) sessionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}
