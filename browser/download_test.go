package browser

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDownload(t *testing.T) {
	s := testService(t)
	big := strings.Repeat("x", 2<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/file.pdf":
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Disposition", `attachment; filename="test_download.pdf"`)
			_, _ = w.Write([]byte("%PDF-1.4\n%%EOF\n"))
		case "/big.bin":
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Disposition", `attachment; filename="big.bin"`)
			_, _ = w.Write([]byte(big))
		case "/page.html":
			_, _ = w.Write([]byte(`<html><body><a href="/file.pdf" download>Download Test File</a></body></html>`))
		}
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	obs, err := s.Do(ctx, Request{Kind: BrowseInteractive, Actions: `goto("` + srv.URL + `/file.pdf")`})
	if err != nil {
		t.Fatal(err)
	}
	if obs.Download == nil {
		t.Fatalf("no download observation: %+v", obs.LastBrowserActionError)
	}
	if filepath.Base(obs.Download.FilePath) != "file_"+strconv.Itoa(s.downloads)+".pdf" {
		t.Fatalf("%s", obs.Download.FilePath)
	}
	b, err := os.ReadFile(obs.Download.FilePath)
	if err != nil || !strings.HasPrefix(string(b), "%PDF") {
		t.Fatalf("%v %q", err, b)
	}

	// larger than the bound (1 MiB in the test service): cancelled, nothing in the working dir
	files := func() (n int) {
		es, _ := os.ReadDir(s.cfg.WorkingDir)
		for _, e := range es {
			if e.Name() != ".browser_screenshots" {
				n++
			}
		}
		return n
	}
	before := files()
	obs, err = s.Do(ctx, Request{Kind: BrowseInteractive, Actions: `goto("` + srv.URL + `/big.bin")`})
	if err != nil {
		t.Fatal(err)
	}
	if obs.Download != nil || !obs.Error || !strings.Contains(obs.LastBrowserActionError, "upload size limit") {
		t.Fatalf("big download: %+v %q", obs.Download, obs.LastBrowserActionError)
	}
	if after := files(); after != before {
		t.Fatalf("working dir changed: %d → %d entries", before, after)
	}
}
