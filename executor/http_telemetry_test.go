package executor

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gohands/gohands/files"
	"github.com/gohands/gohands/shell"
	"github.com/gohands/gohands/telemetry"
)

// newTelemetryExecutor is newRunExecutor with telemetry and the file service, behind a real
// HTTP server on a free port.
func newTelemetryExecutor(t testing.TB, mod func(*Config)) (*Executor, *httptest.Server) {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	cfg := Config{WorkingDir: t.TempDir()}
	if mod != nil {
		mod(&cfg)
	}
	x := New(cfg)
	x.user = shell.User{Name: u.Username, UID: uid, GID: gid, Home: t.TempDir()}
	x.files = files.New(files.Config{WorkspaceRoot: cfg.WorkingDir})
	if !cfg.TelemetryOff {
		tc := cfg.Telemetry
		tc.Files.Roots = []string{cfg.WorkingDir}
		x.tel = telemetry.New(tc)
	}
	s, err := x.newSession(x.cfg.WorkingDir)
	if err != nil {
		t.Fatal(err)
	}
	x.setBash(s)
	srv := httptest.NewServer(NewHTTP(x))
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		x.Close()
	})
	return x, srv
}

func postAction(t *testing.T, srv *httptest.Server, action string) map[string]any {
	t.Helper()
	resp, err := http.Post(srv.URL+"/execute_action", "application/json", strings.NewReader(`{"action":`+action+`}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var obs map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&obs); err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d, %v", resp.StatusCode, err)
	}
	return obs
}

func getJSON(t *testing.T, url string, want int, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v (%s)", url, err, body)
	}
}

func TestCommandRecordsOverHTTP(t *testing.T) {
	t.Parallel()
	x, srv := newTelemetryExecutor(t, func(c *Config) { c.TelemetryMetadata = true })
	obs := postAction(t, srv, `{"action":"run","args":{"command":"echo hello > made.txt && echo done"},"timeout":20}`)
	md := obs["extras"].(map[string]any)["metadata"].(map[string]any)
	tel, ok := md["telemetry"].(map[string]any)
	if !ok || md["exit_code"].(float64) != 0 {
		t.Fatalf("metadata %v", md)
	}
	id := int64(tel["id"].(float64))
	var rec telemetry.Record
	getJSON(t, srv.URL+"/commands/"+strconv.FormatInt(id, 10), 200, &rec)
	if rec.Command != "echo hello > made.txt && echo done" || rec.ExitCode == nil || *rec.ExitCode != 0 || rec.Running ||
		rec.Files.Total != 1 || rec.Files.Changes[0].Path != filepath.Join(x.cfg.WorkingDir, "made.txt") || rec.Files.Changes[0].Size != 6 ||
		rec.OutputBytes == 0 || rec.Usage.Method == "" {
		t.Fatalf("record %+v", rec)
	}

	path := filepath.Join(x.cfg.WorkingDir, "w.txt")
	wobs := postAction(t, srv, `{"action":"write","args":{"path":"`+path+`","content":"abc"}}`)
	if wobs["observation"] != "write" {
		t.Fatalf("write: %v", wobs)
	}
	if _, has := wobs["extras"].(map[string]any)["telemetry"]; has {
		t.Fatal("write extras must hold only the client's keys")
	}
	var list struct{ Commands []telemetry.Record }
	getJSON(t, srv.URL+"/commands?limit=2", 200, &list)
	if len(list.Commands) != 2 || list.Commands[0].Action != "write" || list.Commands[0].Files.Total != 1 || list.Commands[1].ID != id {
		t.Fatalf("list %+v", list)
	}
	epath := filepath.Join(x.cfg.WorkingDir, "e.py")
	eobs := postAction(t, srv, `{"action":"edit","args":{"command":"create","path":"`+epath+`","file_text":"x = 1\n"}}`)
	if eobs["observation"] != "edit" {
		t.Fatalf("edit: %v", eobs)
	}
	if r := x.tel.Store.Last(1)[0]; r.Action != "edit" || r.Command != "create "+epath || r.Files.Total != 1 || r.Files.Changes[0].Op != telemetry.OpCreated {
		t.Fatalf("edit record %+v", r)
	}
	for url, code := range map[string]int{
		"/commands/99999": 404, "/commands/abc": 400, "/commands/-1": 400, "/commands?limit=x": 400, "/commands?limit=0": 400,
	} {
		var d map[string]string
		getJSON(t, srv.URL+url, code, &d)
		if d["detail"] == "" {
			t.Errorf("%s: %v", url, d)
		}
	}
}

// By default a run observation is the reference's, key for key: the record stays on the
// endpoints.
func TestTelemetryMetadataOffByDefault(t *testing.T) {
	t.Parallel()
	x, srv := newTelemetryExecutor(t, nil)
	obs := postAction(t, srv, `{"action":"run","args":{"command":"echo hi"},"timeout":20}`)
	md := obs["extras"].(map[string]any)["metadata"].(map[string]any)
	if _, has := md["telemetry"]; has || len(md) != 8 {
		t.Fatalf("metadata %v", md)
	}
	if recs := x.tel.Store.Last(1); len(recs) != 1 || recs[0].Command != "echo hi" {
		t.Fatalf("no record: %+v", recs)
	}
}

// sseClient reads an SSE stream: one JSON event per message.
type sseClient struct {
	resp *http.Response
	r    *bufio.Reader
}

func openSSE(t *testing.T, url string) *sseClient {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	t.Cleanup(func() { resp.Body.Close() })
	return &sseClient{resp: resp, r: bufio.NewReader(resp.Body)}
}

type ev struct {
	Seq       uint64          `json:"seq"`
	Type      string          `json:"type"`
	CommandID int64           `json:"command_id"`
	Data      json.RawMessage `json:"data"`
}

func (c *sseClient) next(t *testing.T) ev {
	t.Helper()
	var id string
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "data: "):
			var e ev
			if err := json.Unmarshal([]byte(line[6:]), &e); err != nil {
				t.Fatal(err)
			}
			if id != "" && id != strconv.FormatUint(e.Seq, 10) {
				t.Fatalf("id %s for seq %d", id, e.Seq)
			}
			return e
		}
	}
}

func (c *sseClient) until(t *testing.T, typ string) []ev {
	t.Helper()
	var got []ev
	for {
		e := c.next(t)
		got = append(got, e)
		if e.Type == typ {
			return got
		}
	}
}

func TestEventsSSEAndReplay(t *testing.T) {
	t.Parallel()
	_, srv := newTelemetryExecutor(t, nil)
	c := openSSE(t, srv.URL+"/events")
	postAction(t, srv, `{"action":"run","args":{"command":"printf 'one\\ntwo\\n'"},"timeout":20}`)
	got := c.until(t, telemetry.EventCommandFinished)
	var text strings.Builder
	first := got[0]
	for _, e := range got {
		if e.Type == telemetry.EventOutput {
			var o struct{ Text string }
			_ = json.Unmarshal(e.Data, &o)
			text.WriteString(o.Text)
		}
	}
	if first.Type != telemetry.EventCommandStarted || !strings.Contains(text.String(), "one\ntwo") {
		t.Fatalf("events %+v, text %q", got, text.String())
	}
	// A client that reconnects after the first event gets the rest, in order.
	c2 := openSSE(t, srv.URL+"/events?after="+strconv.FormatUint(first.Seq, 10))
	replay := c2.until(t, telemetry.EventCommandFinished)
	if len(replay) != len(got)-1 || replay[0].Seq != first.Seq+1 {
		t.Fatalf("replay of %d events from %d, want %d", len(replay), replay[0].Seq, len(got)-1)
	}
	// Last-Event-ID works as ?after= does (EventSource reconnects send it).
	req, _ := http.NewRequest("GET", srv.URL+"/events", nil)
	req.Header.Set("Last-Event-ID", strconv.FormatUint(first.Seq, 10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	c3 := &sseClient{resp: resp, r: bufio.NewReader(resp.Body)}
	defer resp.Body.Close()
	if e := c3.next(t); e.Seq != first.Seq+1 {
		t.Fatalf("Last-Event-ID replay starts at %d", e.Seq)
	}
}

func TestEventsAfterGarbage(t *testing.T) {
	t.Parallel()
	_, srv := newTelemetryExecutor(t, nil)
	for _, v := range []string{"abc", "-5", "1.5", "%20", "99999999999999999999999", "0x1"} {
		for _, p := range []string{"/events", "/events/ws"} {
			var d map[string]string
			getJSON(t, srv.URL+p+"?after="+v, 400, &d)
			if !strings.Contains(d["detail"], "after") {
				t.Errorf("%s?after=%s: %v", p, v, d)
			}
		}
	}
}

func TestEventsWebSocket(t *testing.T) {
	t.Parallel()
	_, srv := newTelemetryExecutor(t, func(c *Config) { c.SessionAPIKey = "k3y" })
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/events/ws"
	if _, resp, err := websocket.DefaultDialer.Dial(wsURL, nil); err == nil || resp == nil || resp.StatusCode != 403 {
		t.Fatalf("no key: %v %v", resp, err)
	}
	conn, _, err := websocket.DefaultDialer.Dial(wsURL+"?after=0", http.Header{"X-Session-API-Key": {"k3y"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/execute_action",
		strings.NewReader(`{"action":{"action":"run","args":{"command":"echo ws-ok"},"timeout":20}}`))
	req.Header.Set("X-Session-API-Key", "k3y")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v %v", resp, err)
	}
	resp.Body.Close()
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	seen := map[string]bool{}
	var last uint64
	for !seen[telemetry.EventCommandFinished] {
		var e ev
		if err := conn.ReadJSON(&e); err != nil {
			t.Fatal(err)
		}
		if e.Seq <= last {
			t.Fatalf("seq %d after %d", e.Seq, last)
		}
		last = e.Seq
		seen[e.Type] = true
	}
	if !seen[telemetry.EventCommandStarted] || !seen[telemetry.EventOutput] {
		t.Fatalf("saw %v", seen)
	}
}

// A client that never reads does not slow a command: its queue fills, the hub drops it, and
// the command ends as it would without it.
func TestEventsStuckClientDropped(t *testing.T) {
	t.Parallel()
	x, srv := newTelemetryExecutor(t, func(c *Config) { c.Telemetry.Hub.QueueLen = 64 })
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	stuck, err := d.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	fmt.Fprintf(stuck, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
	waitUntil(t, "the stuck client subscribed", func() bool { return x.tel.Hub.Subscribers() == 1 })
	// More output than the socket buffers (the server's send buffer grows to 4 MiB) hold.
	obs := postAction(t, srv, `{"action":"run","args":{"command":"head -c 12000000 /dev/zero | tr '\\0' x | fold -w 200; echo end-of-output"},"timeout":120}`)
	if !strings.Contains(obs["content"].(string), "end-of-output") {
		t.Fatalf("%v", obs)
	}
	waitUntil(t, "the stuck client dropped", func() bool { return x.tel.Hub.Subscribers() == 0 })
}

// 100 stream clients at once all get every event of a command.
func TestEventsHundredClients(t *testing.T) {
	t.Parallel()
	x, srv := newTelemetryExecutor(t, nil)
	const n = 100
	var wg sync.WaitGroup
	results := make([]int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(srv.URL + "/events")
			if err != nil {
				return
			}
			defer resp.Body.Close()
			r := bufio.NewReader(resp.Body)
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if strings.HasPrefix(line, "event: ") {
					results[i]++
				}
				if line == "event: command_finished\n" {
					return
				}
			}
		}()
	}
	waitUntil(t, "100 subscribers", func() bool { return x.tel.Hub.Subscribers() == n })
	postAction(t, srv, `{"action":"run","args":{"command":"seq 1 500"},"timeout":60}`)
	wg.Wait()
	for i, r := range results {
		if r < 3 {
			t.Fatalf("client %d saw %d events", i, r)
		}
	}
}

func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// The opt-in early return: a command asking [Y/n] returns at once with its own suffix; by
// default the reference's no-change timeout answers, and the record still says it waits.
func TestRunInputWait(t *testing.T) {
	t.Parallel()
	for _, early := range []bool{true, false} {
		t.Run(fmt.Sprint("early=", early), func(t *testing.T) {
			t.Parallel()
			_, srv := newTelemetryExecutor(t, func(c *Config) {
				c.InputWaitReturn = early
				c.TelemetryMetadata = true
				c.NoChangeTimeout = 3 * time.Second
				if early {
					c.NoChangeTimeout = 120 * time.Second
				}
			})
			obs := postAction(t, srv, `{"action":"run","args":{"command":"read -p 'Continue? [Y/n] ' a; echo got-$a"},"timeout":null}`)
			md := obs["extras"].(map[string]any)["metadata"].(map[string]any)
			tel := md["telemetry"].(map[string]any)
			wantSuffix := "\n[The command has no new output after 3 seconds. " + shell.TimeoutMessage + "]"
			if early {
				wantSuffix = shell.InputWaitSuffix
			}
			if md["suffix"] != wantSuffix || md["exit_code"].(float64) != -1 || tel["waiting_for_input"] != true ||
				!strings.Contains(obs["content"].(string), "[Y/n]") {
				t.Fatalf("obs %v", obs)
			}
			obs = postAction(t, srv, `{"action":"run","args":{"command":"y","is_input":true},"timeout":20}`)
			if !strings.Contains(obs["content"].(string), "got-y") {
				t.Fatalf("after input: %v", obs)
			}
		})
	}
}

// The working directory deleted by a command: a clear record, and the next action works.
func TestRunDeletesWorkingDir(t *testing.T) {
	t.Parallel()
	x, srv := newTelemetryExecutor(t, func(c *Config) { c.TelemetryMetadata = true })
	// f is made by an action: its End drains f's events. Written from here, between actions,
	// its creation could be read during the next action and net out with its deletion (the
	// tracker does not flush at Begin; a change between actions may count for the next one).
	postAction(t, srv, `{"action":"run","args":{"command":"touch f"},"timeout":20}`)
	obs := postAction(t, srv, `{"action":"run","args":{"command":"rm -rf `+x.cfg.WorkingDir+`"},"timeout":20}`)
	tel := obs["extras"].(map[string]any)["metadata"].(map[string]any)["telemetry"].(map[string]any)
	if tel["files"].(map[string]any)["deleted"].(float64) < 2 {
		t.Fatalf("record %v", tel)
	}
	obs = postAction(t, srv, `{"action":"run","args":{"command":"echo still-here"},"timeout":20}`)
	if !strings.Contains(obs["content"].(string), "still-here") {
		t.Fatalf("%v", obs)
	}
}

func newBenchExecutor(b *testing.B, on bool) (*Executor, *httptest.Server) {
	return newTelemetryExecutor(b, func(c *Config) {
		c.TelemetryOff = !on
		c.Telemetry.Cgroups = true
	})
}

// A command that creates 100 000 files: the record lists the first 1000 and counts the rest,
// and the next action is as usual.
func TestRunHundredThousandFiles(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("creates 100 000 files")
	}
	x, srv := newTelemetryExecutor(t, nil)
	obs := postAction(t, srv, `{"action":"run","args":{"command":"mkdir many && (cd many && seq 1 100000 | xargs touch) && echo made","blocking":true},"timeout":300}`)
	if !strings.Contains(obs["content"].(string), "made") {
		t.Fatalf("%v", obs)
	}
	rec := x.tel.Store.Last(1)[0]
	if len(rec.Files.Changes) != 1000 || !rec.Files.Truncated || rec.Files.Total < 1000 ||
		(rec.Files.Total < 100001 && !strings.Contains(rec.Files.Note, "overflow")) {
		t.Fatalf("files: %d listed, total %d, note %q", len(rec.Files.Changes), rec.Files.Total, rec.Files.Note)
	}
	obs = postAction(t, srv, `{"action":"run","args":{"command":"ls many | wc -l"},"timeout":60}`)
	if !strings.Contains(obs["content"].(string), "100000") {
		t.Fatalf("%v", obs)
	}
	if rec := x.tel.Store.Last(1)[0]; rec.Files.Total != 0 {
		t.Fatalf("the next action inherits changes: %+v", rec.Files)
	}
}

// The same over the WebSocket: a client that never reads is closed, the command unaffected.
func TestEventsWebSocketStuckClientDropped(t *testing.T) {
	t.Parallel()
	x, srv := newTelemetryExecutor(t, func(c *Config) { c.Telemetry.Hub.QueueLen = 64 })
	d := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		nd := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
			return rc.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		}}
		return nd.Dial(network, addr)
	}}
	conn, _, err := d.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/events/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	waitUntil(t, "the stuck client subscribed", func() bool { return x.tel.Hub.Subscribers() == 1 })
	obs := postAction(t, srv, `{"action":"run","args":{"command":"head -c 12000000 /dev/zero | tr '\\0' x | fold -w 200; echo end-of-output"},"timeout":120}`)
	if !strings.Contains(obs["content"].(string), "end-of-output") {
		t.Fatalf("%v", obs)
	}
	waitUntil(t, "the stuck client dropped", func() bool { return x.tel.Hub.Subscribers() == 0 })
}
