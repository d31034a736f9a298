package browser

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestViewerHandler(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	png := filepath.Join(dir, "a.png")
	if err := os.WriteFile(png, []byte("\x89PNG\r\n\x1a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	txt := filepath.Join(dir, "a.txt")
	_ = os.WriteFile(txt, []byte("hi"), 0o644)
	h := NewViewer(ViewerConfig{})
	cases := []struct {
		remote, query string
		code          int
		body          string
	}{
		{"10.0.0.7:5555", "?path=" + png, 403, "<h1>Access Denied</h1><p>This endpoint is only accessible from localhost</p>"},
		{"127.0.0.1:5555", "", 422, `"loc":["query","path"]`},
		{"127.0.0.1:5555", "?path=rel/a.png", 400, "<h1>Error: Path must be absolute</h1><p>rel/a.png</p>"},
		{"[::1]:5555", "?path=" + dir + "/missing.png", 404, "<h1>Error: File not found</h1><p>" + dir + "/missing.png</p>"},
		{"127.0.0.1:5555", "?path=" + dir, 400, "<h1>Error: Path is a directory</h1><p>" + dir + "</p>"},
		{"127.0.0.1:5555", "?path=" + txt, 500, "Unsupported file extension: .txt. Supported extensions are: .pdf, .png, .jpg, .jpeg, .gif"},
		{"127.0.0.1:5555", "?path=" + png, 200, "<title>File Viewer - a.png</title>"},
		{"127.0.0.1:5555", "?path=" + dir + "/%3Cb%3E.png", 404, "<p>" + dir + "/&lt;b&gt;.png</p>"},
	}
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodGet, "/view"+c.query, nil)
		r.RemoteAddr = c.remote
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.code || !strings.Contains(w.Body.String(), c.body) {
			t.Errorf("%s %s: %d %s", c.remote, c.query, w.Code, w.Body.String())
		}
	}
	// the page loads pdf.js from the viewer itself, never from a CDN
	r := httptest.NewRequest(http.MethodGet, "/view?path="+png, nil)
	r.RemoteAddr = "127.0.0.1:1"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if strings.Contains(w.Body.String(), "https://") {
		t.Error("viewer page references the network")
	}
}
