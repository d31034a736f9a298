// Command testserver is a tiny stdio MCP server (on the Go SDK) for the proxy's tests: it
// serves a few tools, a resource and a prompt, and misbehaves on demand (crash, garbage on
// stdout, a line over 16 MB, never answering initialize, exiting at start-up).
//
//	testserver [ok|exit|garbage|hugeline|noinit|deaf|sleepy|chatty]
package main

//lint:file-ignore SA1019 the test server exercises sampling, which 2025-11-25 servers use.
import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func main() {
	mode := "ok"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	switch mode {
	case "exit":
		fmt.Fprintln(os.Stderr, "testserver: loading config")
		fmt.Fprintln(os.Stderr, "fatal: cannot open config.toml")
		os.Exit(3)
	case "garbage":
		fmt.Println("Welcome to the garbage server! this is not JSON")
		time.Sleep(time.Hour)
	case "hugeline":
		b := make([]byte, 17<<20)
		for i := range b {
			b[i] = 'x'
		}
		b[0] = '"'
		os.Stdout.Write(b)
		time.Sleep(time.Hour)
	case "noinit":
		fmt.Fprintln(os.Stderr, "testserver: thinking forever")
		buf := make([]byte, 4096)
		for {
			if _, err := os.Stdin.Read(buf); err != nil {
				time.Sleep(time.Hour)
			}
		}
	case "deaf": // never answers initialize, and leaves when stdin closes, as most servers do
		fmt.Fprintln(os.Stderr, "testserver: not listening")
		buf := make([]byte, 4096)
		for {
			if _, err := os.Stdin.Read(buf); err != nil {
				os.Exit(0)
			}
		}
	case "sleepy":
		time.Sleep(500 * time.Millisecond)
	case "chatty": // 200 000 lines of noise on stdout and on stderr before it serves
		w := bufio.NewWriterSize(os.Stdout, 1<<20)
		for i := range 200000 {
			fmt.Fprintf(w, "debug: warming up %d\n", i)
			fmt.Fprintf(os.Stderr, "debug: stderr %d\n", i)
		}
		w.Flush()
	}
	s := mcp.NewServer(&mcp.Implementation{Name: "testserver", Version: "1"}, nil)
	type echoIn struct {
		Text   string `json:"text"`
		Repeat int    `json:"repeat,omitempty"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "echo", Description: "echo the text (repeat times)"}, func(_ context.Context, _ *mcp.CallToolRequest, in echoIn) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: strings.Repeat(in.Text, max(in.Repeat, 1))}}}, nil, nil
	})
	type addIn struct {
		A, B float64
	}
	type addOut struct {
		Sum float64 `json:"sum"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "add", Description: "add two numbers"}, func(_ context.Context, _ *mcp.CallToolRequest, in addIn) (*mcp.CallToolResult, addOut, error) {
		return nil, addOut{Sum: in.A + in.B}, nil
	})
	mcp.AddTool(s, &mcp.Tool{Name: "image", Description: "a 1x1 png"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.ImageContent{Data: []byte("\x89PNG\r\n"), MIMEType: "image/png"}, &mcp.TextContent{Text: "an image"}}}, nil, nil
	})
	mcp.AddTool(s, &mcp.Tool{Name: "fail", Description: "a tool error"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: "it failed"}}}, nil, nil
	})
	type envIn struct {
		Name string `json:"name"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "env", Description: "an environment variable, the uid and the cwd"}, func(_ context.Context, _ *mcp.CallToolRequest, in envIn) (*mcp.CallToolResult, any, error) {
		wd, _ := os.Getwd()
		b, _ := json.Marshal(map[string]any{"value": os.Getenv(in.Name), "uid": os.Getuid(), "cwd": wd, "pgid_is_pid": pgidIsPid()})
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(b)}}}, nil, nil
	})
	type sleepIn struct {
		MS int `json:"ms"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "sleep", Description: "sleep ms, with progress"}, func(ctx context.Context, req *mcp.CallToolRequest, in sleepIn) (*mcp.CallToolResult, any, error) {
		fmt.Fprintln(os.Stderr, "testserver: sleep started")
		tok := req.Params.GetProgressToken()
		for i := range 4 {
			if tok != nil {
				_ = req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: tok, Progress: float64(i), Total: 4, Message: "step"})
			}
			select {
			case <-ctx.Done():
				fmt.Fprintln(os.Stderr, "testserver: sleep cancelled")
				return nil, nil, ctx.Err()
			case <-time.After(time.Duration(in.MS/4) * time.Millisecond):
			}
		}
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "slept"}}}, nil, nil
	})
	mcp.AddTool(s, &mcp.Tool{Name: "crash", Description: "exit 7 in the middle of a call"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		fmt.Fprintln(os.Stderr, "panic: the crash tool was called")
		os.Exit(7)
		return nil, nil, nil
	})
	mcp.AddTool(s, &mcp.Tool{Name: "garble", Description: "write a line that is not JSON to stdout, then answer"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		fmt.Fprintln(os.Stdout, "oops, a print() that is not JSON")
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "garbled"}}}, nil, nil
	})
	mcp.AddTool(s, &mcp.Tool{Name: "huge", Description: "write a line over 16 MB to stdout"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		b := make([]byte, 17<<20)
		for i := range b {
			b[i] = 'y'
		}
		os.Stdout.Write(b)
		time.Sleep(time.Hour)
		return nil, nil, nil
	})
	mcp.AddTool(s, &mcp.Tool{Name: "grow", Description: "add a tool named extra"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		mcp.AddTool(s, &mcp.Tool{Name: "extra", Description: "added later"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "extra"}}}, nil, nil
		})
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "grown"}}}, nil, nil
	})
	mcp.AddTool(s, &mcp.Tool{Name: "sample", Description: "ask the client's model (sampling/createMessage)"}, func(ctx context.Context, req *mcp.CallToolRequest, in echoIn) (*mcp.CallToolResult, any, error) {
		res, err := req.Session.CreateMessage(ctx, &mcp.CreateMessageParams{MaxTokens: 10, Messages: []*mcp.SamplingMessage{{Role: "user", Content: &mcp.TextContent{Text: in.Text}}}})
		if err != nil {
			return nil, nil, err
		}
		return &mcp.CallToolResult{Content: []mcp.Content{res.Content}}, nil, nil
	})
	s.AddResource(&mcp.Resource{URI: "test://static/hello", Name: "hello", MIMEType: "text/plain"}, func(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: req.Params.URI, MIMEType: "text/plain", Text: "hello resource"}}}, nil
	})
	s.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: "test://item/{id}", Name: "item"}, func(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: req.Params.URI, Text: "item " + strings.TrimPrefix(req.Params.URI, "test://item/")}}}, nil
	})
	s.AddPrompt(&mcp.Prompt{Name: "greet", Arguments: []*mcp.PromptArgument{{Name: "who"}}}, func(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		return &mcp.GetPromptResult{Messages: []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: "hello " + req.Params.Arguments["who"]}}}}, nil
	})
	if err := s.Run(context.Background(), &mcp.StdioTransport{}); err != nil {
		fmt.Fprintln(os.Stderr, "testserver:", err)
	}
}
