package browser

import (
	"context"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// One Chromium for the whole package's tests (each test serialises on the service anyway).
var (
	sharedOnce sync.Once
	shared     *Service
)

func testService(t *testing.T) *Service {
	t.Helper()
	if _, err := findChromium(os.Getenv("GOHANDS_CHROMIUM")); err != nil {
		t.Skipf("no chromium: %v", err)
	}
	sharedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gohands-browser-test-")
		if err != nil {
			t.Fatal(err)
		}
		shared = New(Config{Chromium: os.Getenv("GOHANDS_CHROMIUM"), WorkingDir: dir, MaxDownloadBytes: 1 << 20, Logf: log.Printf})
	})
	return shared
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.Close()
		os.RemoveAll(shared.cfg.WorkingDir)
	}
	os.Exit(code)
}

const formPage = `<!DOCTYPE html>
<html>
<head><title>Test Form</title></head>
<body>
    <h1>Test Form</h1>
    <form id="test-form">
        <input type="text" id="text-input" name="text" placeholder="Enter text">
        <select id="select-input" name="option">
            <option value="">Select an option</option>
            <option value="option1">Option 1</option>
            <option value="option2">Option 2</option>
        </select>
        <button type="button" id="test-button">Test Button</button>
    </form>
    <div id="result"></div>
    <p>Some <b>bold</b> text and a <a href="/other">link</a>.</p>
    <script>
        document.getElementById('test-button').onclick = function() {
            document.getElementById('result').innerHTML = 'Button clicked!';
        };
    </script>
</body>
</html>`

func pageServer(t *testing.T, pages map[string]string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestBrowseSmoke(t *testing.T) {
	s := testService(t)
	srv := pageServer(t, map[string]string{"/form.html": formPage})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	obs, err := s.Do(ctx, Request{Kind: Browse, URL: srv.URL + "/form.html"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first browse %v\n%s", time.Since(start), obs.Content)
	start = time.Now()
	obs, err = s.Do(ctx, Request{Kind: BrowseInteractive, Actions: `goto("` + srv.URL + `/form.html")`})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("interactive %v\n%s", time.Since(start), obs.Content)
	if !strings.Contains(obs.Content, "Test Button") {
		t.Fatal("no button")
	}
}

// browse reads the accessibility tree only when return_axtree asks for it, and then returns
// the whole tree as browse_interactive does.
func TestBrowseAXTreeWhenAsked(t *testing.T) {
	s := testService(t)
	srv := pageServer(t, map[string]string{"/form.html": formPage})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	obs, err := s.Do(ctx, Request{Kind: Browse, URL: srv.URL + "/form.html", ReturnAXTree: true})
	if err != nil {
		t.Fatal(err)
	}
	nodes, _ := obs.AXTreeObject.(map[string]any)["nodes"].([]axNode)
	found := false
	for _, n := range nodes {
		if name, _ := strField(n, "name"); name == "Test Button" && n["browsergym_id"] != nil {
			found = true
		}
	}
	if !found {
		t.Fatalf("return_axtree: no marked 'Test Button' node among %d", len(nodes))
	}
	obs, err = s.Do(ctx, Request{Kind: Browse, URL: srv.URL + "/form.html"})
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := obs.AXTreeObject.(map[string]any); len(m) != 0 {
		t.Fatalf("axtree_object without return_axtree: %v", m)
	}
}
