package browser

import (
	"context"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gohands/gohands/plugins/proc"
	"github.com/gohands/gohands/sandbox"
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
// The last action opens a tab of its own: in the reloading tab a goto races the page's own
// reload (either may win, in Chromium as under Playwright), which is the page's doing, not a
// wedge. Its own service, so that the reloading tab dies with it.
func TestReloadingPageDoesNotWedge(t *testing.T) {
	s := ownService(t)
	srv := pageServer(t, map[string]string{
		"/reload.html": `<html><body><p>reloading</p><script>setInterval(() => location.reload(), 10)</script></body></html>`,
		"/other.html":  `<html><body><p>other page</p></body></html>`,
	})
	for i, req := range []Request{
		{Kind: BrowseInteractive, Actions: `goto("` + srv.URL + `/reload.html")`, Timeout: 10 * time.Second},
		{Kind: Browse, URL: srv.URL + "/reload.html", Timeout: 10 * time.Second},
		{Kind: BrowseInteractive, Actions: "new_tab()\ngoto(\"" + srv.URL + "/other.html\")", Timeout: 30 * time.Second},
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

// TestCallerLeavingKeepsTheBrowser: a client that hangs up while a browse action runs (its own
// HTTP timeout, a cancelled request) must not cost the agent its browser. Cancelling the
// action's context killed Chromium as if it had hung: the next action came back on a fresh
// about:blank, every tab lost, with nothing saying so.
func TestCallerLeavingKeepsTheBrowser(t *testing.T) {
	s := ownService(t)
	srv, arrived := hangServer(t)
	bg, cancelBg := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancelBg()
	if o, err := s.Do(bg, Request{Kind: BrowseInteractive, Actions: `goto("` + srv.URL + `/first.html")`}); err != nil || o.Error {
		t.Fatalf("%v %+v", err, o)
	}
	pid := s.PID()
	ctx, cancel := context.WithCancel(bg)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = s.Do(ctx, Request{Kind: BrowseInteractive, Actions: `goto("` + srv.URL + `/hang")`, Timeout: 30 * time.Second})
	}()
	select {
	case <-arrived:
	case <-bg.Done():
		t.Fatal("the navigation never reached the server")
	}
	cancel() // the caller leaves
	<-done
	o, err := s.Do(bg, Request{Kind: BrowseInteractive, Actions: `noop(0)`})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.PID(); got != pid || strings.HasPrefix(o.Content, "[Browser restarted") {
		t.Fatalf("Chromium %d replaced by %d after the caller left:\n%s", pid, got, o.Content)
	}
	if o.Error || !strings.Contains(o.Content, "first page") {
		t.Fatalf("the tab was lost: %s\n%s", o.LastBrowserActionError, o.Content)
	}
}

// TestTimeoutRestartIsAnnounced: an action that outlives its timeout (a page spinning in
// JavaScript) gets the reference's "took too long" error and Chromium is replaced; the next
// action must say so, as it does after a crash. It came back on about:blank with no word.
func TestTimeoutRestartIsAnnounced(t *testing.T) {
	s := ownService(t)
	srv := pageServer(t, map[string]string{
		"/spin.html": `<html><body><p>spin</p><script>setTimeout(() => { for (;;) {} }, 0)</script></body></html>`,
	})
	o, err := s.Do(context.Background(), Request{Kind: BrowseInteractive, Actions: `goto("` + srv.URL + `/spin.html")`, Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !o.Error || o.LastBrowserActionError != "Browser environment took too long to respond." {
		t.Fatalf("spinning page: %q", o.LastBrowserActionError)
	}
	o, err = s.Do(context.Background(), Request{Kind: BrowseInteractive, Actions: `noop(0)`, Timeout: 60 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(o.Content, "[Browser restarted: the previous Chromium ") {
		t.Fatalf("the replacement is not announced:\n%s", o.Content)
	}
	// and only once
	o, err = s.Do(context.Background(), Request{Kind: BrowseInteractive, Actions: `noop(0)`, Timeout: 60 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(o.Content, "[Browser restarted") {
		t.Fatalf("announced twice:\n%s", o.Content)
	}
}

// ownService is a browser service of the test's own, for tests that look at Chromium's
// lifecycle (and must not start from a page an earlier test left open in the shared one).
func ownService(t *testing.T) *Service {
	t.Helper()
	testService(t) // skips without Chromium
	s := New(Config{Chromium: os.Getenv("GOHANDS_CHROMIUM"), WorkingDir: t.TempDir(), MaxDownloadBytes: 1 << 20, Logf: log.Printf})
	t.Cleanup(s.Close)
	return s
}

// TestKilledChromiumNamesTheSignal: the restart note after Chromium was killed names the
// signal as people know it; it read "process was killed (killed)".
func TestKilledChromiumNamesTheSignal(t *testing.T) {
	s := ownService(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := s.Do(ctx, Request{Kind: BrowseInteractive, Actions: `noop(0)`}); err != nil {
		t.Fatal(err)
	}
	if err := proc.KillGroup(s.PID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for s.PID() != 0 { // until the service has seen it exit
		if ctx.Err() != nil {
			t.Fatal("Chromium did not exit")
		}
		runtime.Gosched()
	}
	o, err := s.Do(ctx, Request{Kind: BrowseInteractive, Actions: `noop(0)`})
	if err != nil {
		t.Fatal(err)
	}
	if want := "[Browser restarted: the previous Chromium process was killed (SIGKILL).]\n"; !strings.HasPrefix(o.Content, want) {
		t.Fatalf("want %q at the start of:\n%s", want, o.Content)
	}
}

// TestUploadUnreadableBySandboxUser: Chromium runs as the sandbox user, the server as root.
// upload_file of a file only root may read gave the page a file it could not read
// (NotReadableError in the page) and the action no error; it is now a PermissionError, as the
// sandbox user's own open() would be. A file the user may read still uploads.
func TestUploadUnreadableBySandboxUser(t *testing.T) {
	testService(t) // skips without Chromium
	if os.Geteuid() != 0 {
		t.Skip("needs root to run Chromium as another user")
	}
	s := New(Config{Chromium: os.Getenv("GOHANDS_CHROMIUM"), WorkingDir: t.TempDir(), Logf: log.Printf,
		User: sandbox.User{Name: "nobody", UID: 65534, GID: 65534, Switch: true}})
	t.Cleanup(s.Close)
	secret := filepath.Join(t.TempDir(), "secret.txt") // in a 0700 directory of root's
	if err := os.WriteFile(secret, []byte("root only"), 0o600); err != nil {
		t.Fatal(err)
	}
	open, err := os.MkdirTemp("", "gohands-upload-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(open) })
	public := filepath.Join(open, "public.txt")
	if err := os.Chmod(open, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(public, []byte("for all"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := pageServer(t, map[string]string{"/up.html": `<html><body><input type="file" id="f"><p id="out">none</p>
<script>document.getElementById('f').onchange = e => e.target.files[0].text().then(t => out.textContent = 'read ' + t, err => out.textContent = 'unreadable');</script></body></html>`})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	do := func(a string) *Observation {
		o, err := s.Do(ctx, Request{Kind: BrowseInteractive, Actions: a})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	if o := do(`goto("` + srv.URL + `/up.html")`); o.Error {
		t.Fatal(o.LastBrowserActionError)
	}
	o := do(`upload_file('3', '` + secret + `')`)
	if want := "PermissionError: [Errno 13] Permission denied: '" + secret + "'"; o.LastBrowserActionError != want {
		t.Fatalf("upload of a file the sandbox user may not read: %q, want %q\n%s", o.LastBrowserActionError, want, o.Content)
	}
	o = do(`upload_file('3', '` + public + `')`)
	if o.Error || !strings.Contains(o.Content, "read for all") {
		t.Fatalf("upload of a readable file: %s\n%s", o.LastBrowserActionError, o.Content)
	}
}

// TestKilledDuringAction: Chromium killed while an action runs. The action answered after
// 14 s of retries with "mark elements: lost the connection to the browser: EOF: context
// canceled", and the next note repeated that text; both now name the kill, at once.
func TestKilledDuringAction(t *testing.T) {
	s := ownService(t)
	srv, arrived := hangServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if o, err := s.Do(ctx, Request{Kind: BrowseInteractive, Actions: `goto("` + srv.URL + `/first.html")`}); err != nil || o.Error {
		t.Fatalf("%v %+v", err, o)
	}
	pid := s.PID()
	go func() {
		select {
		case <-arrived:
			_ = proc.KillGroup(pid, syscall.SIGKILL)
		case <-ctx.Done():
		}
	}()
	start := time.Now()
	o, err := s.Do(ctx, Request{Kind: BrowseInteractive, Actions: `goto("` + srv.URL + `/hang")`, Timeout: 40 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Chromium's process was killed (SIGKILL) during the action."; o.LastBrowserActionError != want {
		t.Fatalf("after %v: %q, want %q", time.Since(start), o.LastBrowserActionError, want)
	}
	o, err = s.Do(ctx, Request{Kind: BrowseInteractive, Actions: `noop(0)`})
	if err != nil {
		t.Fatal(err)
	}
	if want := "[Browser restarted: the previous Chromium process was killed (SIGKILL).]\n"; !strings.HasPrefix(o.Content, want) {
		t.Fatalf("want %q at the start of:\n%s", want, o.Content)
	}
}

// hangServer serves a small first page, and /hang, which answers only once the test ends (or
// its client goes away); arrived receives when a request for /hang has come.
func hangServer(t *testing.T) (*httptest.Server, <-chan struct{}) {
	t.Helper()
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hang" {
			select {
			case arrived <- struct{}{}:
			default:
			}
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<html><body><p>first page</p></body></html>`))
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first: the hanging handlers return
	return srv, arrived
}
