package mcp

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/gohands/gohands/plugins/proc"
)

// testServerBin is the fault-injecting stdio server (internal/testserver), built once.
var testServerBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gohands-mcp-test-")
	if err != nil {
		panic(err)
	}
	testServerBin = filepath.Join(dir, "testserver")
	out, err := exec.Command("go", "build", "-o", testServerBin, "./internal/testserver").CombinedOutput()
	if err != nil {
		os.RemoveAll(dir)
		panic("build testserver: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func currentUser(t testing.TB) proc.User {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return proc.User{Name: u.Username, UID: uid, GID: gid, Home: u.HomeDir}
}

// newTestManager is a manager whose children run as the current user in a temp dir; it
// and its HTTP server are closed at the end of the test.
func newTestManager(t testing.TB, mod func(*Config)) (*Manager, *httptest.Server) {
	t.Helper()
	cfg := Config{User: currentUser(t), WorkDir: t.TempDir(), BaseEnv: os.Environ(), InitTimeout: 10 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	m := New(cfg)
	hs := httptest.NewServer(m)
	t.Cleanup(func() {
		m.CloseSessions()
		hs.Close()
		m.Close()
	})
	return m, hs
}

func ts(name string, args ...string) ServerConfig {
	return ServerConfig{Name: name, Command: testServerBin, Args: args, Env: map[string]string{}}
}

type clientOpts struct {
	streamable bool
	header     http.Header
	opts       *sdk.ClientOptions
}

type headerRT struct {
	h    http.Header
	next http.RoundTripper
}

func (r headerRT) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	for k, v := range r.h {
		req.Header[k] = v
	}
	return r.next.RoundTrip(req)
}

// connect opens a client session over SSE (/mcp/sse) or Streamable HTTP (/mcp).
func connect(t testing.TB, hs *httptest.Server, o clientOpts) *sdk.ClientSession {
	t.Helper()
	hc := &http.Client{Transport: headerRT{h: o.header, next: http.DefaultTransport}}
	var tr sdk.Transport = &sdk.SSEClientTransport{Endpoint: hs.URL + "/mcp/sse", HTTPClient: hc}
	if o.streamable {
		tr = &sdk.StreamableClientTransport{Endpoint: hs.URL + "/mcp", HTTPClient: hc, MaxRetries: -1}
	}
	c := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, o.opts)
	// The SSE client's stream lives on the Connect context: it must outlast the connect.
	cs, err := c.Connect(context.Background(), tr, nil)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

func toolNames(t testing.TB, cs *sdk.ClientSession) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	var out []string
	for _, tl := range res.Tools {
		out = append(out, tl.Name)
	}
	return out
}

func call(t testing.TB, cs *sdk.ClientSession, name string, args any) *sdk.CallToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("tools/call %s: %v", name, err)
	}
	return res
}

func text(r *sdk.CallToolResult) string {
	var parts []string
	for _, c := range r.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// waitFor polls cond (readiness, not a sleep) until it holds or the deadline passes.
func waitFor(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
