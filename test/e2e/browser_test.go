package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The browser cases of the reference's tests/runtime/test_browsing.py, plus crash recovery
// and bad input, against the built binary with a real Chromium. One server (one Chromium)
// serves every subtest.

func needChromium(t *testing.T) {
	t.Helper()
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if _, err := exec.LookPath(n); err == nil {
			return
		}
	}
	t.Skip("no chromium (scripts/deps.d/50-chromium.sh installs it)")
}

// bidOf finds the bid of the first axtree line containing text.
func bidOf(t *testing.T, content, text string) string {
	t.Helper()
	re := regexp.MustCompile(`\[([a-zA-Z0-9]+)\] ([^\n]*)`)
	for _, m := range re.FindAllStringSubmatch(content, -1) {
		if strings.Contains(strings.ToLower(m[2]), strings.ToLower(text)) {
			return m[1]
		}
	}
	t.Fatalf("no element with %q in:\n%s", text, content)
	return ""
}

func axLine(content, bid string) string {
	for _, l := range strings.Split(content, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "["+bid+"] ") {
			return l
		}
	}
	return ""
}

func TestBrowserDisabled(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	o := s.act(t, "browse", map[string]any{"url": "http://127.0.0.1:1", "return_axtree": false}, 30)
	if o.Observation != "error" || !strings.Contains(o.Content, "Browser functionality is not supported or disabled") {
		t.Fatalf("%+v", o)
	}
}

func TestBrowsergymEvalEnvRefused(t *testing.T) {
	t.Parallel()
	out, err := exec.Command(serverBinary(t), "0", "--browsergym-eval-env", "webarena.1").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--browsergym-eval-env") {
		t.Fatalf("err=%v out=%s", err, out)
	}
}

func TestBrowser(t *testing.T) {
	needChromium(t)
	s := startServer(t, serverOpts{Args: []string{"--enable-browser"}})
	pages := map[string]string{
		"/page1.html": `<!DOCTYPE html><html><head><title>Page 1</title></head><body><h1>Page 1</h1><a href="page2.html" id="l2">Go to Page 2</a></body></html>`,
		"/page2.html": `<!DOCTYPE html><html><head><title>Page 2</title></head><body><h1>Page 2</h1><a href="page1.html">Go to Page 1</a></body></html>`,
		"/form.html": `<!DOCTYPE html><html><head><title>Test Form</title></head><body><h1>Test Form</h1>
<form id="test-form">
<input type="text" id="text-input" name="text" placeholder="Enter text">
<textarea id="textarea-input" name="message" placeholder="Enter message"></textarea>
<select id="select-input" name="option"><option value="">Select an option</option><option value="option1">Option 1</option><option value="option2">Option 2</option></select>
<button type="button" id="test-button">Test Button</button>
</form><div id="result"></div>
<script>document.getElementById('test-button').onclick = function() { document.getElementById('result').innerHTML = 'Button clicked!'; };</script>
</body></html>`,
		"/upload.html": `<!DOCTYPE html><html><head><title>File Upload Test</title></head><body><h1>File Upload Test</h1>
<input type="file" id="file-input" name="file">
<button type="button" onclick="document.getElementById('r').textContent = 'Uploaded: ' + document.getElementById('file-input').files[0].name">Upload File</button>
<div id="r"></div></body></html>`,
		"/alert.html":    `<!DOCTYPE html><html><head><title>Alerts</title></head><body><p>alerting</p><script>alert("hi"); confirm("sure?");</script></body></html>`,
		"/download.html": `<!DOCTYPE html><html><head><title>Download Test</title></head><body><h1>Download Test Page</h1><a href="/file.pdf" download="test_download.pdf">Download Test File</a></body></html>`,
	}
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/file.pdf":
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Disposition", `attachment; filename="test_download.pdf"`)
			_, _ = w.Write([]byte("%PDF-1.4\n%%EOF\n"))
			return
		case "/hang":
			select {
			case <-hang:
			case <-r.Context().Done():
			}
			return
		}
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	bi := func(actions string) obs {
		t.Helper()
		return s.act(t, "browse_interactive", map[string]any{"browser_actions": actions, "return_axtree": false}, 60)
	}

	// Chromium starts on the first browse, not at boot
	if pid := findChromium(s.Cmd.Process.Pid); pid != 0 {
		t.Fatalf("chromium %d running before the first browse", pid)
	}

	t.Run("simple_browse", func(t *testing.T) {
		o := s.act(t, "browse", map[string]any{"url": srv.URL + "/page1.html", "return_axtree": false}, 60)
		if o.Observation != "browse" || o.Extras["error"] != false {
			t.Fatalf("%+v", o)
		}
		want := "[Current URL: " + srv.URL + "/page1.html]\n============== BEGIN webpage content ==============\n#  Page 1 \n\n[ Go to Page 2 ](page2.html)\n\n============== END webpage content ==============\n"
		if o.Content != want {
			t.Fatalf("content:\n%q\nwant\n%q", o.Content, want)
		}
		if o.Message != "Visited "+srv.URL+"/page1.html" || o.Extras["last_browser_action"] != `goto("`+srv.URL+`/page1.html")` {
			t.Fatalf("%+v", o)
		}
		urls, _ := o.Extras["open_pages_urls"].([]any)
		if len(urls) != 1 || urls[0] != srv.URL+"/page1.html" || o.Extras["active_page_index"] != float64(0) {
			t.Fatalf("%+v", o.Extras)
		}
		shot, _ := o.Extras["screenshot"].(string)
		som, _ := o.Extras["set_of_marks"].(string)
		path, _ := o.Extras["screenshot_path"].(string)
		if !strings.HasPrefix(shot, "data:image/png;base64,") || !strings.HasPrefix(som, "data:image/png;base64,") {
			t.Fatal("no screenshot / set of marks")
		}
		if !strings.HasPrefix(path, filepath.Join(s.WorkDir, ".browser_screenshots", "screenshot_")) {
			t.Fatalf("screenshot_path %q", path)
		}
		if _, err := os.Stat(path); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"dom_object", "axtree_object", "extra_element_properties"} {
			if m, _ := o.Extras[k].(map[string]any); len(m) != 0 {
				t.Fatalf("%s not emptied", k)
			}
		}
	})

	t.Run("navigation", func(t *testing.T) {
		o := bi(`goto("` + srv.URL + `/page1.html")`)
		if o.Extras["error"] != false || !strings.Contains(o.Content, "[Action executed successfully.]") || !strings.Contains(o.Content, "Page 1") {
			t.Fatalf("%s", o.Content)
		}
		if !strings.HasPrefix(o.Content, "[Current URL: "+srv.URL+"/page1.html]\n[Focused element bid: ") {
			t.Fatalf("%s", o.Content)
		}
		o = bi("noop(100)")
		if o.Extras["url"] != srv.URL+"/page1.html" {
			t.Fatalf("%v", o.Extras["url"])
		}
		link := bidOf(t, o.Content, "link 'Go to Page 2'")
		o = bi(`click("` + link + `")`)
		if o.Extras["url"] != srv.URL+"/page2.html" || !strings.Contains(o.Content, "heading 'Page 2'") {
			t.Fatalf("click on link: %v\n%s", o.Extras["url"], o.Content)
		}
		if o = bi("go_back()"); o.Extras["url"] != srv.URL+"/page1.html" {
			t.Fatalf("go_back: %v", o.Extras["url"])
		}
		if o = bi("go_forward()"); o.Extras["url"] != srv.URL+"/page2.html" {
			t.Fatalf("go_forward: %v", o.Extras["url"])
		}
	})

	t.Run("form", func(t *testing.T) {
		o := bi(`goto("` + srv.URL + `/form.html")`)
		text, area := bidOf(t, o.Content, "Enter text"), bidOf(t, o.Content, "Enter message")
		sel, btn := bidOf(t, o.Content, "combobox"), bidOf(t, o.Content, "Test Button")
		o = bi(fmt.Sprintf("fill(%q, \"Hello World\")\nfill('%s', 'This is a test message')", text, area))
		if o.Extras["error"] != false || !strings.Contains(axLine(o.Content, text), "Hello World") ||
			!strings.Contains(axLine(o.Content, area), "This is a test message") {
			t.Fatalf("fill: %v\n%s", o.Extras["last_browser_action_error"], o.Content)
		}
		o = bi(fmt.Sprintf(`select_option("%s", "option2")`, sel))
		if !strings.Contains(axLine(o.Content, sel), "Option 2") {
			t.Fatalf("select: %v\n%s", o.Extras["last_browser_action_error"], o.Content)
		}
		o = bi(fmt.Sprintf(`click("%s")`, btn))
		if !strings.Contains(o.Content, "Button clicked!") {
			t.Fatalf("click: %v\n%s", o.Extras["last_browser_action_error"], o.Content)
		}
		o = bi(fmt.Sprintf(`focus("%s")`, text))
		if fb, _ := o.Extras["focused_element_bid"].(string); fb != text {
			t.Fatalf("focused %v, want %s", o.Extras["focused_element_bid"], text)
		}
		o = bi(fmt.Sprintf(`press("%s", "Backspace")`, text))
		if !strings.Contains(axLine(o.Content, text), "'Hello Worl'") {
			t.Fatalf("press: %s", axLine(o.Content, text))
		}
		o = bi(fmt.Sprintf(`clear("%s")`, text))
		if strings.Contains(axLine(o.Content, text), "Hello") {
			t.Fatalf("clear: %s", axLine(o.Content, text))
		}
		o = s.act(t, "browse_interactive", map[string]any{"browser_actions": "scroll(0, 300)", "return_axtree": true}, 60)
		if o.Extras["error"] != false || o.Extras["last_browser_action"] != "scroll(0, 300)" {
			t.Fatalf("%+v", o.Extras["last_browser_action_error"])
		}
		o2 := bi("scroll(0, -200)\nnoop(100)\nscroll(0, 400)")
		if o2.Extras["error"] != false || o2.Extras["last_browser_action"] != "scroll(0, -200)\nnoop(100)\nscroll(0, 400)" {
			t.Fatalf("sequence: %v %v", o2.Extras["last_browser_action_error"], o2.Extras["last_browser_action"])
		}
		if ax, _ := o.Extras["axtree_object"].(map[string]any); len(ax) == 0 {
			t.Fatal("return_axtree: axtree_object empty")
		}
		if ep, _ := o.Extras["extra_element_properties"].(map[string]any); ep[btn] == nil {
			t.Fatalf("return_axtree: no extra properties for %s", btn)
		}
	})

	t.Run("upload_file", func(t *testing.T) {
		f := filepath.Join(s.WorkDir, "upload_test.txt")
		if err := os.WriteFile(f, []byte("This is a test file for upload testing."), 0o644); err != nil {
			t.Fatal(err)
		}
		o := bi(`goto("` + srv.URL + `/upload.html")`)
		in, btn := bidOf(t, o.Content, "Choose File"), bidOf(t, o.Content, "Upload File")
		o = bi(fmt.Sprintf(`upload_file("%s", %q)`, in, f))
		if o.Extras["error"] != false || !strings.Contains(axLine(o.Content, in), "upload_test.txt") {
			t.Fatalf("upload: %v\n%s", o.Extras["last_browser_action_error"], o.Content)
		}
		o = bi(fmt.Sprintf(`click("%s")`, btn))
		if !strings.Contains(o.Content, "Uploaded: upload_test.txt") {
			t.Fatalf("%s", o.Content)
		}
	})

	t.Run("download", func(t *testing.T) {
		o := bi(`goto("` + srv.URL + `/file.pdf")`)
		if o.Observation != "download" {
			t.Fatalf("%+v", o)
		}
		want := filepath.Join(s.WorkDir, "file_1.pdf")
		if o.Extras["file_path"] != want || o.Message != "Downloaded the file at location: "+want ||
			o.Content != `Execution of the previous action goto("`+srv.URL+`/file.pdf") resulted in a file download. The downloaded file is saved at location: `+want {
			t.Fatalf("%+v", o)
		}
		if b, err := os.ReadFile(want); err != nil || !strings.HasPrefix(string(b), "%PDF") {
			t.Fatalf("%v %q", err, b)
		}
	})

	t.Run("alerts_are_dismissed", func(t *testing.T) {
		o := bi(`goto("` + srv.URL + `/alert.html")`)
		if o.Extras["error"] != false || !strings.Contains(o.Content, "alerting") {
			t.Fatalf("%v\n%s", o.Extras["last_browser_action_error"], o.Content)
		}
	})

	t.Run("file_viewer", func(t *testing.T) {
		b, err := os.ReadFile(viewerURLFile(t, s))
		if err != nil {
			t.Fatal(err)
		}
		base := strings.TrimSpace(string(b))
		if !regexp.MustCompile(`^http://localhost:\d+$`).MatchString(base) {
			t.Fatalf("viewer URL %q", base)
		}
		pngPath := filepath.Join(s.WorkDir, "test_image.png")
		writePNG(t, pngPath)
		o := bi(`goto("` + base + `/view?path=` + pngPath + `")`)
		if !strings.Contains(o.Content, "[Action executed successfully.]") || !strings.Contains(o.Content, "File Viewer - test_image.png") ||
			!strings.Contains(o.Content, "[Screenshot saved to: "+filepath.Join(s.WorkDir, ".browser_screenshots", "screenshot_")) {
			t.Fatalf("png: %s", o.Content)
		}
		pdfPath := filepath.Join(s.WorkDir, "test_document.pdf")
		if err := os.WriteFile(pdfPath, minimalPDF("This is test content for PDF reading test"), 0o644); err != nil {
			t.Fatal(err)
		}
		o = bi(`goto("` + base + `/view?path=` + pdfPath + `")`)
		if !strings.Contains(o.Content, "[Action executed successfully.]") || !strings.Contains(o.Content, "Canvas") {
			t.Fatalf("pdf (needs Debian's libjs-pdf): %s", o.Content)
		}
	})

	t.Run("bad_input", func(t *testing.T) {
		closed := freePort(t)
		cases := []struct{ actions, want string }{
			{`frobnicate("1")`, "NameError: Invalid action type 'frobnicate'."},
			{`click("12`, "ValueError: Received an empty action."},
			{`click("no-such-bid")`, `ValueError: Could not find element with bid "no-such-bid"`},
			{`click(12)`, "ValueError: expected a string, got 12"},
			{`click()`, "TypeError: click() missing 1 required positional argument: 'bid'"},
			{`fill("1", "a", "b")`, "TypeError: fill() takes 2 positional arguments but 3 were given"},
			{fmt.Sprintf(`goto("http://127.0.0.1:%d/")`, closed), fmt.Sprintf("Error: Page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:%d/", closed)},
		}
		for _, c := range cases {
			o := bi(c.actions)
			if o.Observation != "browse" || o.Extras["error"] != true || !strings.HasPrefix(o.Extras["last_browser_action_error"].(string), c.want) {
				t.Errorf("%s: %v", c.actions, o.Extras["last_browser_action_error"])
				continue
			}
			if !strings.Contains(o.Content, "================ BEGIN error message ===============\nThe following error occurred when executing the last action:\n"+c.want) {
				t.Errorf("%s: content %s", c.actions, o.Content)
			}
		}
	})

	t.Run("timeout", func(t *testing.T) {
		o := s.act(t, "browse_interactive", map[string]any{"browser_actions": `goto("` + srv.URL + `/hang")`}, 3)
		want := "[Current URL: ]\n[Focused element bid: ]\n\n================ BEGIN error message ===============\n" +
			"The following error occurred when executing the last action:\nBrowser environment took too long to respond.\n" +
			"================ END error message ===============\n\n[Error encountered when processing the accessibility tree: 'nodes']"
		if o.Observation != "browse" || o.Extras["error"] != true || o.Content != want {
			t.Fatalf("%+v", o)
		}
		// the browser still works afterwards
		o = bi(`goto("` + srv.URL + `/page1.html")`)
		if o.Extras["error"] != false || !strings.Contains(o.Content, "Page 1") {
			t.Fatalf("after timeout: %v", o.Extras["last_browser_action_error"])
		}
	})

	t.Run("crash_recovery", func(t *testing.T) {
		pid := chromiumPID(t, s.Cmd.Process.Pid)
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		o := bi(`goto("` + srv.URL + `/page2.html")`)
		if o.Extras["error"] != false || !strings.Contains(o.Content, "Page 2") || !strings.Contains(o.Content, "[Browser restarted:") {
			t.Fatalf("after kill: %v\n%s", o.Extras["last_browser_action_error"], o.Content)
		}
	})

	t.Run("no_orphans_after_sigterm", func(t *testing.T) {
		pid := chromiumPID(t, s.Cmd.Process.Pid)
		_ = s.Cmd.Process.Signal(syscall.SIGTERM)
		_, _ = s.Cmd.Process.Wait()
		// SIGKILL is delivered at once but a process takes a moment to exit: poll.
		deadline := time.Now().Add(10 * time.Second)
		for n := liveInGroup(pid); n > 0; n = liveInGroup(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("%d processes of chromium group %d survived the server", n, pid)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// chromiumPID is the Chromium child of the server (its process group leader).
func chromiumPID(t *testing.T, server int) int {
	t.Helper()
	pid := findChromium(server)
	if pid == 0 {
		t.Fatal("no chromium child")
	}
	return pid
}

// findChromium returns the server's Chromium child, or 0.
func findChromium(server int) int {
	ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", server))
	for _, e := range ents {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", server, e.Name()))
		for _, f := range strings.Fields(string(b)) {
			pid, _ := strconv.Atoi(f)
			if c, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); err == nil && strings.Contains(string(c), "chrom") {
				return pid
			}
		}
	}
	return 0
}

// TestBrowserPrewarm: --browser-prewarm starts Chromium before the port opens.
func TestBrowserPrewarm(t *testing.T) {
	needChromium(t)
	t.Parallel()
	s := startServer(t, serverOpts{Args: []string{"--enable-browser", "--browser-prewarm"}})
	if findChromium(s.Cmd.Process.Pid) == 0 {
		t.Fatal("no chromium after start with --browser-prewarm")
	}
}

// liveInGroup counts the processes of group pgid that are not zombies (PID 1 here may
// not reap the children it inherits).
func liveInGroup(pgid int) int {
	n := 0
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) > 2 && f[0] != "Z" && f[0] != "X" && f[2] == strconv.Itoa(pgid) {
			n++
		}
	}
	return n
}

// viewerURLFile is where the test server writes its file viewer URL.
func viewerURLFile(t *testing.T, s *testServer) string {
	t.Helper()
	for _, kv := range s.Cmd.Env {
		if v, ok := strings.CutPrefix(kv, "GOHANDS_SERVER_URL_FILE="); ok {
			return v
		}
	}
	t.Fatal("no GOHANDS_SERVER_URL_FILE")
	return ""
}

func writePNG(t *testing.T, path string) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 400, 200))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// minimalPDF is a one-page PDF showing text, with a correct cross-reference table.
func minimalPDF(text string) []byte {
	stream := "BT /F1 24 Tf 72 700 Td (" + text + ") Tj ET"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, x)
	return []byte(b.String())
}

// TestBrowserAsSandboxUser: as root with a sandbox user, Chromium runs as that user, its
// screenshots belong to it, and file:// shows only what the user may read.
func TestBrowserAsSandboxUser(t *testing.T) {
	needChromium(t)
	name, uid, wd := sandboxUser(t, "ghbrow", 24000)
	s := startServer(t, serverOpts{WorkDir: wd, Env: []string{"RUNTIME_USERNAME=" + name},
		Args: []string{"--username", name, "--user-id", fmt.Sprint(uid), "--enable-browser"}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html><head><title>Hello</title></head><body><p>hello page</p></body></html>")
	}))
	defer srv.Close()
	o := s.act(t, "browse", map[string]any{"url": srv.URL + "/"}, 60)
	if o.Extras["error"] != false || !strings.Contains(o.Content, "hello page") {
		t.Fatalf("%+v", o)
	}
	path, _ := o.Extras["screenshot_path"].(string)
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil || int(st.Uid) != uid {
		t.Fatalf("screenshot %s owner %d, want %d (%v)", path, st.Uid, uid, err)
	}
	pid := chromiumPID(t, s.Cmd.Process.Pid)
	if err := syscall.Stat(fmt.Sprintf("/proc/%d", pid), &st); err != nil || int(st.Uid) != uid {
		t.Fatalf("chromium runs as %d, want %d (%v)", st.Uid, uid, err)
	}
	secret := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(secret, []byte("root only secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(filepath.Dir(secret), 0o755)
	o = s.act(t, "browse_interactive", map[string]any{"browser_actions": `goto("file://` + secret + `")`}, 60)
	if strings.Contains(o.Content, "root only secret") {
		t.Fatalf("the sandbox user's browser read a root-only file:\n%s", o.Content)
	}
}

// TestBrowseWhileStarting: browse actions that arrive while Chromium is still starting wait
// for it (they are serialised) instead of failing.
func TestBrowseWhileStarting(t *testing.T) {
	needChromium(t)
	t.Parallel()
	s := startServer(t, serverOpts{Args: []string{"--enable-browser"}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html><body><p>ready page</p></body></html>")
	}))
	defer srv.Close()
	errs := make(chan string, 3)
	for i := 0; i < 3; i++ {
		go func() {
			b, _ := json.Marshal(map[string]any{"action": map[string]any{"action": "browse", "args": map[string]any{"url": srv.URL + "/"}, "timeout": 60}})
			resp, err := http.Post(s.URL+"/execute_action", "application/json", bytes.NewReader(b))
			if err != nil {
				errs <- err.Error()
				return
			}
			defer resp.Body.Close()
			var o obs
			if err := json.NewDecoder(resp.Body).Decode(&o); err != nil || resp.StatusCode != 200 {
				errs <- fmt.Sprintf("status %d %v", resp.StatusCode, err)
				return
			}
			if o.Observation != "browse" || !strings.Contains(o.Content, "ready page") {
				errs <- o.Content
				return
			}
			errs <- ""
		}()
	}
	for i := 0; i < 3; i++ {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
}
