// Command mcpbench prints the MCP proxy figures of issue 10: tools/list and a trivial
// tools/call through the proxy (legacy SSE, as the backend connects) against the same calls
// straight to the stdio server, and POST /update_mcp_server with three servers until all
// are ready. With -ref-python it measures the reference's server (openhands-ai 0.62) the same
// way, on the same run. Needs scripts/deps.d/50-mcp.sh.
//
//	go build -o bin/action-execution-server ./cmd/action-execution-server
//	go run ./bench/mcpbench -bin bin/action-execution-server [-ref-python /path/to/venv/bin/python]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gohands/gohands/bench/internal/benchutil"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

const key = "bench-key"

func main() {
	bin := flag.String("bin", "bin/action-execution-server", "gohands server binary")
	refPython := flag.String("ref-python", "", "python of a venv with openhands-ai 0.62 (measures the reference too)")
	venv := flag.String("venv", "/opt/gohands/mcp", "venv with mcp-server-time")
	npm := flag.String("npm", "/opt/gohands/mcp-npm", "npm prefix with server-everything and server-filesystem")
	n := flag.Int("n", 500, "calls to time per figure")
	flag.Parse()

	everything := *npm + "/bin/mcp-server-everything"
	direct := measureDirect(everything, *n)
	fmt.Printf("direct to the stdio server (Go SDK client over stdio), %d calls each:\n", *n)
	direct.print("  ")

	targets := []struct{ name, kind, arg string }{{"gohands", "bin", *bin}}
	if *refPython != "" {
		targets = append(targets, struct{ name, kind, arg string }{"reference", "ref", *refPython})
	}
	for _, tg := range targets {
		fmt.Printf("\n%s proxy:\n", tg.name)
		s := startServer(tg.kind, tg.arg)
		func() {
			defer s.stop()
			cfgs := []map[string]any{
				{"name": "everything", "command": everything, "args": []string{}, "env": map[string]string{}},
				{"name": "filesystem", "command": *npm + "/bin/mcp-server-filesystem", "args": []string{s.Dir}, "env": map[string]string{}},
				{"name": "time", "command": *venv + "/bin/mcp-server-time", "args": []string{}, "env": map[string]string{}},
			}
			t0 := time.Now()
			body, _ := json.Marshal(cfgs)
			req, _ := http.NewRequest("POST", s.URL+"/update_mcp_server", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Session-API-Key", key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				log.Fatal(err)
			}
			rb, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			upd := time.Since(t0)
			cs := connect(s.URL)
			defer cs.Close()
			names := list(cs)
			ready := time.Since(t0)
			fmt.Printf("  /update_mcp_server (3 servers): answered in %v (%s); first tools/list with all %d tools after %v\n",
				upd.Round(time.Millisecond), strings.TrimSpace(string(rb)), len(names), ready.Round(time.Millisecond))
			echo := "everything_echo"
			if !contains(names, echo) {
				log.Fatalf("no %s in %v", echo, names)
			}
			r := measure(cs, echo, *n)
			r.print("  ")
			fmt.Printf("  proxy overhead: tools/list p50 %v p95 %v; tools/call p50 %v p95 %v\n",
				(r.list50 - direct.list50).Round(time.Microsecond), (r.list95 - direct.list95).Round(time.Microsecond),
				(r.call50 - direct.call50).Round(time.Microsecond), (r.call95 - direct.call95).Round(time.Microsecond))
		}()
	}
}

type figures struct{ list50, list95, call50, call95 time.Duration }

func (f figures) print(indent string) {
	fmt.Printf("%stools/list p50 %v p95 %v; tools/call (echo) p50 %v p95 %v\n", indent,
		f.list50.Round(time.Microsecond), f.list95.Round(time.Microsecond), f.call50.Round(time.Microsecond), f.call95.Round(time.Microsecond))
}

func measureDirect(everything string, n int) figures {
	c := sdk.NewClient(&sdk.Implementation{Name: "bench", Version: "1"}, nil)
	cs, err := c.Connect(context.Background(), &sdk.CommandTransport{Command: exec.Command(everything)}, &sdk.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
	if err != nil {
		log.Fatal(err)
	}
	defer cs.Close()
	return measure(cs, "echo", n)
}

func measure(cs *sdk.ClientSession, echo string, n int) figures {
	ctx := context.Background()
	var lists, calls []time.Duration
	for i := 0; i < n+n/10; i++ {
		t0 := time.Now()
		if _, err := cs.ListTools(ctx, nil); err != nil {
			log.Fatal(err)
		}
		d1 := time.Since(t0)
		t0 = time.Now()
		res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: echo, Arguments: map[string]any{"message": "hi"}})
		if err != nil || res.IsError {
			log.Fatalf("call: %v %v", err, res)
		}
		d2 := time.Since(t0)
		if i >= n/10 { // the first tenth warms up
			lists, calls = append(lists, d1), append(calls, d2)
		}
	}
	return figures{benchutil.Pct(lists, 50), benchutil.Pct(lists, 95), benchutil.Pct(calls, 50), benchutil.Pct(calls, 95)}
}

func connect(url string) *sdk.ClientSession {
	hc := &http.Client{Transport: hdr{}}
	c := sdk.NewClient(&sdk.Implementation{Name: "bench", Version: "1"}, nil)
	cs, err := c.Connect(context.Background(), &sdk.SSEClientTransport{Endpoint: url + "/mcp/sse", HTTPClient: hc}, &sdk.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
	if err != nil {
		log.Fatal(err)
	}
	return cs
}

func list(cs *sdk.ClientSession) []string {
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	var out []string
	for _, t := range res.Tools {
		out = append(out, t.Name)
	}
	return out
}

// hdr adds the headers OpenHands' MCP client sends.
type hdr struct{}

func (hdr) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+key)
	r.Header.Set("s", key)
	r.Header.Set("X-Session-API-Key", key)
	return http.DefaultTransport.RoundTrip(r)
}

type server struct{ *benchutil.Server }

func startServer(kind, arg string) *server {
	dir, err := os.MkdirTemp("", "mcpbench-")
	if err != nil {
		log.Fatal(err)
	}
	ws := filepath.Join(dir, "ws")
	_ = os.Mkdir(ws, 0o755)
	port := benchutil.FreePort()
	args := []string{fmt.Sprint(port), "--working-dir", ws, "--username", "root", "--user-id", "0", "--no-enable-browser"}
	var cmd *exec.Cmd
	if kind == "ref" {
		// As scripts/compat-check.sh runs it: its own mount namespace with a fresh /root, so
		// the reference's start-up never writes the machine's real home.
		home := filepath.Join(dir, "home")
		_ = os.MkdirAll(filepath.Join(home, ".pyenv"), 0o755)
		isolate := `[ -d /root/.pyenv ] && mount --rbind /root/.pyenv "$0/.pyenv"; mount --rbind "$0" /root && exec "$@"`
		cmd = exec.Command("unshare", append([]string{"-m", "--propagation", "private", "sh", "-c", isolate, home, arg, "-m", "openhands.runtime.action_execution_server"}, args...)...)
		cmd.Env = append(os.Environ(), "HOME=/root", "LOCAL_RUNTIME_MODE=1", "OPENHANDS_REPO_PATH="+dir, "LOG_LEVEL=WARNING")
	} else {
		cmd = exec.Command(arg, args...)
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, "SESSION_API_KEY="+key)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logf, _ := os.Create(filepath.Join(dir, "server.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	s, err := benchutil.Start(cmd, port, ws, 20*time.Millisecond, 3*time.Minute)
	if err != nil {
		log.Fatalf("%s did not start: %v", kind, err)
	}
	return &server{s}
}

func (s *server) stop() {
	_ = syscall.Kill(-s.PID(), syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.Cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-s.PID(), syscall.SIGKILL)
		<-done
	}
	_ = os.RemoveAll(filepath.Dir(s.Dir))
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}
