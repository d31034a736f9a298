package executor

import (
	"context"
	"time"

	"github.com/gohands/gohands/browser"
	"github.com/gohands/gohands/files"
	"github.com/gohands/gohands/internal/fault"
)

// browserDisabled is the reference's answer when the browser is off or could not start.
const browserDisabled = "Browser functionality is not supported or disabled."

type browseArgs struct {
	URL            string `json:"url"`
	BrowserActions string `json:"browser_actions"`
	ReturnAXTree   bool   `json:"return_axtree"`
}

// browserExtras are BrowserOutputObservation's extras, in the reference's field order.
type browserExtras struct {
	URL                    string   `json:"url"`
	TriggerByAction        string   `json:"trigger_by_action"`
	Screenshot             string   `json:"screenshot"`
	ScreenshotPath         *string  `json:"screenshot_path"`
	SetOfMarks             string   `json:"set_of_marks"`
	Error                  bool     `json:"error"`
	GoalImageURLs          []string `json:"goal_image_urls"`
	OpenPagesURLs          []string `json:"open_pages_urls"`
	ActivePageIndex        int      `json:"active_page_index"`
	DOMObject              any      `json:"dom_object"`
	AXTreeObject           any      `json:"axtree_object"`
	ExtraElementProperties any      `json:"extra_element_properties"`
	LastBrowserAction      string   `json:"last_browser_action"`
	LastBrowserActionError string   `json:"last_browser_action_error"`
	FocusedElementBID      *string  `json:"focused_element_bid"`
	FilterVisibleOnly      bool     `json:"filter_visible_only"`
}

type downloadExtras struct {
	FilePath string `json:"file_path"`
}

// newBrowser builds the browser service when the browser is enabled (Chromium itself starts
// on the first browse action, or now with BrowserPrewarm).
func (x *Executor) newBrowser(ctx context.Context) error {
	if !x.cfg.EnableBrowser {
		return nil
	}
	max := x.cfg.Files.MaxUploadBytes
	if max == 0 {
		max = files.DefaultMaxUploadBytes
	}
	if max < 0 {
		max = 0
	}
	x.browser = browser.New(browser.Config{
		Chromium:         x.cfg.Chromium,
		User:             x.user,
		WorkingDir:       x.cfg.WorkingDir,
		MaxDownloadBytes: max,
		Logf:             x.cfg.Logf,
	})
	if x.cfg.BrowserPrewarm {
		return x.browser.Start(ctx)
	}
	return nil
}

// browse runs `browse` and `browse_interactive` on the shared browser service.
func (x *Executor) browse(ctx context.Context, a *Action) (*Observation, error) {
	if x.browser == nil {
		return ErrorObs(browserDisabled), nil
	}
	var args browseArgs
	if err := a.DecodeArgs(&args); err != nil {
		return nil, err
	}
	req := browser.Request{Kind: browser.Kind(a.Type), URL: args.URL, Actions: args.BrowserActions,
		ReturnAXTree: args.ReturnAXTree}
	if a.Timeout != nil && *a.Timeout > 0 {
		req.Timeout = time.Duration(*a.Timeout * float64(time.Second))
	}
	obs, err := x.browser.Do(ctx, req)
	if err != nil {
		if fault.Is(err, fault.Unavailable) {
			// the reference answers a failed browser start with this error observation
			return ErrorObs(browserDisabled + " (" + err.Error() + ")"), nil
		}
		return nil, err
	}
	if obs.Download != nil {
		return &Observation{Observation: "download", Content: obs.Download.Content,
			Message: "Downloaded the file at location: " + obs.Download.FilePath,
			Extras:  downloadExtras{FilePath: obs.Download.FilePath}}, nil
	}
	return &Observation{Observation: "browse", Content: obs.Content, Message: "Visited " + obs.URL,
		Extras: browserExtras{
			URL: obs.URL, TriggerByAction: a.Type, Screenshot: obs.Screenshot, ScreenshotPath: obs.ScreenshotPath,
			SetOfMarks: obs.SetOfMarks, Error: obs.Error, GoalImageURLs: obs.GoalImageURLs,
			OpenPagesURLs: obs.OpenPagesURLs, ActivePageIndex: obs.ActivePageIndex, DOMObject: map[string]any{},
			AXTreeObject: obs.AXTreeObject, ExtraElementProperties: obs.ExtraElementProperties,
			LastBrowserAction: obs.LastBrowserAction, LastBrowserActionError: obs.LastBrowserActionError,
			FocusedElementBID: obs.FocusedElementBID, FilterVisibleOnly: false,
		}}, nil
}
