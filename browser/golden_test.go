package browser

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// section returns the text between the BEGIN and END lines of a frame.
func section(content, begin, end string) string {
	i := strings.Index(content, begin)
	j := strings.Index(content, end)
	if i < 0 || j < i {
		return ""
	}
	return content[i+len(begin) : j]
}

// TestGoldens compares the accessibility-tree text and the page markdown with what
// BrowserGym 0.13.3 itself produced on the same pages and the same Chromium
// (test/browser/golden.py; see test/browser/README.md to regenerate).
func TestGoldens(t *testing.T) {
	s := testService(t)
	pages := filepath.Join("..", "test", "browser", "pages")
	srv := httptest.NewServer(http.FileServer(http.Dir(pages)))
	defer srv.Close()
	goldens, _ := filepath.Glob(filepath.Join("testdata", "golden", "*"))
	if len(goldens) == 0 {
		t.Fatal("no goldens")
	}
	for _, g := range goldens {
		name := filepath.Base(g)
		ext := filepath.Ext(name)
		stem := strings.TrimSuffix(name, ext)
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(g)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			var got string
			switch ext {
			case ".axtree":
				obs, err := s.Do(ctx, Request{Kind: BrowseInteractive, Actions: `goto("` + srv.URL + "/" + stem + `.html")`})
				if err != nil {
					t.Fatal(err)
				}
				got = section(obs.Content, "============== BEGIN accessibility tree ==============\n", "\n============== END accessibility tree ==============\n")
			case ".md":
				obs, err := s.Do(ctx, Request{Kind: Browse, URL: srv.URL + "/" + stem + ".html"})
				if err != nil {
					t.Fatal(err)
				}
				got = section(obs.Content, "============== BEGIN webpage content ==============\n", "\n============== END webpage content ==============\n")
			default:
				t.Skip()
			}
			got = strings.ReplaceAll(got, srv.URL, "http://PAGES")
			if got != string(want) {
				t.Errorf("%s differs from BrowserGym's\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
			}
		})
	}
}
