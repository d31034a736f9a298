package browser

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTabsFramesAndCrashes(t *testing.T) {
	s := testService(t)
	pages := filepath.Join("..", "test", "browser", "pages")
	files := http.FileServer(http.Dir(pages))
	var xframes string // a page framing another origin's inner.html, set below
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/popup.html":
			_, _ = w.Write([]byte(`<html><body><button onclick="window.open('/article.html')">Open popup</button></body></html>`))
		case "/xframes.html":
			_, _ = w.Write([]byte(xframes))
		case "/xnest.html":
			_, _ = w.Write([]byte(strings.Replace(xframes, "/inner.html", "/nest.html", 1)))
		case "/hog.html":
			_, _ = w.Write([]byte(`<html><body><p>hog</p><script>setTimeout(() => { const a = []; while (true) a.push(new Array(1e6).fill(Math.random())); }, 0);</script></body></html>`))
		default:
			files.ServeHTTP(w, r)
		}
	}))
	defer srv.Close()
	// a second server on "localhost" is another origin than srv's 127.0.0.1
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/nest.html" { // frames srv's page again: three origins deep
			_, _ = w.Write([]byte(`<html><body><iframe src="` + srv.URL + `/inner.html" title="Back home"></iframe></body></html>`))
			return
		}
		files.ServeHTTP(w, r)
	}))
	defer other.Close()
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	xframes = `<html><body><h1>Cross</h1><iframe src="` + otherURL + `/inner.html" title="Other origin"></iframe></body></html>`
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	do := func(actions string) *Observation {
		t.Helper()
		o, err := s.Do(ctx, Request{Kind: BrowseInteractive, Actions: actions, Timeout: 60 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	// start from one tab
	for o := do("noop(0)"); len(o.OpenPagesURLs) > 1; o = do("tab_close()") {
	}

	o := do(`goto("` + srv.URL + `/form.html") new_tab() goto("` + srv.URL + `/article.html")`)
	if o.ActivePageIndex != 1 || len(o.OpenPagesURLs) != 2 || o.OpenPagesURLs[0] != srv.URL+"/form.html" || o.URL != srv.URL+"/article.html" {
		t.Fatalf("new_tab: %d %v %s (%s)", o.ActivePageIndex, o.OpenPagesURLs, o.URL, o.LastBrowserActionError)
	}
	if o = do("tab_focus(0)"); o.ActivePageIndex != 0 || o.URL != srv.URL+"/form.html" {
		t.Fatalf("tab_focus: %d %s", o.ActivePageIndex, o.URL)
	}
	if o = do("tab_focus(5)"); !strings.HasPrefix(o.LastBrowserActionError, "IndexError: list index out of range") {
		t.Fatalf("tab_focus(5): %q", o.LastBrowserActionError)
	}
	if o = do("tab_focus(1) tab_close()"); o.ActivePageIndex != 0 || len(o.OpenPagesURLs) != 1 {
		t.Fatalf("tab_close: %d %v", o.ActivePageIndex, o.OpenPagesURLs)
	}

	// a popup opened by the page becomes the active tab
	o = do(`goto("` + srv.URL + `/popup.html")`)
	btn := ""
	for _, l := range strings.Split(o.Content, "\n") {
		if strings.Contains(l, "button 'Open popup'") {
			btn = strings.TrimSpace(l)[1:strings.Index(strings.TrimSpace(l), "]")]
		}
	}
	o = do(`click("` + btn + `")`)
	if len(o.OpenPagesURLs) != 2 || o.ActivePageIndex != 1 || o.URL != srv.URL+"/article.html" {
		t.Fatalf("popup: %d %v %s (%s)", o.ActivePageIndex, o.OpenPagesURLs, o.URL, o.LastBrowserActionError)
	}
	do("tab_close()")

	// elements inside a same-origin iframe are addressed by their frame-prefixed bids
	o = do(`goto("` + srv.URL + `/frames.html")`)
	if !strings.Contains(o.Content, "[a5] button 'Press me', clickable") {
		t.Fatalf("frames:\n%s", o.Content)
	}
	o = do(`click("a5")`)
	if o.Error || !strings.Contains(o.Content, "button 'Pressed'") {
		t.Fatalf("click in frame: %q\n%s", o.LastBrowserActionError, o.Content)
	}

	// so are those inside a cross-origin iframe, and clicks by bid reach them (twice: the
	// bids and the ARIA marks must survive an unmark and a second marking)
	o = do(`goto("` + srv.URL + `/xframes.html")`)
	if !strings.Contains(o.Content, "[a5] button 'Press me', clickable") || strings.Contains(o.Content, "browsergym_id") {
		t.Fatalf("cross-origin frame:\n%s", o.Content)
	}
	o = do(`fill("a6", "typed") click("a5")`)
	if o.Error || !strings.Contains(o.Content, "button 'Pressed'") || !strings.Contains(o.Content, "[a6] textbox '' value='typed', clickable") || o.FocusedElementBID == nil || *o.FocusedElementBID != "a5" {
		t.Fatalf("click in cross-origin frame: %q\n%s", o.LastBrowserActionError, o.Content)
	}
	if strings.Contains(o.Content, "browsergym_id") {
		t.Fatalf("marks left in cross-origin frame:\n%s", o.Content)
	}

	// a frame of the top page's origin inside a frame of another origin
	o = do(`goto("` + srv.URL + `/xnest.html")`)
	if !strings.Contains(o.Content, "[aa5] button 'Press me', clickable") {
		t.Fatalf("nested cross-origin frames:\n%s", o.Content)
	}
	if o = do(`click("aa5")`); o.Error || !strings.Contains(o.Content, "[aa5] button 'Pressed'") || o.FocusedElementBID == nil || *o.FocusedElementBID != "aa5" {
		t.Fatalf("click in nested frame: %q\n%s", o.LastBrowserActionError, o.Content)
	}

	// a page that allocates without end crashes its tab (the renderer's heap is capped);
	// the tab is replaced and the browser stays usable
	o = do(`goto("` + srv.URL + `/hog.html") noop(30000)`)
	if !o.Error || !strings.Contains(o.LastBrowserActionError, "Target crashed") {
		t.Fatalf("hog: error=%v %q", o.Error, o.LastBrowserActionError)
	}
	o = do(`goto("` + srv.URL + `/form.html")`)
	if o.Error || !strings.Contains(o.Content, "Test Form") {
		t.Fatalf("after crash: %q", o.LastBrowserActionError)
	}
}
