package browser

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/chromedp/cdproto/cdp/jsonv2"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"
	"golang.org/x/sys/unix"

	"github.com/gohands/gohands/plugins/proc"
	"github.com/gohands/gohands/sandbox"
)

// Viewport is BrowserGym's default viewport.
const viewportW, viewportH = 1280, 720

// chromiumFlags are the command-line flags gohands starts Chromium with, and why.
func chromiumFlags(profile string, heapMB int) []string {
	return []string{
		"--headless",                      // no display in a sandbox
		"--no-sandbox",                    // Chromium's own setuid/namespace sandbox needs privileges containers rarely grant; the server's sandbox user and container are the boundary
		"--disable-gpu",                   // no GPU in a sandbox; software rendering
		"--disable-dev-shm-usage",         // /dev/shm is often 64 MB in containers; use /tmp
		"--disable-quic",                  // no QUIC probing on a closed network
		"--no-first-run",                  // no first-run dialogs or imports
		"--no-default-browser-check",      // no default-browser prompt
		"--disable-background-networking", // no safe-browsing, variations or update fetches (a closed network would see endless refused connections)
		"--disable-component-update",      // no component updater traffic
		"--disable-sync",                  // no account sync
		"--disable-extensions",            // nothing but the page runs
		// IsolateOrigins,site-per-process and --disable-site-isolation-trials keep cross-origin
		// iframes in their page's renderer (no out-of-process iframes), so that one CDP session
		// reaches every frame: each frame is marked in its own main world and its accessibility
		// tree read by frameId, as BrowserGym does through Playwright. The cost: sites framed
		// in one tab share a renderer process, so a renderer exploit (or a Spectre-style side
		// channel) in one frame could read another's memory. With --no-sandbox the renderer is
		// not a security boundary here anyway; the container is.
		"--disable-features=Translate,MediaRouter,OptimizationHints,DialMediaRouteProvider,IsolateOrigins,site-per-process",
		"--disable-site-isolation-trials",
		"--disable-breakpad", // no crash reporter
		"--mute-audio",       // pages may play media
		"--hide-scrollbars",  // screenshots as Playwright's headless Chromium takes them
		"--window-size=" + strconv.Itoa(viewportW) + "," + strconv.Itoa(viewportH),
		"--js-flags=--max-old-space-size=" + strconv.Itoa(heapMB), // a page that allocates without end crashes its tab, not the machine
		"--user-data-dir=" + profile,                              // a private profile per server (also keeps the sandbox user out of others' profiles)
		"--remote-debugging-port=0",                               // DevTools on a free loopback port, announced on stderr
		"--remote-debugging-address=127.0.0.1",
		"about:blank",
	}
}

// findChromium resolves the browser binary.
func findChromium(p string) (string, error) {
	if p != "" {
		if strings.ContainsRune(p, '/') {
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("chromium not found at %s: %w", p, err)
			}
			return p, nil
		}
		return exec.LookPath(p)
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if path, err := exec.LookPath(n); err == nil {
			return path, nil
		}
	}
	return "", errors.New("no Chromium found on PATH (install Debian's chromium, or set GOHANDS_CHROMIUM)")
}

// instance is one running Chromium with its DevTools connection and pages.
type instance struct {
	cmd         *exec.Cmd
	profile     string
	dlDir       string
	done        chan struct{} // closed when the process has exited
	waitErr     error
	alloc       context.Context
	cancelA     context.CancelFunc
	browser     context.Context // a chromedp context bound to the browser (first page)
	cancelB     context.CancelFunc
	pages       []*page
	active      int
	mouseX      float64
	mouseY      float64
	maxDownload int64
	user        sandbox.User    // who Chromium runs as
	byTarget    sync.Map        // target id → *page, for browser-level events (crashes)
	gone        map[string]bool // targets dropped (closed or crashed): never adopted again
	logf        func(string, ...any)
	dlMu        sync.Mutex
	dlSeq       int
	dlEvents    map[string]*downloadState // guid → state
}

func launch(ctx context.Context, cfg Config) (*instance, error) {
	bin, err := findChromium(cfg.Chromium)
	if err != nil {
		return nil, err
	}
	profile, err := os.MkdirTemp("", "gohands-chromium-")
	if err != nil {
		return nil, err
	}
	dlDir := filepath.Join(profile, "downloads")
	if err := os.MkdirAll(dlDir, 0o700); err != nil {
		return nil, err
	}
	if cfg.User.Switch {
		// Chromium runs as the sandbox user: its profile and downloads must be that user's.
		_ = filepath.Walk(profile, func(p string, _ os.FileInfo, _ error) error {
			return os.Lchown(p, cfg.User.UID, cfg.User.GID)
		})
	}
	cmd := exec.Command(bin, chromiumFlags(profile, cfg.MaxJSHeapMB)...)
	home := cfg.User.Home
	if home == "" {
		home = profile
	}
	cmd.Env = proc.Env(proc.BaseEnv(), cfg.User, "HOME="+home)
	cmd.Dir = profile
	proc.Prepare(cmd, cfg.User)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		_ = os.RemoveAll(profile)
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	inst := &instance{cmd: cmd, profile: profile, dlDir: dlDir, done: make(chan struct{}),
		dlEvents: map[string]*downloadState{}, maxDownload: cfg.MaxDownloadBytes, user: cfg.User, gone: map[string]bool{}, logf: cfg.Logf}
	wsc := make(chan string, 1)
	go func() {
		// The DevTools URL is announced on stderr; the rest of stderr is drained so
		// Chromium never blocks on a full pipe.
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			if !sent {
				if i := strings.Index(line, "ws://"); i >= 0 && strings.Contains(line, "DevTools listening") {
					wsc <- strings.TrimSpace(line[i:])
					sent = true
				}
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	go func() {
		inst.waitErr = cmd.Wait()
		close(inst.done)
	}()
	var ws string
	select {
	case ws = <-wsc:
	case <-inst.done:
		inst.cleanup()
		return nil, fmt.Errorf("chromium exited at start: %v", inst.waitErr)
	case <-time.After(60 * time.Second):
		inst.close()
		return nil, errors.New("chromium did not announce its DevTools endpoint within 60 s")
	case <-ctx.Done():
		inst.close()
		return nil, ctx.Err()
	}
	inst.alloc, inst.cancelA = remote.NewAllocator(context.Background(), ws, remote.NoModifyURL)
	// attach to the tab Chromium opened (about:blank) rather than opening a second one
	bctx, bcancel := chromedp.NewContext(inst.alloc)
	if err := chromedp.Do(bctx); err != nil { // connects to the browser
		bcancel()
		inst.close()
		return nil, fmt.Errorf("connect to chromium: %w", err)
	}
	inst.browser, inst.cancelB = bctx, bcancel
	// bctx holds the connection through the tab Chromium opened at start; cancelling it
	// would end the connection, so that tab is never one of the agent's pages.
	inst.gone[string(chromedp.FromContext(bctx).Target.TargetID)] = true
	p, err := inst.newPage(ctx)
	if err != nil {
		inst.close()
		return nil, err
	}
	inst.pages = []*page{p}
	// any other tab open at start (Chromium's own about:blank) is not one of the agent's
	var res struct {
		TargetInfos []struct {
			TargetID string `json:"targetId"`
			Type     string `json:"type"`
		} `json:"targetInfos"`
	}
	if err := inst.bcall(ctx, "Target.getTargets", nil, &res); err == nil {
		for _, t := range res.TargetInfos {
			if t.Type == "page" && t.TargetID != p.targetID {
				inst.gone[t.TargetID] = true
			}
		}
	}
	var out jsonv2.Value
	if err := chromedp.FromContext(bctx).Browser.Call(ctx, "Browser.setDownloadBehavior", map[string]any{
		"behavior": "allowAndName", "downloadPath": dlDir, "eventsEnabled": true}, &out); err != nil {
		inst.close()
		return nil, fmt.Errorf("set download behaviour: %w", err)
	}
	inst.listenDownloads()
	return inst, nil
}

func (in *instance) exited() bool {
	select {
	case <-in.done:
		return true
	default:
		return false
	}
}

// errBrowserGone ends a step whose Chromium exited under it.
var errBrowserGone = errors.New("chromium exited")

// died reports whether Chromium's process has exited, allowing a moment for its exit to be
// seen when the DevTools connection is already lost (the connection ends first).
func (in *instance) died() bool {
	if in.exited() {
		return true
	}
	var out jsonv2.Value
	c, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if chromedp.FromContext(in.browser).Browser.Call(c, "Browser.getVersion", nil, &out) == nil {
		return false
	}
	select {
	case <-in.done:
		return true
	case <-c.Done():
		return false
	}
}

func (in *instance) exitReason() string {
	if !in.exited() {
		return "stopped responding and was replaced"
	}
	var ee *exec.ExitError
	if errors.As(in.waitErr, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			name := unix.SignalName(ws.Signal())
			if name == "" {
				name = ws.Signal().String()
			}
			return "process was killed (" + name + ")"
		}
		return "process exited with status " + strconv.Itoa(ee.ExitCode())
	}
	return "process exited"
}

// healthy asks the browser for its version: a hung or disconnected one fails fast.
func (in *instance) healthy(ctx context.Context) bool {
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var out jsonv2.Value
	return chromedp.FromContext(in.browser).Browser.Call(c, "Browser.getVersion", nil, &out) == nil
}

func (in *instance) close() {
	if in.cancelB != nil {
		in.cancelB()
	}
	if in.cancelA != nil {
		in.cancelA()
	}
	if in.cmd.Process != nil {
		_ = proc.KillGroup(in.cmd.Process.Pid, syscall.SIGKILL)
	}
	select {
	case <-in.done:
	case <-time.After(10 * time.Second):
	}
	in.cleanup()
}

func (in *instance) cleanup() {
	// Chromium's process-singleton dir is made in $TMPDIR (org.chromium.Chromium.XXXXXX, its
	// socket linked from the profile) and outlives a killed browser. TMPDIR is not pointed into
	// the profile: under a long TMPDIR the socket's path passes the 107 bytes a unix socket
	// path may have, and Chromium aborts at start.
	if target, err := os.Readlink(filepath.Join(in.profile, "SingletonSocket")); err == nil {
		if dir := filepath.Dir(target); strings.HasPrefix(filepath.Base(dir), "org.chromium.Chromium.") {
			_ = os.RemoveAll(dir)
		}
	}
	_ = os.RemoveAll(in.profile)
}

// bcall sends a browser-level command.
func (in *instance) bcall(ctx context.Context, method string, params any, out any) error {
	var raw jsonv2.Value
	if err := chromedp.FromContext(in.browser).Browser.Call(ctx, method, params, &raw); err != nil {
		return err
	}
	if out != nil && len(raw) > 0 {
		return json.Unmarshal(raw, out)
	}
	return nil
}
