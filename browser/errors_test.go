package browser

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestActionErrors: the error texts BrowserGym 0.13.3 gives for bad actions on form.html
// (recorded from BrowserGym itself on the same Chromium; Playwright's long call logs are
// compared up to their first lines).
func TestActionErrors(t *testing.T) {
	s := testService(t)
	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Join("..", "test", "browser", "pages"))))
	defer srv.Close()
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := l.Addr().(*net.TCPAddr).Port
	l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	do := func(a string) *Observation {
		t.Helper()
		o, err := s.Do(ctx, Request{Kind: BrowseInteractive, Actions: a})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	refused := fmt.Sprintf("http://127.0.0.1:%d/", closed)
	o := do(`goto("` + refused + `")`)
	if want := "Error: Page.goto: net::ERR_CONNECTION_REFUSED at " + refused + "\nCall log:\n  - navigating to \"" + refused + "\", waiting until \"load\"\n"; o.LastBrowserActionError != want {
		t.Errorf("refused: %q", o.LastBrowserActionError)
	}
	if o.URL != "chrome-error://chromewebdata/" {
		t.Errorf("url after a failed navigation: %q", o.URL)
	}
	if o = do(`goto("foo")`); o.LastBrowserActionError != "Error: Page.goto: Protocol error (Page.navigate): Cannot navigate to invalid URL\nCall log:\n  - navigating to \"foo\", waiting until \"load\"\n" {
		t.Errorf("invalid url: %q", o.LastBrowserActionError)
	}
	if o = do(`goto("` + srv.URL + `/form.html")`); o.Error {
		t.Fatal(o.LastBrowserActionError)
	}
	cases := []struct{ action, want string }{
		{`click("999")`, `ValueError: Could not find element with bid "999"`},
		{`click(12)`, `ValueError: expected a string, got 12`},
		{`click()`, `TypeError: click() missing 1 required positional argument: 'bid'`},
		{`fill("1", "a", "b")`, `TypeError: fill() takes 2 positional arguments but 3 were given`},
		{`frob("1")`, `NameError: Invalid action type 'frob'.`},
		{`click("12`, `ValueError: Received an empty action.`},
		{`click("6", button="up")`, `ValidationError: button: expected one of (left|right|middle)`},
		{`tab_focus(5)`, `IndexError: list index out of range`},
		{`noop("a")`, `ValidationError: wait_timeout: expected float, got string`},
		{`send_msg_to_user(5)`, `ValueError: Forbidden value: 5 is not a string`},
		{`scroll("a", 1)`, `ValidationError: delta_x: expected float, got string`},
		{`goto(5)`, `ValidationError: url: expected string, got number`},
	}
	for _, c := range cases {
		if o := do(c.action); o.LastBrowserActionError != c.want || !o.Error {
			t.Errorf("%s: %q, want %q", c.action, o.LastBrowserActionError, c.want)
		}
	}
	prefixes := []struct{ action, want string }{
		{`select_option("6", "x")`, "Error: Locator.select_option: Error: Element is not a <select> element"},
		{`press("6", "Foo")`, `Error: Locator.press: Unknown key: "Foo"`},
		{`fill("16", "x")`, "TimeoutError: Locator.fill: Timeout 500ms exceeded.\nCall log:\n  - waiting for get_by_test_id(\"16\")\n"},
		{`select_option("8", "nope")`, "TimeoutError: Locator.select_option: Timeout 500ms exceeded.\nCall log:\n  - waiting for get_by_test_id(\"8\")\n"},
		{`hover("2")`, "TimeoutError: Locator.hover: Timeout 500ms exceeded.\nCall log:\n  - waiting for get_by_test_id(\"2\")\n"},
	}
	for _, c := range prefixes {
		if o := do(c.action); !strings.HasPrefix(o.LastBrowserActionError, c.want) || !o.Error {
			t.Errorf("%s: %q, want prefix %q", c.action, o.LastBrowserActionError, c.want)
		}
	}
}
