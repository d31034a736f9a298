package mcp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// openSSE opens GET path and returns the endpoint event's data and the open response.
func openSSE(t testing.TB, url string, h http.Header) (string, *http.Response) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	br := bufio.NewReader(resp.Body)
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := strings.CutPrefix(l, "data: "); ok {
			return strings.TrimSpace(d), resp
		}
	}
}

func post(t testing.TB, url, body string, h http.Header) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// TestSSERoutes: the endpoint event points where the reference's does, for both mounts; bad
// session ids and bad messages get the Python SDK's answers; nothing is mounted before the
// first update with a server.
func TestSSERoutes(t *testing.T) {
	t.Parallel()
	m, hs := newTestManager(t, nil)
	for _, p := range []string{"/mcp/sse", "/sse", "/mcp", "/mcp/messages/?session_id=x"} {
		if code, body := post(t, hs.URL+p, `{}`, nil); code != 404 || body != `{"detail":"Not Found"}` {
			t.Fatalf("%s before update: %d %s", p, code, body)
		}
	}
	m.Update(context.Background(), []ServerConfig{ts("s")})
	for _, c := range []struct{ sse, prefix string }{{"/mcp/sse", "/mcp/messages/?session_id="}, {"/sse", "/messages/?session_id="}} {
		ep, resp := openSSE(t, hs.URL+c.sse, nil)
		if !strings.HasPrefix(ep, c.prefix) || len(ep) != len(c.prefix)+32 {
			t.Fatalf("%s endpoint %q", c.sse, ep)
		}
		for _, bc := range []struct {
			url, body string
			code      int
			want      string
		}{
			{ep, `{"jsonrpc":"2.0","id":1,"method":"ping"}`, 202, ""},
			{ep, `{not json`, 400, `"code":-32700`},
			{ep, `{"foo":1}`, 400, `"code":-32600`},
			{ep, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":"x"}`, 202, ``}, // the error comes on the stream
			{ep, `[1,2]`, 400, `"code":-32`},
			{c.prefix[:len(c.prefix)-len("?session_id=")], `{}`, 400, "session_id is required"},
			{c.prefix + "nothex", `{}`, 400, "Invalid session ID"},
			{c.prefix + "0123456789abcdef0123456789abcdef", `{}`, 404, "Could not find session"},
			{ep, "", 400, "Invalid Content-Type header"}, // post sends no Content-Type for an empty body
		} {
			if code, body := post(t, hs.URL+bc.url, bc.body, nil); code != bc.code || !strings.Contains(body, bc.want) {
				t.Errorf("POST %s %s: %d %s", bc.url, bc.body, code, body)
			}
		}
		// The malformed call got a JSON-RPC error on the stream, and the session goes on.
		sawError := false
		for sc := bufio.NewScanner(resp.Body); sc.Scan(); {
			if l := sc.Text(); strings.Contains(l, `"id":2`) && strings.Contains(l, `"error"`) {
				sawError = true
				break
			}
		}
		resp.Body.Close()
		if !sawError {
			t.Fatalf("%s: no JSON-RPC error for the malformed call", c.sse)
		}
	}
	// Streamable HTTP: a body that is not JSON-RPC is refused, the server goes on.
	for body, want := range map[string]string{`{not json`: `"code":-32700`, `{"x":1}`: `"code":-32600`} {
		if code, got := post(t, hs.URL+"/mcp", body, http.Header{"Accept": {"application/json, text/event-stream"}}); code != 400 || !strings.Contains(got, want) {
			t.Fatalf("streamable %s: %d %s", body, code, got)
		}
	}
	if code, body := post(t, hs.URL+"/mcp/nothing", `{}`, nil); code != 404 {
		t.Fatalf("%d %s", code, body)
	}
}

// TestBearerAuth: with a key, the MCP routes need "Authorization: Bearer <key>" (as the
// reference's StaticTokenVerifier: the s and X-Session-API-Key headers alone do not do).
func TestBearerAuth(t *testing.T) {
	t.Parallel()
	m, hs := newTestManager(t, func(c *Config) { c.APIKey = "sekret" })
	m.Update(context.Background(), []ServerConfig{ts("s")})
	for _, h := range []http.Header{
		nil,
		{"Authorization": {"Bearer wrong"}},
		{"Authorization": {"sekret"}},
		{"S": {"sekret"}, "X-Session-Api-Key": {"sekret"}},
	} {
		req, _ := http.NewRequest("GET", hs.URL+"/mcp/sse", nil)
		req.Header = h
		if req.Header == nil {
			req.Header = http.Header{}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 401 || !strings.Contains(string(b), `"invalid_token"`) || resp.Header.Get("WWW-Authenticate") == "" {
			t.Fatalf("%v: %d %s", h, resp.StatusCode, b)
		}
	}
	ok := http.Header{"Authorization": {"Bearer sekret"}}
	cs := connect(t, hs, clientOpts{header: ok})
	if r := call(t, cs, "echo", map[string]any{"text": "in"}); text(r) != "in" {
		t.Fatal(jsonOf(r))
	}
	cs = connect(t, hs, clientOpts{header: http.Header{"Authorization": {"bearer sekret"}}, streamable: true})
	if r := call(t, cs, "echo", map[string]any{"text": "in"}); text(r) != "in" {
		t.Fatal(jsonOf(r))
	}
}

func openFDs() int {
	ents, _ := os.ReadDir("/proc/self/fd")
	return len(ents)
}

// TestManySSEClientsNoLeak: 100 SSE clients that connect, initialize and leave leave no
// goroutine, fd or session behind. Not parallel: it counts the process's goroutines.
func TestManySSEClientsNoLeak(t *testing.T) {
	m, hs := newTestManager(t, nil)
	m.Update(context.Background(), []ServerConfig{ts("s")})
	warm := connect(t, hs, clientOpts{})
	call(t, warm, "echo", map[string]any{"text": "warm"})
	_ = warm.Close()
	waitFor(t, "warm-up session to close", 5*time.Second, func() bool { return m.sse.sessionCount() == 0 })
	http.DefaultClient.CloseIdleConnections()
	hs.CloseClientConnections()
	time.Sleep(0) // nothing to wait for: the baseline is taken as it is
	g0, f0 := runtime.NumGoroutine(), openFDs()
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			cs := connect(t, hs, clientOpts{})
			if n := len(toolNames(t, cs)); n == 0 {
				t.Error("no tools")
			}
			_ = cs.Close()
		})
	}
	wg.Wait()
	waitFor(t, "every SSE session to end", 10*time.Second, func() bool { return m.sse.sessionCount() == 0 })
	var g, f int
	deadline := time.Now().Add(10 * time.Second)
	for {
		http.DefaultClient.CloseIdleConnections()
		hs.CloseClientConnections()
		g, f = runtime.NumGoroutine(), openFDs()
		if g <= g0+5 && f <= f0+5 {
			break
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("leak: goroutines %d → %d, fds %d → %d\n%s", g0, g, f0, f, buf[:n])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// FuzzCheckMessage: any POSTed body is either accepted as the outline of a JSON-RPC message
// (valid JSON, "jsonrpc": "2.0", a method or an id) or refused, never a panic.
func FuzzCheckMessage(f *testing.F) {
	for _, s := range []string{`{"jsonrpc":"2.0","id":1,"method":"ping"}`, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, `{`, `[]`, `{"jsonrpc":"1.0","id":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if checkMessage(body) == nil && !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
	})
}

// TestSSEKeepAlive: a silent SSE stream gets ": ping" comments (as the reference's
// sse-starlette sends), and clients that skip comments work across them, also during a call
// that outlasts several pings.
func TestSSEKeepAlive(t *testing.T) {
	t.Parallel()
	m, hs := newTestManager(t, func(c *Config) { c.SSEPing = 20 * time.Millisecond })
	m.Update(context.Background(), []ServerConfig{ts("k")})
	_, resp := openSSE(t, hs.URL+"/mcp/sse", nil)
	sc := bufio.NewScanner(resp.Body)
	pinged := false
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), ": ping - ") {
			pinged = true
			break
		}
	}
	resp.Body.Close()
	if !pinged {
		t.Fatal("no ping comment on the stream")
	}
	cs := connect(t, hs, clientOpts{})
	if r := call(t, cs, "sleep", map[string]any{"ms": 200}); text(r) != "slept" {
		t.Fatal(jsonOf(r))
	}
	if r := call(t, cs, "echo", map[string]any{"text": "after pings"}); text(r) != "after pings" {
		t.Fatal(jsonOf(r))
	}
}

// TestStuckSSEClientIsDropped: an SSE client that stops reading its stream (while its tool
// results pile up) is dropped after the write timeout; it neither blocks the tools/list_changed
// notification to the other clients nor keeps its session. Before the fix every later
// notification, to every client, waited behind its blocked write for as long as it stayed
// connected.
func TestStuckSSEClientIsDropped(t *testing.T) {
	m := New(Config{User: currentUser(t), WorkDir: t.TempDir(), BaseEnv: os.Environ(), InitTimeout: 10 * time.Second, StreamWriteTimeout: time.Second})
	hs := httptest.NewUnstartedServer(m)
	// Small, fixed socket send buffers: a few hundred KB of results fill one.
	hs.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateNew {
			_ = c.(*net.TCPConn).SetWriteBuffer(32 << 10)
		}
	}
	hs.Start()
	t.Cleanup(func() {
		m.CloseSessions()
		hs.Close()
		m.Close()
	})
	m.Update(context.Background(), []ServerConfig{ts("a")})

	// The stuck client: a raw connection with a tiny receive buffer that never reads past the
	// endpoint event.
	addr := strings.TrimPrefix(hs.URL, "http://")
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /mcp/sse HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	br := bufio.NewReader(conn)
	var endpoint string
	for endpoint == "" {
		l, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if e, ok := strings.CutPrefix(l, "data: "); ok {
			endpoint = strings.TrimSpace(e)
		}
	}
	post(t, hs.URL+endpoint, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"stuck","version":"1"}}}`, nil)
	post(t, hs.URL+endpoint, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, nil)
	for i := range 4 {
		code, body := post(t, hs.URL+endpoint, fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"echo","arguments":{"text":"xxxxxxxxxxxxxxxx","repeat":%d}}}`, 10+i, 1<<14), nil)
		if code == 404 { // already dropped
			break
		}
		if code != 202 {
			t.Fatalf("tools/call: %d %s", code, body)
		}
	}
	// Readiness: the server's send queue towards the stuck client is full (a megabyte of
	// results waits behind it), or the server already dropped the connection.
	local := conn.LocalAddr().(*net.TCPAddr).Port
	waitFor(t, "the stuck client's send queue to fill", 30*time.Second, func() bool {
		q, ok := sendQueue(hs.Listener.Addr().(*net.TCPAddr).Port, local)
		return !ok || q > 16<<10
	})

	changed := make(chan struct{}, 10)
	healthy := connect(t, hs, clientOpts{opts: &sdk.ClientOptions{ToolListChangedHandler: func(context.Context, *sdk.ToolListChangedRequest) {
		changed <- struct{}{}
	}}})
	if r := call(t, healthy, "echo", map[string]any{"text": "hi"}); text(r) != "hi" {
		t.Fatal(jsonOf(r))
	}
	m.Update(context.Background(), []ServerConfig{ts("a"), ts("b")})
	select {
	case <-changed:
	case <-time.After(15 * time.Second):
		t.Fatal("the healthy client got no tools/list_changed: the stuck client's stream blocks notifications")
	}
	waitFor(t, "the stuck session to be dropped", 15*time.Second, func() bool { return m.sse.sessionCount() == 1 })
	if r := call(t, healthy, "a_echo", map[string]any{"text": "still"}); text(r) != "still" {
		t.Fatal(jsonOf(r))
	}
}

// sendQueue is the kernel's send queue of the loopback connection from port local to port
// remote (/proc/net/tcp); ok is false when there is no such connection.
func sendQueue(local, remote int) (int, bool) {
	b, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		return 0, false
	}
	want := fmt.Sprintf(":%04X", local)
	peer := fmt.Sprintf(":%04X", remote)
	for _, l := range strings.Split(string(b), "\n")[1:] {
		f := strings.Fields(l)
		if len(f) < 5 || !strings.HasSuffix(f[1], want) || !strings.HasSuffix(f[2], peer) {
			continue
		}
		tx, _, _ := strings.Cut(f[4], ":")
		n, _ := strconv.ParseInt(tx, 16, 64)
		return int(n), true
	}
	return 0, false
}

// initializeOnly opens a Streamable HTTP session with a bare initialize request and leaves it
// (no DELETE), as a careless client does; it returns the session id.
func initializeOnly(t testing.TB, hs *httptest.Server) string {
	t.Helper()
	req, _ := http.NewRequest("POST", hs.URL+"/mcp", strings.NewReader(
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"careless","version":"1"}}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	id := resp.Header.Get("Mcp-Session-Id")
	if resp.StatusCode != 200 || id == "" {
		t.Fatalf("initialize: %d, session %q", resp.StatusCode, id)
	}
	return id
}

func sessionIDs(m *Manager) map[string]bool {
	ids := map[string]bool{}
	for ss := range m.srv.Sessions() {
		ids[ss.ID()] = true
	}
	return ids
}

// TestAbandonedStreamableSessionsBounded: Streamable HTTP sessions that clients never DELETE
// are closed beyond MaxHTTPSessions, least recently used first (before, every one stayed for
// the server's life: 5000 initialize requests grew the server by 50 MB).
func TestAbandonedStreamableSessionsBounded(t *testing.T) {
	m, hs := newTestManager(t, func(c *Config) { c.MaxHTTPSessions = 5 })
	m.Update(context.Background(), []ServerConfig{ts("s")})
	var ids []string
	for range 20 {
		ids = append(ids, initializeOnly(t, hs))
	}
	open := sessionIDs(m)
	if len(open) > 5 {
		t.Fatalf("%d sessions open, want at most 5", len(open))
	}
	if !open[ids[19]] || open[ids[0]] {
		t.Fatalf("the newest session should stay and the oldest go: %v", open)
	}
}

// TestIdleStreamableSessionsClosed: a session idle for HTTPSessionIdle is closed; one whose
// client listens on its GET stream is not, however quiet.
func TestIdleStreamableSessionsClosed(t *testing.T) {
	m, hs := newTestManager(t, func(c *Config) { c.HTTPSessionIdle = 300 * time.Millisecond })
	m.Update(context.Background(), []ServerConfig{ts("s")})
	cs := connect(t, hs, clientOpts{streamable: true})
	call(t, cs, "echo", map[string]any{"text": "hi"})
	waitFor(t, "the client's GET stream", 5*time.Second, func() bool {
		m.sse.shttp.mu.Lock()
		defer m.sse.shttp.mu.Unlock()
		e := m.sse.shttp.byID[cs.ID()]
		return e != nil && e.refs > 0
	})
	var left []string
	for range 3 {
		left = append(left, initializeOnly(t, hs))
	}
	// The abandoned sessions, newer than the client's last call, go once idle...
	waitFor(t, "idle sessions to close", 10*time.Second, func() bool {
		open := sessionIDs(m)
		for _, id := range left {
			if open[id] {
				return false
			}
		}
		return true
	})
	// ...while the listening client's session stays and serves.
	if !sessionIDs(m)[cs.ID()] {
		t.Fatal("the listening client's session was closed")
	}
	if got := text(call(t, cs, "echo", map[string]any{"text": "still here"})); got != "still here" {
		t.Fatalf("echo: %q", got)
	}
	_ = cs.Close()
	waitFor(t, "the tracker to forget the deleted session", 5*time.Second, func() bool { return m.sse.shttp.count() == 0 })
}
