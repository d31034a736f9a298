package mcp

import (
	"context"
	"os/exec"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// The proxy's cost per call: the same echo call straight to the stdio test server, and
// through the proxy over each transport (`go test -bench . ./mcp/`; bench/mcpbench measures
// the built binary and the reference).
func BenchmarkCallDirect(b *testing.B) {
	c := sdk.NewClient(&sdk.Implementation{Name: "bench", Version: "1"}, nil)
	cs, err := c.Connect(context.Background(), &sdk.CommandTransport{Command: exec.Command(testServerBin)}, &sdk.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
	if err != nil {
		b.Fatal(err)
	}
	defer cs.Close()
	benchEcho(b, cs)
}

func BenchmarkCallProxySSE(b *testing.B)        { benchProxy(b, false) }
func BenchmarkCallProxyStreamable(b *testing.B) { benchProxy(b, true) }

func benchProxy(b *testing.B, streamable bool) {
	m, hs := newTestManager(b, nil)
	if log := m.Update(context.Background(), []ServerConfig{ts("b")}); log != "" {
		b.Fatal(log)
	}
	benchEcho(b, connect(b, hs, clientOpts{streamable: streamable}))
}

func benchEcho(b *testing.B, cs *sdk.ClientSession) {
	ctx := context.Background()
	p := &sdk.CallToolParams{Name: "echo", Arguments: map[string]any{"text": "hi"}}
	b.ReportAllocs()
	for b.Loop() {
		if res, err := cs.CallTool(ctx, p); err != nil || res.IsError {
			b.Fatal(err, res)
		}
	}
}
