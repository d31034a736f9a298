package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
	bin := filepath.Join(dir, "testserver")
	build := exec.Command("go", "build", "-o", bin, "./mcp/internal/testserver")
	build.Dir = repoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
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
