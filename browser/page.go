package browser

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/network"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp/jsonv2"
	"github.com/chromedp/cdproto/inspector"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

//go:embed js/mark.js
var markJS string

//go:embed js/unmark.js
var unmarkJS string

// page is one tab.
type page struct {
	ctx       context.Context
	cancel    context.CancelFunc
	targetID  string
	navs      atomic.Int64 // main-frame navigations requested or started (for post-action waits)
	crashed   atomic.Bool
	dead      context.Context // cancelled when the tab's renderer crashes: calls in flight end
	kill      context.CancelFunc
	chooser   chan int64 // backendNodeId of an intercepted file chooser
	netMu     sync.Mutex
	inflight  map[string]bool // network requests not finished yet
	lastNet   time.Time       // when a request last started or finished
	mainID    atomic.Value
	ctxMu     sync.Mutex
	frameCtx  map[string]frameContext // frameId → its main world's execution context
	unmarking sync.WaitGroup          // the last observation's unmarking, in flight
	closed    atomic.Bool
}

// call sends a command to the page's target and decodes its result into out.
func (p *page) call(ctx context.Context, method string, params any, out any) error {
	c := chromedp.FromContext(p.ctx)
	if c == nil || c.Target == nil {
		return errors.New("page is not attached")
	}
	if p.crashed.Load() {
		return errPageCrashed
	}
	// a crashed renderer never answers: end the call when the crash is reported
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if p.dead != nil {
		stop := context.AfterFunc(p.dead, cancel)
		defer stop()
	}
	var raw jsonv2.Value
	if err := c.Target.Call(cctx, method, params, &raw); err != nil {
		if p.crashed.Load() && ctx.Err() == nil {
			return errPageCrashed
		}
		return err
	}
	if out != nil && len(raw) > 0 {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// adoptContext turns a chromedp context whose target is attached into a page.
func (in *instance) adoptContext(ctx context.Context, pctx context.Context, cancel context.CancelFunc) (*page, error) {
	if err := chromedp.Do(pctx); err != nil {
		cancel()
		return nil, err
	}
	c := chromedp.FromContext(pctx)
	p := &page{ctx: pctx, cancel: cancel, targetID: string(c.Target.TargetID), chooser: make(chan int64, 1),
		inflight: map[string]bool{}, frameCtx: map[string]frameContext{}}
	p.dead, p.kill = context.WithCancel(context.Background())
	in.byTarget.Store(p.targetID, p)
	if err := chromedp.Listen(pctx, func(ev any) {
		switch e := ev.(type) {
		case *cdppage.EventFrameRequestedNavigation:
			p.navs.Add(1)
		case *cdppage.EventFrameStartedLoading:
			if m, _ := p.mainID.Load().(string); m == "" || m == string(e.FrameID) {
				p.navs.Add(1)
			}
		case *cdppage.EventJavascriptDialogOpening:
			// Playwright dismisses dialogs nobody handles, except beforeunload, which it
			// accepts (leaving the page); so do we (off the listener).
			accept := e.Type == cdppage.DialogTypeBeforeunload
			go func() {
				_ = p.call(context.Background(), "Page.handleJavaScriptDialog", map[string]any{"accept": accept}, nil)
			}()
		case *cdppage.EventFileChooserOpened:
			select {
			case p.chooser <- int64(e.BackendNodeID):
			default:
			}
		case *network.EventRequestWillBeSent:
			p.netMu.Lock()
			p.inflight[string(e.RequestID)] = true
			p.lastNet = time.Now()
			p.netMu.Unlock()
		case *network.EventLoadingFinished:
			p.netDone(string(e.RequestID))
		case *network.EventLoadingFailed:
			p.netDone(string(e.RequestID))
		case *runtime.EventExecutionContextCreated:
			var aux struct {
				FrameID   string `json:"frameId"`
				IsDefault bool   `json:"isDefault"`
			}
			if e.Context != nil && json.Unmarshal(e.Context.AuxData, &aux) == nil && aux.IsDefault && aux.FrameID != "" {
				p.ctxMu.Lock()
				p.frameCtx[aux.FrameID] = frameContext{id: int64(e.Context.ID), uniqueID: e.Context.UniqueID}
				p.ctxMu.Unlock()
			}
		case *runtime.EventExecutionContextDestroyed:
			p.ctxMu.Lock()
			for f, c := range p.frameCtx {
				if c.uniqueID == e.ExecutionContextUniqueID {
					delete(p.frameCtx, f)
				}
			}
			p.ctxMu.Unlock()
		case *runtime.EventExecutionContextsCleared:
			p.ctxMu.Lock()
			clear(p.frameCtx)
			p.ctxMu.Unlock()
		case *inspector.EventTargetCrashed:
			p.markCrashed()
		}
	}); err != nil {
		cancel()
		return nil, err
	}
	for _, m := range []string{"Page.enable", "Runtime.enable", "Inspector.enable", "Network.enable"} {
		if err := p.call(ctx, m, nil, nil); err != nil {
			cancel()
			return nil, fmt.Errorf("%s: %w", m, err)
		}
	}
	// every tab behaves as the focused one, as Playwright's pages do
	if err := p.call(ctx, "Emulation.setFocusEmulationEnabled", map[string]any{"enabled": true}, nil); err != nil {
		cancel()
		return nil, err
	}
	if err := p.call(ctx, "Emulation.setDeviceMetricsOverride", map[string]any{
		"width": viewportW, "height": viewportH, "deviceScaleFactor": 1, "mobile": false}, nil); err != nil {
		cancel()
		return nil, err
	}
	var ft struct {
		FrameTree struct {
			Frame struct {
				ID string `json:"id"`
			} `json:"frame"`
		} `json:"frameTree"`
	}
	if err := p.call(ctx, "Page.getFrameTree", nil, &ft); err == nil {
		p.mainID.Store(ft.FrameTree.Frame.ID)
	}
	return p, nil
}

// newPage opens a tab (new_tab) and attaches to it.
func (in *instance) newPage(ctx context.Context) (*page, error) {
	var res struct {
		TargetID string `json:"targetId"`
	}
	if err := in.bcall(ctx, "Target.createTarget", map[string]any{"url": "about:blank"}, &res); err != nil {
		return nil, err
	}
	return in.attach(ctx, res.TargetID)
}

func (in *instance) attach(ctx context.Context, id string) (*page, error) {
	pctx, cancel := chromedp.NewContext(in.browser, chromedp.WithTargetID(target.ID(id)))
	return in.adoptContext(ctx, pctx, cancel)
}

// syncPages adopts tabs the page opened itself (window.open, target=_blank) and drops
// closed ones. A tab that appeared during the action becomes the active one, as a popup
// that takes focus does in BrowserGym.
func (in *instance) syncPages(ctx context.Context) {
	var res struct {
		TargetInfos []struct {
			TargetID string `json:"targetId"`
			Type     string `json:"type"`
		} `json:"targetInfos"`
	}
	if err := in.bcall(ctx, "Target.getTargets", nil, &res); err != nil {
		return
	}
	live := map[string]bool{}
	for _, t := range res.TargetInfos {
		if t.Type == "page" {
			live[t.TargetID] = true
		}
	}
	activeID := ""
	if in.active >= 0 && in.active < len(in.pages) {
		activeID = in.pages[in.active].targetID
	}
	kept := in.pages[:0]
	known := map[string]bool{}
	for _, p := range in.pages {
		if live[p.targetID] && !p.closed.Load() {
			kept = append(kept, p)
			known[p.targetID] = true
		} else {
			in.dropPage(ctx, p)
		}
	}
	in.pages = kept
	for _, t := range res.TargetInfos {
		if t.Type != "page" || known[t.TargetID] || in.gone[t.TargetID] {
			continue
		}
		if p, err := in.attach(ctx, t.TargetID); err == nil {
			in.pages = append(in.pages, p)
			activeID = p.targetID
		}
	}
	if len(in.pages) == 0 {
		if p, err := in.newPage(ctx); err == nil {
			in.pages = append(in.pages, p)
		} else {
			in.logf("browser: open a tab: %v", err)
		}
	}
	in.active = len(in.pages) - 1
	for i, p := range in.pages {
		if p.targetID == activeID {
			in.active = i
		}
	}
}

// dropPage forgets a tab and makes sure its target is gone (a crashed tab stays listed
// until it is closed).
func (in *instance) dropPage(ctx context.Context, p *page) {
	in.byTarget.Delete(p.targetID)
	in.gone[p.targetID] = true
	p.kill()
	p.cancel()
	_ = in.bcall(ctx, "Target.closeTarget", map[string]any{"targetId": p.targetID}, nil)
}

func (in *instance) cur() *page {
	if in.active < 0 || in.active >= len(in.pages) {
		return nil
	}
	return in.pages[in.active]
}

// frameContext identifies a frame's main-world execution context.
type frameContext struct {
	id       int64
	uniqueID string
}

// frameContextID is the main world of the frame, 0 when none is known.
func (p *page) frameContextID(frameID string) int64 {
	p.ctxMu.Lock()
	defer p.ctxMu.Unlock()
	return p.frameCtx[frameID].id
}

// eval runs a JavaScript expression in the page's main world and decodes its value.
func (p *page) eval(ctx context.Context, expr string, out any) error {
	return p.evalIn(ctx, 0, expr, out)
}

// evalIn runs a JavaScript expression in an execution context (0: the main frame's main
// world) and decodes its value.
func (p *page) evalIn(ctx context.Context, contextID int64, expr string, out any) error {
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception *struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	params := map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true, "userGesture": true}
	if contextID != 0 {
		params["contextId"] = contextID
	}
	if err := p.call(ctx, "Runtime.evaluate", params, &res); err != nil {
		return err
	}
	if res.ExceptionDetails != nil {
		msg := res.ExceptionDetails.Text
		if res.ExceptionDetails.Exception != nil && res.ExceptionDetails.Exception.Description != "" {
			msg = res.ExceptionDetails.Exception.Description
		}
		return errors.New(msg)
	}
	if out != nil && len(res.Result.Value) > 0 {
		return json.Unmarshal(res.Result.Value, out)
	}
	return nil
}

// waitLoaded waits until the page's document has left the "loading" state (BrowserGym
// waits for domcontentloaded, at most 3 s per page).
func (p *page) waitLoaded(ctx context.Context, limit time.Duration) {
	c, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		var st string
		if err := p.eval(c, "document.readyState", &st); err == nil && st != "loading" {
			return
		}
		select {
		case <-c.Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (p *page) markCrashed() {
	p.crashed.Store(true)
	p.kill()
}

func (p *page) netDone(id string) {
	p.netMu.Lock()
	delete(p.inflight, id)
	p.lastNet = time.Now()
	p.netMu.Unlock()
}

// quietJS reports how long ago the document last changed (a MutationObserver installed on
// first use).
const quietJS = `(() => {
  if (window.__gohands_busy) return -1;
  if (!window.__gohands_mo) {
    window.__gohands_last = performance.now();
    window.__gohands_mo = new MutationObserver(() => { window.__gohands_last = performance.now(); });
    window.__gohands_mo.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
    return 0;
  }
  return performance.now() - window.__gohands_last;
})()`

// waitQuiet gives the page's own scripts a moment to finish what the load started (a PDF
// rendered by pdf.js, content fetched after load): it returns once no request has been in
// flight and the DOM has not changed for quiet, or after limit. BrowserGym sleeps a fixed
// 0.5 s after every action instead. A page of ours that says it is busy (the file viewer
// while pdf.js renders) is given up to busyLimit.
func (p *page) waitQuiet(ctx context.Context, quiet, limit time.Duration) {
	const busyLimit = 10 * time.Second
	start := time.Now()
	navs := p.navs.Load()
	for {
		if n := p.navs.Load(); n != navs {
			// the action started a navigation: wait for the new document, then for quiet
			navs = n
			p.waitLoaded(ctx, 10*time.Second)
		}
		p.netMu.Lock()
		n, last := len(p.inflight), p.lastNet
		p.netMu.Unlock()
		var ms float64
		if err := p.eval(ctx, quietJS, &ms); err != nil {
			return
		}
		if n == 0 && time.Since(last) >= quiet && time.Since(start) >= quiet && ms >= float64(quiet.Milliseconds()) {
			return
		}
		if el := time.Since(start); el >= busyLimit || (ms >= 0 && el >= limit) {
			return
		}
		if sleepCtx(ctx, 5*time.Millisecond) != nil {
			return
		}
	}
}

// settle lets a navigation the action triggered (a click on a link, a form submission)
// begin and reach domcontentloaded, as Playwright's actions wait for navigations they start.
func (p *page) settle(ctx context.Context, before int64) {
	// A scheduled navigation is requested within a task or two of the input event.
	deadline := time.Now().Add(quietWindow)
	for time.Now().Before(deadline) && p.navs.Load() == before {
		select {
		case <-ctx.Done():
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
	if p.navs.Load() != before {
		p.waitLoaded(ctx, 10*time.Second)
	}
}

// downloadState follows one download through its events.
type downloadState struct {
	guid     string
	seq      int
	url      string
	name     string
	state    string
	received float64
	total    float64
	tooLarge bool
	done     chan struct{}
}

func (in *instance) listenDownloads() {
	_ = chromedp.ListenBrowser(in.browser, func(ev any) {
		switch e := ev.(type) {
		case *target.EventTargetCrashed:
			if v, ok := in.byTarget.Load(string(e.TargetID)); ok {
				v.(*page).markCrashed()
			}
		case *browser.EventDownloadWillBegin:
			in.dlMu.Lock()
			in.dlSeq++
			in.dlEvents[e.GUID] = &downloadState{guid: e.GUID, seq: in.dlSeq, url: e.URL, name: e.SuggestedFilename,
				state: "inProgress", done: make(chan struct{})}
			in.dlMu.Unlock()
		case *browser.EventDownloadProgress:
			in.dlMu.Lock()
			d := in.dlEvents[e.GUID]
			if d != nil && d.state == "inProgress" {
				d.received, d.total = e.ReceivedBytes, e.TotalBytes
				st := string(e.State)
				if st == "completed" || st == "canceled" {
					d.state = st
					close(d.done)
				} else if in.maxDownload > 0 && (e.ReceivedBytes > float64(in.maxDownload) || e.TotalBytes > float64(in.maxDownload)) && !d.tooLarge {
					d.tooLarge = true
					guid := e.GUID
					go func() {
						_ = in.bcall(context.Background(), "Browser.cancelDownload", map[string]any{"guid": guid}, nil)
					}()
				}
			}
			in.dlMu.Unlock()
		}
	})
}

func (in *instance) downloadSeq() int {
	in.dlMu.Lock()
	defer in.dlMu.Unlock()
	return in.dlSeq
}

// downloadsSince returns the downloads that began after sequence number since, oldest first.
func (in *instance) downloadsSince(since int) []*downloadState {
	in.dlMu.Lock()
	defer in.dlMu.Unlock()
	var out []*downloadState
	for _, d := range in.dlEvents {
		if d.seq > since {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// forgetDownloads drops finished downloads from the table (unfinished ones stay followed).
func (in *instance) forgetDownloads(ds []*downloadState) {
	in.dlMu.Lock()
	defer in.dlMu.Unlock()
	for _, d := range ds {
		if d.state != "inProgress" {
			delete(in.dlEvents, d.guid)
		}
	}
}

var errPageCrashed = errors.New("Target crashed")

func isDetached(err error) bool {
	return err != nil && (errors.Is(err, chromedp.ErrTargetDetached) || strings.Contains(err.Error(), "detached"))
}
