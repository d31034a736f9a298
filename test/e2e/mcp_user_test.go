package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestMCPAsSandboxUser: a stdio MCP server runs as the sandbox user, in the working dir, with
// the user's login environment plus its env, in its own process group.
func TestMCPAsSandboxUser(t *testing.T) {
	t.Parallel()
	name, uid, wd := sandboxUser(t, "ghmcp", 40000)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := buildTestMCPServer(t, dir)
	s := startServer(t, serverOpts{WorkDir: wd, Env: []string{"RUNTIME_USERNAME=" + name},
		Args: []string{"--username", name, "--user-id", fmt.Sprint(uid)}})
	got := s.updateMCP(t, []mcpServerCfg{{Name: "who", Command: bin, Args: []string{}, Env: map[string]string{"MCP_E2E": "yes"}}})
	if got["router_error_log"] != "" {
		t.Fatal(got)
	}
	c := sdk.NewClient(&sdk.Implementation{Name: "e2e", Version: "1"}, nil)
	cs, err := c.Connect(context.Background(), &sdk.SSEClientTransport{Endpoint: s.URL + "/mcp/sse"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	check := func(env, want string) {
		t.Helper()
		res, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: "env", Arguments: map[string]any{"name": env}})
		if err != nil || res.IsError {
			t.Fatalf("%v %+v", err, res)
		}
		var out map[string]any
		_ = json.Unmarshal([]byte(res.Content[0].(*sdk.TextContent).Text), &out)
		if out["value"] != want || out["uid"] != float64(uid) || out["cwd"] != wd || out["pgid_is_pid"] != true {
			t.Fatalf("%s: %v (want %q, uid %d, cwd %s)", env, out, want, uid, wd)
		}
	}
	check("MCP_E2E", "yes")
	check("HOME", "/home/"+name)
	check("USER", name)
	check("SESSION_API_KEY", "")
}

// buildTestMCPServer builds the proxy's fault-injecting stdio test server into dir.
func buildTestMCPServer(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "testserver")
	build := exec.Command("go", "build", "-o", bin, "./mcp/internal/testserver")
	build.Dir = repoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return bin
}

// TestMCPFailuresOverHTTP: through the binary, every server that fails is named in
// router_error_log with why (GOHANDS_MCP_INIT_TIMEOUT bounds initialize), /server_info says
// which failed, the healthy one serves, and a crash in a call is an error result.
func TestMCPFailuresOverHTTP(t *testing.T) {
	t.Parallel()
	bin := buildTestMCPServer(t, t.TempDir())
	s := startServer(t, serverOpts{Env: []string{"GOHANDS_MCP_INIT_TIMEOUT=1.5"}})
	got := s.updateMCP(t, []mcpServerCfg{
		{Name: "good", Command: bin, Args: []string{}, Env: map[string]string{}},
		{Name: "quits", Command: bin, Args: []string{"exit"}, Env: map[string]string{}},
		{Name: "mute", Command: bin, Args: []string{"noinit"}, Env: map[string]string{}},
		{Name: "missing", Command: "no-such-mcp-cmd", Args: []string{}, Env: map[string]string{}},
	})
	want := `MCP server "quits" exited during start-up (exit status 3); stderr: testserver: loading config` + "\n" +
		`fatal: cannot open config.toml` + "\n" +
		`MCP server "mute": initialize timed out after 1.5s; stderr: testserver: thinking forever` + "\n" +
		`MCP server "missing": command not found: no-such-mcp-cmd`
	if got["router_error_log"] != want {
		t.Fatalf("router_error_log:\n%s\nwant:\n%s", got["router_error_log"], want)
	}
	st := s.serverInfoMCP(t)
	if len(st) != 4 || st[0]["state"] != "running" || st[1]["state"] != "failed" || st[2]["state"] != "failed" || st[3]["state"] != "failed" {
		t.Fatalf("server_info: %v", st)
	}
	c := sdk.NewClient(&sdk.Implementation{Name: "e2e", Version: "1"}, nil)
	cs, err := c.Connect(context.Background(), &sdk.StreamableClientTransport{Endpoint: s.URL + "/mcp", MaxRetries: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	res, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: "good_echo", Arguments: map[string]any{"text": "fine"}})
	if err != nil || res.IsError || res.Content[0].(*sdk.TextContent).Text != "fine" {
		t.Fatalf("%v %+v", err, res)
	}
	res, err = cs.CallTool(context.Background(), &sdk.CallToolParams{Name: "good_crash", Arguments: map[string]any{}})
	if err != nil || !res.IsError || !strings.Contains(res.Content[0].(*sdk.TextContent).Text, `MCP server "good" exited while running (exit status 7); stderr: panic: the crash tool was called`) {
		t.Fatalf("%v %+v", err, res)
	}
}
