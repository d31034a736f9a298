package browser

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestBeforeUnloadDoesNotTrapTheTab: a page whose beforeunload handler asks to stay must not
// keep the agent on it. Playwright accepts a beforeunload dialog nobody handles (and dismisses
// the others), so BrowserGym leaves such a page; dismissing it aborted every later goto.
func TestBeforeUnloadDoesNotTrapTheTab(t *testing.T) {
	s := testService(t)
	srv := pageServer(t, map[string]string{
		"/stay.html":  `<html><body><p>stay here</p><script>window.onbeforeunload = e => { e.preventDefault(); e.returnValue = "x"; return "x"; };</script></body></html>`,
		"/other.html": `<html><body><p>other page</p></body></html>`,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, a := range []string{`goto("` + srv.URL + `/stay.html")`, `goto("` + srv.URL + `/other.html")`} {
		o, err := s.Do(ctx, Request{Kind: BrowseInteractive, Actions: a})
		if err != nil {
			t.Fatal(err)
		}
		if o.Error {
			t.Fatalf("%s: %s", a, o.LastBrowserActionError)
		}
	}
	o, err := s.Do(ctx, Request{Kind: Browse, URL: srv.URL + "/other.html"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Error || !strings.Contains(o.Content, "other page") {
		t.Fatalf("%s\n%s", o.LastBrowserActionError, o.Content)
	}
}
