package mcp

//lint:file-ignore SA1019 the sampling test plays a 2025-11-25 client.
import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/gohands/gohands/plugins/proc"
)

// TestProxyOneServer: over one server the names stay as they are; results pass through
// unchanged (text, structured content, images, isError), on both transports.
func TestProxyOneServer(t *testing.T) {
	t.Parallel()
	m, hs := newTestManager(t, nil)
	if log := m.Update(context.Background(), []ServerConfig{ts("only")}); log != "" {
		t.Fatalf("router_error_log: %s", log)
	}
	for _, streamable := range []bool{false, true} {
		t.Run(fmt.Sprint("streamable=", streamable), func(t *testing.T) {
			cs := connect(t, hs, clientOpts{streamable: streamable})
			names := toolNames(t, cs)
			for _, want := range []string{"echo", "add", "image", "fail", "env", "sleep", "crash"} {
				if !slices.Contains(names, want) {
					t.Fatalf("tools %v lack %s", names, want)
				}
			}
			if r := call(t, cs, "echo", map[string]any{"text": "héllo"}); text(r) != "héllo" || r.IsError {
				t.Fatalf("echo: %s", jsonOf(r))
			}
			r := call(t, cs, "add", map[string]any{"A": 2, "B": 3})
			if got := jsonOf(r.StructuredContent); got != `{"sum":5}` {
				t.Fatalf("add: %s", jsonOf(r))
			}
			r = call(t, cs, "image", map[string]any{})
			img, ok := r.Content[0].(*sdk.ImageContent)
			if !ok || img.MIMEType != "image/png" || string(img.Data) != "\x89PNG\r\n" {
				t.Fatalf("image: %s", jsonOf(r))
			}
			if r := call(t, cs, "fail", map[string]any{}); !r.IsError || text(r) != "it failed" {
				t.Fatalf("fail: %s", jsonOf(r))
			}
			if r := call(t, cs, "nope", map[string]any{}); !r.IsError || text(r) != "Unknown tool: nope" {
				t.Fatalf("unknown tool: %s", jsonOf(r))
			}
		})
	}
}

// TestProxySeveralServers: over several servers, tools and prompts are "<server>_<name>" and
// resource URIs "scheme://<server>/rest", as fastmcp 2.12.4's proxy names them; each call
// reaches the right server.
func TestProxySeveralServers(t *testing.T) {
	t.Parallel()
	m, hs := newTestManager(t, nil)
	a, b := ts("alpha"), ts("beta")
	b.Env = map[string]string{"WHO": "beta"}
	a.Env = map[string]string{"WHO": "alpha"}
	if log := m.Update(context.Background(), []ServerConfig{a, b}); log != "" {
		t.Fatal(log)
	}
	cs := connect(t, hs, clientOpts{})
	names := toolNames(t, cs)
	if !slices.Contains(names, "alpha_echo") || !slices.Contains(names, "beta_env") || slices.Contains(names, "echo") {
		t.Fatalf("names: %v", names)
	}
	for _, s := range []string{"alpha", "beta"} {
		if got := text(call(t, cs, s+"_env", map[string]any{"name": "WHO"})); !strings.Contains(got, `"value":"`+s+`"`) {
			t.Fatalf("%s_env: %s", s, got)
		}
	}
	ctx := context.Background()
	res, err := cs.ListResources(ctx, nil)
	if err != nil || len(res.Resources) != 2 {
		t.Fatalf("resources: %v %s", err, jsonOf(res))
	}
	rr, err := cs.ReadResource(ctx, &sdk.ReadResourceParams{URI: "test://beta/static/hello"})
	if err != nil || rr.Contents[0].Text != "hello resource" {
		t.Fatalf("read: %v %s", err, jsonOf(rr))
	}
	tm, err := cs.ListResourceTemplates(ctx, nil)
	if err != nil || !strings.Contains(jsonOf(tm), "test://alpha/item/{id}") {
		t.Fatalf("templates: %v %s", err, jsonOf(tm))
	}
	rr, err = cs.ReadResource(ctx, &sdk.ReadResourceParams{URI: "test://alpha/item/42"})
	if err != nil || rr.Contents[0].Text != "item 42" {
		t.Fatalf("template read: %v %s", err, jsonOf(rr))
	}
	gp, err := cs.GetPrompt(ctx, &sdk.GetPromptParams{Name: "beta_greet", Arguments: map[string]string{"who": "you"}})
	if err != nil || gp.Messages[0].Content.(*sdk.TextContent).Text != "hello you" {
		t.Fatalf("prompt: %v %s", err, jsonOf(gp))
	}
}

// TestStartupFailures: every server that cannot start is named in the error log with why
// (command not found, exit status and stderr tail, garbage or a huge line on stdout,
// initialize timeout), and the healthy one still serves.
func TestStartupFailures(t *testing.T) {
	t.Parallel()
	m, hs := newTestManager(t, func(c *Config) { c.InitTimeout = 4 * time.Second })
	noexec := filepath.Join(t.TempDir(), "server.py")
	if err := os.WriteFile(noexec, []byte("print()"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfgs := []ServerConfig{
		{Name: "noexec", Command: noexec, Env: map[string]string{}},
		ts("good"), ts("quits", "exit"), ts("garbage", "garbage"), ts("huge", "hugeline"), ts("mute", "noinit"),
		{Name: "missing", Command: "no-such-mcp-server-xyz", Env: map[string]string{}},
	}
	log := m.Update(context.Background(), cfgs)
	for _, want := range []string{
		`MCP server "quits" exited during start-up (exit status 3); stderr: testserver: loading config` + "\n" + `fatal: cannot open config.toml`,
		`MCP server "garbage": initialize timed out after 4s; its stdout is not JSON-RPC: "Welcome to the garbage server! this is not JSON"`,
		`MCP server "huge" failed during start-up: a line on stdout exceeded the 16777216-byte limit`,
		`MCP server "mute": initialize timed out after 4s; stderr: testserver: thinking forever`,
		`MCP server "missing": command not found: no-such-mcp-server-xyz`,
		`MCP server "noexec": cannot run ` + noexec + `: ` + noexec + ` is not executable`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("router_error_log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, `"good"`) {
		t.Errorf("good server reported: %s", log)
	}
	st := m.Status()
	if len(st) != 7 || st[1].State != StateRunning || st[1].Tools == 0 {
		t.Fatalf("status: %s", jsonOf(st))
	}
	for _, s := range append(st[:1:1], st[2:]...) {
		if s.State != StateFailed || s.LastError == "" {
			t.Fatalf("status: %s", jsonOf(st))
		}
	}
	// Seven servers configured: the good one's tools are prefixed, and they work.
	cs := connect(t, hs, clientOpts{})
	if r := call(t, cs, "good_echo", map[string]any{"text": "still here"}); text(r) != "still here" {
		t.Fatalf("%s", jsonOf(r))
	}
}

// TestInitTimeoutOfAPoliteServer: a server that never answers initialize but leaves as soon
// as its stdin closes (as mcp-server-everything does) is reported as timed out. Before the fix
// the stdin was closed before the reason was worded, and the log said "exited during start-up
// (exit status 0)", hiding the timeout.
func TestInitTimeoutOfAPoliteServer(t *testing.T) {
	t.Parallel()
	m, _ := newTestManager(t, func(c *Config) { c.InitTimeout = 2 * time.Second })
	log := m.Update(context.Background(), []ServerConfig{ts("deaf", "deaf")})
	want := `MCP server "deaf": initialize timed out after 2s; stderr: testserver: not listening`
	if log != want {
		t.Fatalf("router_error_log:\n%s\nwant:\n%s", log, want)
	}
}

// TestCrashDuringCall: a server that dies in a call turns the call into an error result
// naming it, its exit status and its stderr tail; the next call restarts it.
func TestCrashDuringCall(t *testing.T) {
	t.Parallel()
	m, hs := newTestManager(t, nil)
	m.Update(context.Background(), []ServerConfig{ts("fragile")})
	cs := connect(t, hs, clientOpts{})
	r := call(t, cs, "crash", map[string]any{})
	if got := text(r); !r.IsError || !strings.Contains(got, `MCP server "fragile" exited while running (exit status 7)`) ||
		!strings.Contains(got, "panic: the crash tool was called") {
		t.Fatalf("crash: %s", jsonOf(r))
	}
	if st := m.Status(); st[0].State != StateFailed {
		t.Fatalf("status: %s", jsonOf(st))
	}
	if r := call(t, cs, "echo", map[string]any{"text": "back"}); text(r) != "back" {
		t.Fatalf("after restart: %s", jsonOf(r))
	}
	if st := m.Status(); st[0].State != StateRunning || st[0].Restarts != 1 {
		t.Fatalf("status: %s", jsonOf(st))
	}
	// A second crash right away: the next restart waits for its back-off, and says so.
	call(t, cs, "crash", map[string]any{})
	r = call(t, cs, "echo", map[string]any{"text": "x"})
	if text(r) != "x" {
		// Within the back-off the call gets a clear error rather than hanging.
		if !r.IsError || !strings.Contains(text(r), "next restart attempt in") {
			t.Fatalf("during back-off: %s", jsonOf(r))
		}
	}
}

// TestStdoutNoiseAndHugeLine: a line on stdout that is not JSON is skipped (as the
// reference's client does) and the call goes on; a line over 16 MB fails the server (and
// kills it), the call gets an error result, the next call restarts it.
func TestStdoutNoiseAndHugeLine(t *testing.T) {
	t.Parallel()
	m, hs := newTestManager(t, nil)
	m.Update(context.Background(), []ServerConfig{ts("noisy")})
	pid := m.Status()[0].PID
	cs := connect(t, hs, clientOpts{})
	if r := call(t, cs, "garble", map[string]any{}); r.IsError || text(r) != "garbled" {
		t.Fatalf("garble: %s", jsonOf(r))
	}
	if st := m.Status()[0]; st.State != StateRunning || st.PID != pid {
		t.Fatalf("after noise: %s", jsonOf(st))
	}
	r := call(t, cs, "huge", map[string]any{})
	if !r.IsError || !strings.Contains(text(r), `MCP server "noisy" failed while running: a line on stdout exceeded the 16777216-byte limit`) {
		t.Fatalf("huge: %s", jsonOf(r))
	}
	waitFor(t, "the process to die", 5*time.Second, func() bool { return !proc.Alive(pid) })
	if r := call(t, cs, "echo", map[string]any{"text": "ok"}); text(r) != "ok" {
		t.Fatalf("after restart: %s", jsonOf(r))
	}
}

// TestUpdateIsADiff: unchanged servers keep running (same pid, the client session goes on);
// removed ones stop; clients hear tools/list_changed.
func TestUpdateIsADiff(t *testing.T) {
	t.Parallel()
	m, hs := newTestManager(t, nil)
	m.Update(context.Background(), []ServerConfig{ts("keep")})
	pid := m.Status()[0].PID
	var changed atomic.Int32
	cs := connect(t, hs, clientOpts{opts: &sdk.ClientOptions{ToolListChangedHandler: func(context.Context, *sdk.ToolListChangedRequest) { changed.Add(1) }}})
	if r := call(t, cs, "echo", map[string]any{"text": "1"}); text(r) != "1" {
		t.Fatal(jsonOf(r))
	}
	other := ts("other")
	if log := m.Update(context.Background(), []ServerConfig{ts("keep"), other}); log != "" {
		t.Fatal(log)
	}
	if st := m.Status(); st[0].PID != pid || st[0].Restarts != 0 {
		t.Fatalf("keep restarted: %d → %s", pid, jsonOf(st))
	}
	waitFor(t, "tools/list_changed", 5*time.Second, func() bool { return changed.Load() > 0 })
	if r := call(t, cs, "keep_echo", map[string]any{"text": "2"}); text(r) != "2" {
		t.Fatal(jsonOf(r))
	}
	other.Env = map[string]string{"X": "changed"}
	m.Update(context.Background(), []ServerConfig{other})
	waitFor(t, "the removed server to exit", 5*time.Second, func() bool { return !proc.Alive(pid) })
	names := toolNames(t, cs)
	if !slices.Contains(names, "echo") || slices.Contains(names, "keep_echo") {
		t.Fatalf("names after update: %v", names)
	}
	if got := text(call(t, cs, "env", map[string]any{"name": "X"})); !strings.Contains(got, `"value":"changed"`) {
		t.Fatal(got)
	}
	// An empty list stops everything; the routes stay mounted, as in the reference.
	m.Update(context.Background(), nil)
	if len(m.Status()) != 0 || len(toolNames(t, cs)) != 0 {
		t.Fatalf("after []: %s", jsonOf(m.Status()))
	}
}

// TestChildEnvironment: a child runs in the working dir, in its own process group, with the
// user's environment plus its env.
func TestChildEnvironment(t *testing.T) {
	t.Parallel()
	m, hs := newTestManager(t, nil)
	c := ts("e")
	c.Env = map[string]string{"MCP_TEST_VAR": "v=1 2"}
	m.Update(context.Background(), []ServerConfig{c})
	cs := connect(t, hs, clientOpts{})
	got := text(call(t, cs, "env", map[string]any{"name": "MCP_TEST_VAR"}))
	want := fmt.Sprintf(`{"cwd":%q,"pgid_is_pid":true,"uid":%d,"value":"v=1 2"}`, m.cfg.WorkDir, os.Getuid())
	if got != want {
		t.Fatalf("got %s want %s", got, want)
	}
	home := text(call(t, cs, "env", map[string]any{"name": "HOME"}))
	if !strings.Contains(home, `"value":"`+currentUser(t).Home+`"`) {
		t.Fatalf("HOME: %s", home)
	}
}

// TestProgressAndTimeout: progress notifications come back with the client's own token; a
// call that outlives the per-call timeout becomes an error result.
func TestProgressAndTimeout(t *testing.T) {
	t.Parallel()
	m, hs := newTestManager(t, func(c *Config) { c.CallTimeout = 2 * time.Second })
	m.Update(context.Background(), []ServerConfig{ts("slow")})
	var mu sync.Mutex
	var toks []any
	cs := connect(t, hs, clientOpts{streamable: true, opts: &sdk.ClientOptions{ProgressNotificationHandler: func(_ context.Context, r *sdk.ProgressNotificationClientRequest) {
		mu.Lock()
		toks = append(toks, r.Params.ProgressToken)
		mu.Unlock()
	}}})
	p := &sdk.CallToolParams{Name: "sleep", Arguments: map[string]any{"ms": 200}}
	p.SetProgressToken("my-token")
	res, err := cs.CallTool(context.Background(), p)
	if err != nil || text(res) != "slept" {
		t.Fatalf("%v %s", err, jsonOf(res))
	}
	waitFor(t, "progress", 5*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(toks) == 4 })
	mu.Lock()
	for _, tk := range toks {
		if tk != "my-token" {
			t.Fatalf("tokens: %v", toks)
		}
	}
	mu.Unlock()
	r := call(t, cs, "sleep", map[string]any{"ms": 20000})
	if !r.IsError || text(r) != `MCP server "slow": call to sleep timed out` {
		t.Fatalf("timeout: %s", jsonOf(r))
	}
}

// TestFloodIsBounded: calls beyond the queue limit get an error result at once; the others
// complete.
func TestFloodIsBounded(t *testing.T) {
	t.Parallel()
	m, hs := newTestManager(t, func(c *Config) { c.QueueLimit = 3 })
	m.Update(context.Background(), []ServerConfig{ts("busy")})
	cs := connect(t, hs, clientOpts{})
	var wg sync.WaitGroup
	var ok, busy atomic.Int32
	for range 12 {
		wg.Go(func() {
			r := call(t, cs, "sleep", map[string]any{"ms": 1500})
			switch {
			case text(r) == "slept":
				ok.Add(1)
			case r.IsError && strings.Contains(text(r), `MCP server "busy" is busy: 3 calls already in flight`):
				busy.Add(1)
			default:
				t.Errorf("unexpected: %s", jsonOf(r))
			}
		})
	}
	wg.Wait()
	if ok.Load() < 3 || busy.Load() == 0 || ok.Load()+busy.Load() != 12 {
		t.Fatalf("ok %d busy %d", ok.Load(), busy.Load())
	}
}

// TestCloseKillsChildren: Close leaves no child behind.
func TestCloseKillsChildren(t *testing.T) {
	t.Parallel()
	m, _ := newTestManager(t, nil)
	m.Update(context.Background(), []ServerConfig{ts("a"), ts("b")})
	var pids []int
	for _, s := range m.Status() {
		pids = append(pids, s.PID)
	}
	m.Close()
	for _, pid := range pids {
		if proc.Alive(pid) || syscall.Kill(-pid, 0) == nil {
			t.Fatalf("pid %d survived Close", pid)
		}
	}
	if log := m.Update(context.Background(), []ServerConfig{ts("c")}); !strings.Contains(log, "shutting down") {
		t.Fatal(log)
	}
}

// TestServerToolsChange: a server that adds a tool (and says so) shows it through the proxy,
// and the proxy's clients hear tools/list_changed.
func TestServerToolsChange(t *testing.T) {
	t.Parallel()
	m, hs := newTestManager(t, nil)
	m.Update(context.Background(), []ServerConfig{ts("g")})
	var changed atomic.Int32
	cs := connect(t, hs, clientOpts{streamable: true, opts: &sdk.ClientOptions{ToolListChangedHandler: func(context.Context, *sdk.ToolListChangedRequest) { changed.Add(1) }}})
	if slices.Contains(toolNames(t, cs), "extra") {
		t.Fatal("extra before grow")
	}
	call(t, cs, "grow", map[string]any{})
	waitFor(t, "tools/list_changed", 5*time.Second, func() bool { return changed.Load() > 0 })
	waitFor(t, "the new tool", 5*time.Second, func() bool { return slices.Contains(toolNames(t, cs), "extra") })
	if r := call(t, cs, "extra", map[string]any{}); text(r) != "extra" {
		t.Fatal(jsonOf(r))
	}
	if st := m.Status()[0]; st.Tools != 12 { // eleven, and extra
		t.Fatalf("tool count: %s", jsonOf(st))
	}
}

// TestSamplingIsForwarded: a server's sampling/createMessage during a call goes to the
// client that made the call, and its answer comes back.
func TestSamplingIsForwarded(t *testing.T) {
	t.Parallel()
	m, hs := newTestManager(t, nil)
	m.Update(context.Background(), []ServerConfig{ts("s")})
	cs := connect(t, hs, clientOpts{opts: &sdk.ClientOptions{CreateMessageHandler: func(_ context.Context, req *sdk.CreateMessageRequest) (*sdk.CreateMessageResult, error) {
		q := req.Params.Messages[0].Content.(*sdk.TextContent).Text
		return &sdk.CreateMessageResult{Model: "m", Role: "assistant", Content: &sdk.TextContent{Text: "answer to " + q}}, nil
	}}})
	if r := call(t, cs, "sample", map[string]any{"text": "six times seven"}); text(r) != "answer to six times seven" {
		t.Fatal(jsonOf(r))
	}
}

// TestCancellationReachesServer: a client that cancels its call makes the proxy cancel the
// call on the server (notifications/cancelled passes through).
func TestCancellationReachesServer(t *testing.T) {
	t.Parallel()
	m, hs := newTestManager(t, nil)
	m.Update(context.Background(), []ServerConfig{ts("c")})
	cs := connect(t, hs, clientOpts{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "sleep", Arguments: map[string]any{"ms": 60000}})
		done <- err
	}()
	u := m.get("c")
	waitFor(t, "the call to reach the server", 10*time.Second, func() bool {
		return strings.Contains(u.stderr.tail(5), "testserver: sleep started")
	})
	cancel()
	if err := <-done; err == nil {
		t.Fatal("cancelled call returned no error")
	}
	waitFor(t, "the server to see the cancellation", 10*time.Second, func() bool {
		return strings.Contains(u.stderr.tail(5), "testserver: sleep cancelled")
	})
	waitFor(t, "the slot to be released", 10*time.Second, func() bool { return len(u.slots) == 0 })
}

// TestRemovedDuringCall: a call in flight on a server that an update removes ends with an
// error result that says so.
func TestRemovedDuringCall(t *testing.T) {
	t.Parallel()
	m, hs := newTestManager(t, nil)
	m.Update(context.Background(), []ServerConfig{ts("gone")})
	u := m.get("gone")
	cs := connect(t, hs, clientOpts{})
	res := make(chan *sdk.CallToolResult, 1)
	go func() {
		r, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: "sleep", Arguments: map[string]any{"ms": 60000}})
		if err != nil {
			t.Error(err)
		}
		res <- r
	}()
	waitFor(t, "the call to reach the server", 10*time.Second, func() bool {
		return strings.Contains(u.stderr.tail(5), "testserver: sleep started")
	})
	m.Update(context.Background(), nil)
	r := <-res
	if r == nil || !r.IsError || text(r) != `MCP server "gone" was stopped by an update during the call to sleep` {
		t.Fatalf("%s", jsonOf(r))
	}
}

// TestCallDuringRestartLeaksNoProcess: a call that reaches a changed server while the update
// is still stopping its old process starts it; the update then must not start a second one.
// Before the fix the update's start replaced the call's process without stopping it: one
// orphaned server (process, pipes, goroutines) per such race, hundreds under update churn.
func TestCallDuringRestartLeaksNoProcess(t *testing.T) {
	t.Parallel()
	m, hs := newTestManager(t, nil)
	marker := fmt.Sprintf("restart-race-%d", time.Now().UnixNano())
	a := ts("a", "ok", marker)
	m.Update(context.Background(), []ServerConfig{a, ts("b")})
	cs := connect(t, hs, clientOpts{})
	for i := range 5 {
		a.Env = map[string]string{"ROUND": fmt.Sprint(i)}
		done := make(chan struct{})
		go func() {
			m.Update(context.Background(), []ServerConfig{a, ts("b")})
			close(done)
		}()
		for busy := true; busy; {
			select {
			case <-done:
				busy = false
			default:
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				_, _ = cs.CallTool(ctx, &sdk.CallToolParams{Name: "a_echo", Arguments: map[string]any{"text": "x"}})
				cancel()
			}
		}
	}
	waitFor(t, `a single process of server "a"`, 10*time.Second, func() bool { return processesWith(marker) == 1 })
}

// processesWith counts the live processes whose command line holds arg.
func processesWith(arg string) int {
	ents, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		if slices.Contains(strings.Split(string(b), "\x00"), arg) {
			if st, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil && !strings.Contains(string(st), ") Z ") {
				n++
			}
		}
	}
	return n
}

// TestOutOfDescriptorsNamesTheServer: a server that cannot even get its pipes (the process is
// out of file descriptors) is named in the error log, as every other failure is (before, the
// line was a bare "pipe2: too many open files"). Not parallel: it lowers the process's limit.
func TestOutOfDescriptorsNamesTheServer(t *testing.T) {
	m := New(Config{User: currentUser(t), WorkDir: t.TempDir(), BaseEnv: os.Environ(), InitTimeout: 5 * time.Second})
	defer m.Close()
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
	low := old
	low.Cur = uint64(openFDs() + 2) // room for one pipe, not for three
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	log := m.Update(context.Background(), []ServerConfig{ts("fdless")})
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log, `MCP server "fdless"`) || !strings.Contains(log, "too many open files") {
		t.Fatalf("router_error_log: %q", log)
	}
}

// TestChattyServerLogBounded: a server that prints a flood of lines (non-JSON stdout, stderr)
// reaches the log at a bounded rate, with a count of what was left out, and still starts
// (before, every line was logged: 40 MB of noise made 214 MB of log, and the logging alone
// outlasted a 5 s initialize timeout). Not parallel: it captures the process's log.
func TestChattyServerLogBounded(t *testing.T) {
	var buf lockedBuffer
	log.SetOutput(&buf)
	defer log.SetOutput(os.Stderr)
	m, _ := newTestManager(t, func(c *Config) { c.LogStderr = true })
	if el := m.Update(context.Background(), []ServerConfig{ts("chatty", "chatty")}); el != "" {
		t.Fatalf("router_error_log: %s", el)
	}
	out := buf.String()
	if n := strings.Count(out, "mcp[chatty]"); n > 1000 {
		t.Fatalf("%d lines of the server's noise logged", n)
	}
	if !strings.Contains(out, "lines not logged") {
		t.Fatalf("no count of the lines left out:\n%s", shorten(out, 2000))
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestStdoutJSONThatIsNotAMessage: lines of valid JSON that are not JSON-RPC messages (an
// object without "jsonrpc", null, a number, an array) are skipped like any other noise, as the
// reference's Python client skips a line that does not validate as a message. Before, they
// reached the SDK, which dropped the connection: the server "exited during start-up (exit
// status 0)", a reason that named neither the line nor stdout.
func TestStdoutJSONThatIsNotAMessage(t *testing.T) {
	t.Parallel()
	m, hs := newTestManager(t, nil)
	c := ServerConfig{Name: "json", Command: "sh", Env: map[string]string{},
		Args: []string{"-c", `printf '{"foo":1}\nnull\n123\n[1,2]\n"str"\n'; exec "$0" ok`, testServerBin}}
	if el := m.Update(context.Background(), []ServerConfig{c}); el != "" {
		t.Fatalf("router_error_log: %s", el)
	}
	if r := call(t, connect(t, hs, clientOpts{}), "echo", map[string]any{"text": "ok"}); text(r) != "ok" {
		t.Fatalf("echo: %s", jsonOf(r))
	}
}

// TestCloseDuringStartIsPrompt: Close (the server's SIGTERM) does not wait for an update
// whose server never answers initialize: it ends the start at once and kills the process.
// Before, it waited out the init timeout (29 s on the built binary, with a 30 s timeout), so a
// container stop's SIGKILL came first and the server's grandchildren were left running.
func TestCloseDuringStartIsPrompt(t *testing.T) {
	t.Parallel()
	m, _ := newTestManager(t, func(c *Config) { c.InitTimeout = time.Minute })
	updated := make(chan string, 1)
	go func() { updated <- m.Update(context.Background(), []ServerConfig{ts("mute", "noinit")}) }()
	waitFor(t, "the server to be starting", 10*time.Second, func() bool {
		st := m.Status()
		return len(st) == 1 && st[0].State == StateStarting && m.get("mute").stderr.tail(1) != ""
	})
	closed := make(chan struct{})
	go func() { m.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(15 * time.Second):
		t.Fatal("Close waited for the start to time out")
	}
	if el := <-updated; !strings.Contains(el, `MCP server "mute"`) || !strings.Contains(el, "shutting down") {
		t.Fatalf("router_error_log: %q", el)
	}
}

// TestClientLeavingCancelsItsCalls: the calls of a client that goes away (its SSE stream
// closed, with calls still running, and no cancellation sent, as the Python client leaves) are
// cancelled on the server and free their slots. Before, they ran on to the end (or the 120 s
// timeout) and held the stream's handler: on the built binary 80 Python clients that left
// during a 60 s call kept the server "busy: 64 calls already in flight" for everyone else.
func TestClientLeavingCancelsItsCalls(t *testing.T) {
	t.Parallel()
	m, hs := newTestManager(t, func(c *Config) { c.QueueLimit = 2 })
	m.Update(context.Background(), []ServerConfig{ts("c")})
	u := m.get("c")
	endpoint, resp := openSSE(t, hs.URL+"/mcp/sse", nil)
	for _, msg := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"leaver","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"sleep","arguments":{"ms":60000}}}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"sleep","arguments":{"ms":60000}}}`,
	} {
		if code, body := post(t, hs.URL+endpoint, msg, nil); code != 202 {
			t.Fatalf("POST %s: %d %s", msg, code, body)
		}
	}
	waitFor(t, "both calls to be in flight", 10*time.Second, func() bool { return len(u.slots) == 2 })
	resp.Body.Close()
	waitFor(t, "the leaving client's calls to end", 10*time.Second, func() bool { return len(u.slots) == 0 })
	waitFor(t, "its session to end", 10*time.Second, func() bool { return m.sse.sessionCount() == 0 })
	if r := call(t, connect(t, hs, clientOpts{}), "echo", map[string]any{"text": "free"}); text(r) != "free" {
		t.Fatalf("echo: %s", jsonOf(r))
	}
}
