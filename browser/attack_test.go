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

// TestReloadingPageDoesNotWedge: a page that reloads itself every few milliseconds makes the
// screenshot fail; the observation must still come back within the action's timeout, and the
// next action must work. Extracting it received the screenshot twice when it had failed, which
// blocked forever with the service's lock held: every later browse action hung.
func TestReloadingPageDoesNotWedge(t *testing.T) {
	s := testService(t)
	srv := pageServer(t, map[string]string{
		"/reload.html": `<html><body><p>reloading</p><script>setInterval(() => location.reload(), 10)</script></body></html>`,
		"/other.html":  `<html><body><p>other page</p></body></html>`,
	})
	for i, req := range []Request{
		{Kind: BrowseInteractive, Actions: `goto("` + srv.URL + `/reload.html")`, Timeout: 10 * time.Second},
		{Kind: Browse, URL: srv.URL + "/reload.html", Timeout: 10 * time.Second},
		{Kind: Browse, URL: srv.URL + "/other.html", Timeout: 30 * time.Second},
	} {
		done := make(chan *Observation, 1)
		go func() {
			o, err := s.Do(context.Background(), req)
			if err != nil {
				t.Error(err)
			}
			done <- o
		}()
		select {
		case o := <-done:
			if i == 2 && (o == nil || o.Error || !strings.Contains(o.Content, "other page")) {
				t.Fatalf("after the reloading page: %+v", o)
			}
		case <-time.After(req.Timeout + 30*time.Second):
			t.Fatalf("%+v: no observation %v after the action's timeout", req, 30*time.Second)
		}
	}
}
