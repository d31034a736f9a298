package browser

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// step runs the action string and extracts the observation. An error return means the
// browser could not answer at all (hung, crashed mid-step); action failures are reported
// in the observation as BrowserGym reports them.
func (in *instance) step(ctx context.Context, s *Service, req Request, actionStr string) (*Observation, error) {
	lastErr := ""
	calls, err := ParseActions(actionStr)
	if err == nil {
		for _, c := range calls {
			if _, ok := actionSigs[c.Name]; !ok {
				err = fmt.Errorf("NameError: Invalid action type '%s'.", c.Name)
				break
			}
		}
	}
	dlStart := in.downloadSeq() // downloads from earlier actions are not this one's
	if err != nil {
		lastErr = err.Error()
	} else {
		for i, c := range calls {
			args, err := bind(c)
			if err == nil {
				p := in.cur()
				before := int64(0)
				if p != nil {
					before = p.navs.Load()
				}
				err = in.run(ctx, c.Name, args)
				// Between the calls of one action string, let a navigation the call started
				// begin; after the last one, waitQuiet below does this.
				if err == nil && p != nil && !p.closed.Load() && i < len(calls)-1 && inputActions[c.Name] {
					p.settle(ctx, before)
				}
			}
			if err != nil {
				var ae *actionError
				if errors.As(err, &ae) {
					lastErr = ae.msg
				} else if ctx.Err() != nil {
					return nil, ctx.Err()
				} else if errors.Is(err, errPageCrashed) || isDetached(err) {
					lastErr = "Error: Target crashed"
				} else {
					lastErr = "Error: " + err.Error()
				}
				break
			}
		}
	}
	if in.exited() || (lastErr != "" && in.died()) {
		return nil, errBrowserGone
	}
	in.syncPages(ctx)
	p := in.cur()
	if p == nil {
		return nil, errors.New("no page left")
	}
	if p.crashed.Load() {
		// The tab's renderer died (out of memory, killed): replace the tab so the browser
		// stays usable, and report it.
		if lastErr == "" {
			lastErr = "Error: Target crashed"
		}
		p.closed.Store(true)
		in.syncPages(ctx)
		p = in.cur()
		if p == nil {
			return nil, errors.New("no page left")
		}
	}

	// downloads this action started
	if d, tooBig := in.finishDownloads(ctx, s, req, actionStr, dlStart); d != nil {
		return d, nil
	} else if tooBig != "" {
		lastErr = tooBig
	}

	for _, q := range in.pages {
		q.waitLoaded(ctx, 3*time.Second)
	}
	p.waitQuiet(ctx, quietWindow, 500*time.Millisecond)
	ex, err := in.extract(ctx, p, req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	obs := &Observation{
		URL:                    ex.url,
		Error:                  lastErr != "",
		LastBrowserAction:      actionStr,
		LastBrowserActionError: lastErr,
		GoalImageURLs:          []string{},
		OpenPagesURLs:          ex.openURLs,
		ActivePageIndex:        in.active,
		FocusedElementBID:      ex.focused,
		AXTreeObject:           map[string]any{},
		ExtraElementProperties: map[string]any{},
	}
	if ex.screenshot != nil {
		obs.Screenshot = "data:image/png;base64," + base64.StdEncoding.EncodeToString(ex.screenshot)
		som := make(chan string, 1)
		go func() { som <- setOfMarks(ex.screenshot, ex.props) }()
		defer func() { obs.SetOfMarks = <-som }()
		if path, err := s.saveScreenshot(ex.screenshot); err == nil {
			obs.ScreenshotPath = &path
		} else {
			s.cfg.Logf("browser: save screenshot: %v", err)
		}
	}
	text := ex.markdown
	obs.Content = agentObsText(req.Kind, obs, text)
	if req.ReturnAXTree {
		obs.AXTreeObject = ex.axtreeObject()
		obs.ExtraElementProperties = ex.props.toJSON()
	}
	return obs, nil
}

// quietWindow is how long the page must stay without requests and DOM changes before the
// observation is taken (a navigation a click started begins well within it).
const quietWindow = 25 * time.Millisecond

// inputActions may start a navigation the page schedules (a link, a form submission).
var inputActions = map[string]bool{"click": true, "dblclick": true, "press": true, "fill": true, "select_option": true,
	"upload_file": true, "drag_and_drop": true, "hover": true, "focus": true, "clear": true, "keyboard_press": true,
	"keyboard_type": true, "keyboard_up": true, "keyboard_down": true, "keyboard_insert_text": true,
	"mouse_click": true, "mouse_dblclick": true, "mouse_up": true, "mouse_down": true, "mouse_move": true,
	"mouse_drag_and_drop": true, "mouse_upload_file": true}

// finishDownloads waits for the downloads the action started and, for browse_interactive,
// turns a finished one into the reference's download observation. A download larger than
// the bound was cancelled: its error text is returned instead.
func (in *instance) finishDownloads(ctx context.Context, s *Service, req Request, actionStr string, since int) (*Observation, string) {
	ds := in.downloadsSince(since)
	if len(ds) == 0 {
		return nil, ""
	}
	d := ds[0]
	select {
	case <-d.done:
	case <-ctx.Done():
		return nil, ""
	}
	in.forgetDownloads(ds)
	if d.tooLarge {
		_ = os.Remove(filepath.Join(in.dlDir, d.guid))
		return nil, fmt.Sprintf("Error: the download of %s is larger than the upload size limit (%d bytes) and was cancelled", d.url, in.maxDownload)
	}
	if req.Kind != BrowseInteractive || d.state != "completed" {
		return nil, ""
	}
	src := filepath.Join(in.dlDir, d.guid)
	if _, err := os.Stat(src); err != nil {
		return nil, ""
	}
	s.downloads++
	head := make([]byte, 512)
	if f, err := os.Open(src); err == nil {
		n, _ := f.Read(head)
		head = head[:n]
		f.Close()
	}
	tgt := filepath.Join(s.cfg.WorkingDir, fmt.Sprintf("file_%d%s", s.downloads, magicExt(head)))
	if err := moveFile(src, tgt); err != nil {
		s.cfg.Logf("browser: move download: %v", err)
		return nil, ""
	}
	if s.cfg.User.Switch {
		_ = os.Chown(tgt, s.cfg.User.UID, s.cfg.User.GID)
	}
	return &Observation{Download: &Download{
		Content:  fmt.Sprintf("Execution of the previous action %s resulted in a file download. The downloaded file is saved at location: %s", actionStr, tgt),
		FilePath: tgt,
	}}, ""
}

func moveFile(src, dst string) error {
	if err := os.Rename(src, dst); err == nil {
		return nil
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		return err
	}
	return os.Remove(src)
}

// magicExt guesses an extension from content, as puremagic does for the reference (the
// common types; unknown content gets none).
func magicExt(h []byte) string {
	switch {
	case bytes.HasPrefix(h, []byte("%PDF")):
		return ".pdf"
	case bytes.HasPrefix(h, []byte("\x89PNG\r\n\x1a\n")):
		return ".png"
	case bytes.HasPrefix(h, []byte("\xff\xd8\xff")):
		return ".jpg"
	case bytes.HasPrefix(h, []byte("GIF87a")), bytes.HasPrefix(h, []byte("GIF89a")):
		return ".gif"
	case bytes.HasPrefix(h, []byte("PK\x03\x04")):
		return ".zip"
	case bytes.HasPrefix(h, []byte("\x1f\x8b")):
		return ".gz"
	case len(h) > 12 && bytes.Equal(h[:4], []byte("RIFF")) && bytes.Equal(h[8:12], []byte("WEBP")):
		return ".webp"
	case bytes.HasPrefix(h, []byte("BM")) && len(h) > 14:
		return ".bmp"
	}
	return ""
}

// saveScreenshot writes the PNG as the reference does, owned by the sandbox user.
func (s *Service) saveScreenshot(png []byte) (string, error) {
	dir := s.screenshotDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if s.cfg.User.Switch {
		_ = os.Chown(dir, s.cfg.User.UID, s.cfg.User.GID)
	}
	now := time.Now()
	name := fmt.Sprintf("screenshot_%s_%06d.png", now.Format("20060102_150405"), now.Nanosecond()/1000)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return "", err
	}
	if s.cfg.User.Switch {
		_ = os.Chown(path, s.cfg.User.UID, s.cfg.User.GID)
	}
	return path, nil
}

// agentObsText is the reference's get_agent_obs_text, word for word. For browse the page
// text is the markdown; for browse_interactive it is the accessibility tree text.
func agentObsText(kind Kind, o *Observation, pageText string) string {
	var b strings.Builder
	if kind == BrowseInteractive {
		fmt.Fprintf(&b, "[Current URL: %s]\n", o.URL)
		fb := "None"
		if o.FocusedElementBID != nil {
			fb = *o.FocusedElementBID
		}
		fmt.Fprintf(&b, "[Focused element bid: %s]\n", fb)
		if o.ScreenshotPath != nil && *o.ScreenshotPath != "" {
			fmt.Fprintf(&b, "[Screenshot saved to: %s]\n", *o.ScreenshotPath)
		}
		b.WriteString("\n")
		if o.Error {
			b.WriteString("================ BEGIN error message ===============\n" +
				"The following error occurred when executing the last action:\n" +
				o.LastBrowserActionError + "\n" +
				"================ END error message ===============\n")
		} else {
			b.WriteString("[Action executed successfully.]\n")
		}
		b.WriteString("Accessibility tree of the COMPLETE webpage:\nNote: [bid] is the unique alpha-numeric identifier at the beginning of lines for each element in the AXTree. Always use bid to refer to elements in your actions.\n" +
			"============== BEGIN accessibility tree ==============\n" +
			pageText + "\n" +
			"============== END accessibility tree ==============\n")
		return b.String()
	}
	fmt.Fprintf(&b, "[Current URL: %s]\n", o.URL)
	if o.Error {
		b.WriteString("================ BEGIN error message ===============\n" +
			"The following error occurred when trying to visit the URL:\n" +
			o.LastBrowserActionError + "\n" +
			"================ END error message ===============\n")
	}
	b.WriteString("============== BEGIN webpage content ==============\n")
	b.WriteString(pageText)
	b.WriteString("\n============== END webpage content ==============\n")
	return b.String()
}
