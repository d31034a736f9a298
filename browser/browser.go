// Package browser is the headless Chromium service the front doors share: BrowserGym's
// action language on top of the DevTools protocol (chromedp), bids marked the way
// BrowserGym marks them, its accessibility-tree text and html2text page markdown,
// screenshots, tabs and downloads. Chromium starts on the first action, not at boot.
package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gohands/gohands/internal/fault"
	"github.com/gohands/gohands/sandbox"
)

// Config is the browser service's part of the server configuration (read in cmd/).
type Config struct {
	// Chromium is the browser binary; empty means the first of chromium, chromium-browser,
	// google-chrome on PATH.
	Chromium string
	// User is the sandbox user Chromium runs as when the server switches users.
	User sandbox.User
	// WorkingDir receives screenshots (.browser_screenshots) and downloads (file_<n><ext>).
	WorkingDir string
	// MaxDownloadBytes bounds one download (the server's upload limit); 0 means no bound.
	MaxDownloadBytes int64
	// MaxJSHeapMB bounds each renderer's JavaScript heap so a page that allocates without
	// end crashes its tab instead of exhausting the machine; 0 means 512.
	MaxJSHeapMB int
	// Logf logs lifecycle events; nil discards them.
	Logf func(format string, args ...any)
}

// Kind is the action type that triggered an observation.
type Kind string

const (
	Browse            Kind = "browse"
	BrowseInteractive Kind = "browse_interactive"
)

// Request is one browse or browse_interactive action.
type Request struct {
	Kind         Kind
	URL          string // browse
	Actions      string // browse_interactive
	ReturnAXTree bool
	Timeout      time.Duration // 0 means 120 s, the reference's step timeout
}

// Observation is BrowserOutputObservation's content and extras, or a download.
type Observation struct {
	Content                string
	URL                    string
	Screenshot             string
	ScreenshotPath         *string
	SetOfMarks             string
	Error                  bool
	GoalImageURLs          []string
	OpenPagesURLs          []string
	ActivePageIndex        int
	AXTreeObject           any
	ExtraElementProperties any
	LastBrowserAction      string
	LastBrowserActionError string
	FocusedElementBID      *string

	// Download is set when the action downloaded a file: the reference's `download`
	// observation replaces the browse one.
	Download *Download
}

// Download is FileDownloadObservation.
type Download struct {
	Content  string
	FilePath string
}

// Service runs browse actions one at a time on one Chromium, started on first use.
type Service struct {
	cfg Config

	mu        sync.Mutex // serialises actions and guards the fields below
	inst      *instance
	closed    bool
	downloads int // files moved to the working dir so far (file_<n>)
	// replaced says why Do threw the last Chromium away after a step that did not finish,
	// for the next observation's restart note ("" when it did not).
	replaced string
}

// New prepares the service; nothing starts until the first action (or Start).
func New(cfg Config) *Service {
	if cfg.MaxJSHeapMB == 0 {
		cfg.MaxJSHeapMB = 512
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	return &Service{cfg: cfg}
}

// Start launches Chromium now (the opt-in pre-warm); actions start it lazily otherwise.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _, err := s.ensure(ctx)
	return err
}

// Close kills Chromium and its process group and removes its profile.
func (s *Service) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.inst != nil {
		s.inst.close()
		s.inst = nil
	}
}

// PIDs returns the process group leader of the running Chromium, or 0 (for tests and figures).
func (s *Service) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inst == nil || s.inst.exited() {
		return 0
	}
	return s.inst.cmd.Process.Pid
}

// ensure returns a live instance, starting or restarting Chromium. restarted says why a
// previous one was replaced ("" when none was).
func (s *Service) ensure(ctx context.Context) (*instance, string, error) {
	if s.closed {
		return nil, "", fault.New(fault.Unavailable, "browser is shut down")
	}
	why := ""
	if s.inst != nil {
		if !s.inst.exited() && s.inst.healthy(ctx) {
			return s.inst, "", nil
		}
		why = s.inst.exitReason()
		s.inst.close()
		s.inst = nil
	}
	inst, err := launch(ctx, s.cfg)
	if err != nil {
		return nil, why, fault.Wrap(fault.Unavailable, err, "Browser initialization failed: "+err.Error())
	}
	s.inst = inst
	return inst, why, nil
}

// Do runs one action and returns its observation.
func (s *Service) Do(ctx context.Context, req Request) (*Observation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = 120 * time.Second
	}
	actionStr := req.Actions
	askedURL := req.URL
	if req.Kind == Browse {
		if !strings.HasPrefix(askedURL, "http") {
			// the reference prepends the server's cwd (os.path.abspath(os.curdir))
			wd, _ := os.Getwd()
			askedURL = wd + askedURL
		}
		actionStr = `goto("` + askedURL + `")`
	}
	// errObs is the reference's observation when the browser itself failed (its except
	// branch): no page data, and for browse_interactive the axtree of an empty object fails.
	errObs := func(msg string) *Observation {
		empty := ""
		o := &Observation{Error: true, LastBrowserActionError: msg, ActivePageIndex: -1,
			GoalImageURLs: []string{}, OpenPagesURLs: []string{}, FocusedElementBID: &empty,
			AXTreeObject: map[string]any{}, ExtraElementProperties: map[string]any{}}
		if req.Kind == Browse {
			o.URL = askedURL
			o.Content = agentObsText(req.Kind, o, msg)
		} else {
			o.Content = agentObsText(req.Kind, o, "") // replaced below
			i := strings.Index(o.Content, "Accessibility tree of the COMPLETE webpage:")
			o.Content = o.Content[:i] + "\n[Error encountered when processing the accessibility tree: 'nodes']"
		}
		return o
	}

	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	inst, why, err := s.ensure(sctx)
	if err != nil {
		return nil, err
	}
	if why == "" {
		why = s.replaced
	}
	s.replaced = ""
	obs, err := inst.step(sctx, s, req, actionStr)
	if err != nil {
		// The step could not finish: answer as the reference does when its browser process
		// does not respond.
		reason := err.Error()
		cut := errors.Is(err, context.DeadlineExceeded) || sctx.Err() != nil
		if cut {
			reason = "Browser environment took too long to respond."
		}
		gone := ""
		if !cut && inst.died() {
			// killed or crashed under the action: say so, here and in the next action's note
			gone = inst.exitReason()
			reason = "Chromium's " + gone + " during the action."
		}
		if ctx.Err() != nil && inst.settleAbandoned() {
			// The caller left (or the server is stopping), not the browser, and the tab answers
			// once it stops loading (a navigation still waiting for its response): keep the
			// browser and the agent's tabs.
			s.cfg.Logf("browser: step abandoned by its caller (%v); Chromium kept", ctx.Err())
		} else {
			// Chromium hung (a page spinning in JavaScript) or died mid-action: replace it so
			// the next action finds a working browser, and have that action say so.
			s.cfg.Logf("browser: step failed (%v); restarting Chromium", err)
			inst.close()
			s.inst = nil
			s.replaced = "stopped responding and was replaced"
			if gone != "" {
				s.replaced = gone
			} else if !cut {
				s.replaced = "failed (" + err.Error() + ") and was replaced"
			}
		}
		o := errObs(reason)
		if why != "" {
			o.Content = restartNote(why) + o.Content
		}
		return o, nil
	}
	if why != "" {
		obs.Content = restartNote(why) + obs.Content
	}
	return obs, nil
}

// settleAbandoned stops what an abandoned step left going in the active tab (a navigation
// still waiting for its response holds back every later command to the tab) and reports
// whether the tab answers again.
func (in *instance) settleAbandoned() bool {
	p := in.cur()
	if p == nil || in.exited() {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := p.call(ctx, "Page.stopLoading", nil, nil); err != nil {
		return false
	}
	var one int
	return p.eval(ctx, "1", &one) == nil && one == 1
}

func restartNote(why string) string {
	return fmt.Sprintf("[Browser restarted: the previous Chromium %s.]\n", why)
}

// screenshotDir is where screenshots are saved, as the reference does.
func (s *Service) screenshotDir() string {
	return filepath.Join(s.cfg.WorkingDir, ".browser_screenshots")
}
