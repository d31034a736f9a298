package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gohands/gohands/internal/pycompat"
	"github.com/gohands/gohands/sandbox"
)

// param is one parameter of a BrowserGym action function.
type param struct {
	name string
	def  Value
	opt  bool
}

func req(n string) param            { return param{name: n} }
func opt(n string, d Value) param   { return param{name: n, def: d, opt: true} }
func coords(extra ...param) []param { return append([]param{req("x"), req("y")}, extra...) }

// actionSigs are BrowserGym 0.13.3's action functions and their Python signatures. The
// reference's action set is chat+infeas+bid+nav+tab (and noop); the coordinate actions are
// BrowserGym's too and accepted as well (docs/compatibility.md).
var actionSigs = map[string][]param{
	"send_msg_to_user":     {req("text")},
	"report_infeasible":    {req("reason")},
	"noop":                 {opt("wait_ms", int64(1000))},
	"fill":                 {req("bid"), req("value")},
	"select_option":        {req("bid"), req("options")},
	"click":                {req("bid"), opt("button", "left"), opt("modifiers", []Value{})},
	"dblclick":             {req("bid"), opt("button", "left"), opt("modifiers", []Value{})},
	"hover":                {req("bid")},
	"press":                {req("bid"), req("key_comb")},
	"focus":                {req("bid")},
	"clear":                {req("bid")},
	"drag_and_drop":        {req("from_bid"), req("to_bid")},
	"scroll":               {req("delta_x"), req("delta_y")},
	"mouse_move":           coords(),
	"mouse_up":             coords(opt("button", "left")),
	"mouse_down":           coords(opt("button", "left")),
	"mouse_click":          coords(opt("button", "left")),
	"mouse_dblclick":       coords(opt("button", "left")),
	"mouse_drag_and_drop":  {req("from_x"), req("from_y"), req("to_x"), req("to_y")},
	"mouse_upload_file":    coords(req("file")),
	"keyboard_press":       {req("key")},
	"keyboard_up":          {req("key")},
	"keyboard_down":        {req("key")},
	"keyboard_type":        {req("text")},
	"keyboard_insert_text": {req("text")},
	"goto":                 {req("url")},
	"go_back":              {},
	"go_forward":           {},
	"new_tab":              {},
	"tab_close":            {},
	"tab_focus":            {req("index")},
	"upload_file":          {req("bid"), req("file")},
}

// bind matches a call's arguments to the function's parameters the way Python does, with
// Python's TypeError texts.
func bind(c Call) (map[string]Value, error) {
	ps := actionSigs[c.Name]
	out := map[string]Value{}
	npos := 0
	seenKw := map[string]bool{}
	for _, a := range c.Args {
		if a.Name == "" {
			npos++
			continue
		}
		if seenKw[a.Name] {
			return nil, aerr("SyntaxError: keyword argument repeated: %s", a.Name)
		}
		seenKw[a.Name] = true
	}
	if npos > len(ps) {
		nreq := 0
		for _, p := range ps {
			if !p.opt {
				nreq++
			}
		}
		was := "were"
		if npos == 1 {
			was = "was"
		}
		takes := fmt.Sprintf("%d positional argument", len(ps))
		if nreq != len(ps) {
			takes = fmt.Sprintf("from %d to %d positional argument", nreq, len(ps))
		}
		if len(ps) != 1 || nreq != len(ps) {
			takes += "s"
		}
		return nil, aerr("TypeError: %s() takes %s but %d %s given", c.Name, takes, npos, was)
	}
	i := 0
	for _, a := range c.Args {
		if a.Name == "" {
			out[ps[i].name] = a.Value
			i++
			continue
		}
		found := false
		for _, p := range ps {
			if p.name == a.Name {
				found = true
			}
		}
		if !found {
			return nil, aerr("TypeError: %s() got an unexpected keyword argument '%s'", c.Name, a.Name)
		}
		if _, dup := out[a.Name]; dup {
			return nil, aerr("TypeError: %s() got multiple values for argument '%s'", c.Name, a.Name)
		}
		out[a.Name] = a.Value
	}
	var missing []string
	for _, p := range ps {
		if _, ok := out[p.name]; !ok {
			if p.opt {
				out[p.name] = p.def
			} else {
				missing = append(missing, "'"+p.name+"'")
			}
		}
	}
	if len(missing) > 0 {
		list := missing[0]
		if len(missing) == 2 {
			list = missing[0] + " and " + missing[1]
		} else if len(missing) > 2 {
			list = strings.Join(missing[:len(missing)-1], ", ") + ", and " + missing[len(missing)-1]
		}
		s := "argument"
		if len(missing) > 1 {
			s = "arguments"
		}
		return nil, aerr("TypeError: %s() missing %d required positional %s: %s", c.Name, len(missing), s, list)
	}
	return out, nil
}

// actionError is an error raised while running an action: its text is BrowserGym's
// f"{type(e).__name__}: {e}".
type actionError struct{ msg string }

func (e *actionError) Error() string { return e.msg }

func aerr(format string, a ...any) error { return &actionError{msg: fmt.Sprintf(format, a...)} }

func asString(v Value) (string, bool) { s, ok := v.(string); return s, ok }

func asFloat(name string, v Value) (float64, error) {
	switch x := v.(type) {
	case int64:
		return float64(x), nil
	case float64:
		return x, nil
	}
	return 0, aerr("ValidationError: %s: expected float, got %s", name, jsTypeName(v))
}

func bidArg(v Value) (string, error) {
	s, ok := asString(v)
	if !ok {
		return "", aerr("ValueError: expected a string, got %s", pyRepr(v))
	}
	return s, nil
}

// run executes one bound action on the instance.
func (in *instance) run(ctx context.Context, name string, a map[string]Value) error {
	p := in.cur()
	if p == nil {
		return aerr("RuntimeError: no open page")
	}
	switch name {
	case "send_msg_to_user", "report_infeasible":
		k := "text"
		if name == "report_infeasible" {
			k = "reason"
		}
		if _, ok := asString(a[k]); !ok {
			return aerr("ValueError: Forbidden value: %s is not a string", pyStrOrRepr(a[k]))
		}
		return nil
	case "noop":
		ms, err := asFloat("wait_timeout", a["wait_ms"])
		if err != nil {
			return err
		}
		// a page that crashes meanwhile ends the wait
		end := time.Now().Add(time.Duration(ms * float64(time.Millisecond)))
		for time.Now().Before(end) {
			if p.crashed.Load() {
				return errPageCrashed
			}
			if in.exited() {
				return errBrowserGone
			}
			if err := sleepCtx(ctx, min(time.Until(end), 50*time.Millisecond)); err != nil {
				return err
			}
		}
		return nil
	case "goto":
		u, ok := asString(a["url"])
		if !ok {
			return aerr("ValidationError: url: expected string, got %s", jsTypeName(a["url"]))
		}
		return in.gotoURL(ctx, p, u)
	case "go_back", "go_forward":
		return in.history(ctx, p, name == "go_back")
	case "new_tab":
		np, err := in.newPage(ctx)
		if err != nil {
			return err
		}
		in.pages = append(in.pages, np)
		in.active = len(in.pages) - 1
		return nil
	case "tab_close":
		p.closed.Store(true)
		p.cancel()
		in.pages = append(in.pages[:in.active], in.pages[in.active+1:]...)
		if len(in.pages) == 0 {
			np, err := in.newPage(ctx)
			if err != nil {
				return err
			}
			in.pages = []*page{np}
		}
		in.active = len(in.pages) - 1
		return in.activate(ctx)
	case "tab_focus":
		idx, ok := a["index"].(int64)
		if !ok {
			return aerr("TypeError: list indices must be integers or slices, not %s", pyTypeName(a["index"]))
		}
		n := int64(len(in.pages))
		if idx < -n || idx >= n {
			return aerr("IndexError: list index out of range")
		}
		if idx < 0 {
			idx += n
		}
		in.active = int(idx)
		return in.activate(ctx)
	case "scroll":
		dx, err := asFloat("delta_x", a["delta_x"])
		if err != nil {
			return err
		}
		dy, err := asFloat("delta_y", a["delta_y"])
		if err != nil {
			return err
		}
		return in.wheel(ctx, p, dx, dy)
	case "mouse_move", "mouse_up", "mouse_down", "mouse_click", "mouse_dblclick", "mouse_upload_file":
		x, err := asFloat("x", a["x"])
		if err != nil {
			return err
		}
		y, err := asFloat("y", a["y"])
		if err != nil {
			return err
		}
		btn := "left"
		if b, ok := a["button"]; ok {
			s, ok := asString(b)
			if !ok || (s != "left" && s != "right" && s != "middle") {
				return aerr(`ValidationError: button: expected one of (left|right|middle)`)
			}
			btn = s
		}
		switch name {
		case "mouse_move":
			return in.mouseMove(ctx, p, x, y)
		case "mouse_up":
			if err := in.mouseMove(ctx, p, x, y); err != nil {
				return err
			}
			return in.mouseButton(ctx, p, "mouseReleased", btn, 1, 0)
		case "mouse_down":
			if err := in.mouseMove(ctx, p, x, y); err != nil {
				return err
			}
			return in.mouseButton(ctx, p, "mousePressed", btn, 1, 0)
		case "mouse_click":
			return in.clickAt(ctx, p, x, y, btn, 0, 1)
		case "mouse_dblclick":
			return in.clickAt(ctx, p, x, y, btn, 0, 2)
		case "mouse_upload_file":
			return in.uploadVia(ctx, p, a["file"], func() error { return in.clickAt(ctx, p, x, y, "left", 0, 1) })
		}
	case "mouse_drag_and_drop":
		var v [4]float64
		for i, k := range []string{"from_x", "from_y", "to_x", "to_y"} {
			f, err := asFloat(k, a[k])
			if err != nil {
				return err
			}
			v[i] = f
		}
		if err := in.mouseMove(ctx, p, v[0], v[1]); err != nil {
			return err
		}
		if err := in.mouseButton(ctx, p, "mousePressed", "left", 1, 0); err != nil {
			return err
		}
		if err := in.mouseMove(ctx, p, v[2], v[3]); err != nil {
			return err
		}
		return in.mouseButton(ctx, p, "mouseReleased", "left", 1, 0)
	case "keyboard_press", "keyboard_up", "keyboard_down":
		k, ok := asString(a["key"])
		if !ok {
			return aerr("ValidationError: key: expected string, got %s", jsTypeName(a["key"]))
		}
		switch name {
		case "keyboard_press":
			return pressCombo(ctx, p, k, "Keyboard.press")
		case "keyboard_down":
			return keyEvent(ctx, p, k, "keyDown", 0, "Keyboard.down")
		default:
			return keyEvent(ctx, p, k, "keyUp", 0, "Keyboard.up")
		}
	case "keyboard_type":
		t, ok := asString(a["text"])
		if !ok {
			return aerr("ValidationError: text: expected string, got %s", jsTypeName(a["text"]))
		}
		return typeText(ctx, p, t)
	case "keyboard_insert_text":
		t, ok := asString(a["text"])
		if !ok {
			return aerr("ValidationError: text: expected string, got %s", jsTypeName(a["text"]))
		}
		return p.call(ctx, "Input.insertText", map[string]any{"text": t}, nil)
	}
	// element actions
	bidKey := "bid"
	if name == "drag_and_drop" {
		bidKey = "from_bid"
	}
	bid, err := bidArg(a[bidKey])
	if err != nil {
		return err
	}
	el, err := in.resolve(ctx, p, bid)
	if err != nil {
		return err
	}
	defer el.release(ctx)
	switch name {
	case "click", "dblclick":
		// BrowserGym 0.13.3's dblclick calls elem.click: one click, as the reference does.
		btn, ok := asString(a["button"])
		if !ok || (btn != "left" && btn != "right" && btn != "middle") {
			return aerr(`ValidationError: button: expected one of (left|right|middle)`)
		}
		mods, err := modifierMask(a["modifiers"])
		if err != nil {
			return err
		}
		pt, err := el.actionPoint(ctx, "Locator.click", true)
		if err != nil {
			return err
		}
		return in.clickAt(ctx, p, pt.X, pt.Y, btn, mods, 1)
	case "hover":
		pt, err := el.actionPoint(ctx, "Locator.hover", false)
		if err != nil {
			return err
		}
		return in.mouseMove(ctx, p, pt.X, pt.Y)
	case "fill", "clear":
		v := ""
		if name == "fill" {
			s, ok := asString(a["value"])
			if !ok {
				return aerr("ValidationError: value: expected string, got %s", jsTypeName(a["value"]))
			}
			v = s
		}
		api := "Locator.fill"
		if name == "clear" {
			api = "Locator.clear"
		}
		return el.fill(ctx, v, api)
	case "select_option":
		var opts []string
		switch x := a["options"].(type) {
		case string:
			opts = []string{x}
		case []Value:
			for _, o := range x {
				s, ok := asString(o)
				if !ok {
					return aerr("ValidationError: options[0]: expected string, got %s", jsTypeName(o))
				}
				opts = append(opts, s)
			}
		default:
			return aerr("ValidationError: options: expected string or list, got %s", jsTypeName(a["options"]))
		}
		return el.selectOption(ctx, opts)
	case "press":
		k, ok := asString(a["key_comb"])
		if !ok {
			return aerr("ValidationError: key: expected string, got %s", jsTypeName(a["key_comb"]))
		}
		if err := el.focus(ctx); err != nil {
			return err
		}
		return pressCombo(ctx, p, k, "Locator.press")
	case "focus":
		return el.focus(ctx)
	case "drag_and_drop":
		pt, err := el.actionPoint(ctx, "Locator.hover", false)
		if err != nil {
			return err
		}
		if err := in.mouseMove(ctx, p, pt.X, pt.Y); err != nil {
			return err
		}
		if err := in.mouseButton(ctx, p, "mousePressed", "left", 1, 0); err != nil {
			return err
		}
		to, err := bidArg(a["to_bid"])
		if err != nil {
			return err
		}
		el2, err := in.resolve(ctx, p, to)
		if err != nil {
			return err
		}
		defer el2.release(ctx)
		pt2, err := el2.actionPoint(ctx, "Locator.hover", false)
		if err != nil {
			return err
		}
		if err := in.mouseMove(ctx, p, pt2.X, pt2.Y); err != nil {
			return err
		}
		return in.mouseButton(ctx, p, "mouseReleased", "left", 1, 0)
	case "upload_file":
		return in.uploadVia(ctx, p, a["file"], func() error {
			if ok, _ := el.isFileInput(ctx); ok {
				// Playwright's click on <input type=file> opens the chooser; setting the files on
				// the input directly is what the chooser does.
				return errDirectInput
			}
			pt, err := el.actionPoint(ctx, "Locator.click", true)
			if err != nil {
				return err
			}
			return in.clickAt(ctx, p, pt.X, pt.Y, "left", 0, 1)
		}, el)
	}
	return aerr("NameError: Invalid action type '%s'.", name)
}

var errDirectInput = errors.New("direct input")

// uploadVia opens the file chooser with click and sets the files, as Playwright's
// expect_file_chooser + set_files does.
func (in *instance) uploadVia(ctx context.Context, p *page, files Value, click func() error, direct ...*element) error {
	var list []string
	switch x := files.(type) {
	case string:
		list = []string{x}
	case []Value:
		for _, f := range x {
			s, ok := asString(f)
			if !ok {
				return aerr("TypeError: expected str, bytes or os.PathLike object, not %s", pyTypeName(f))
			}
			list = append(list, s)
		}
	default:
		return aerr("TypeError: expected str, bytes or os.PathLike object, not %s", pyTypeName(files))
	}
	for i, f := range list {
		abs, err := filepath.Abs(f)
		if err != nil {
			return aerr("FileNotFoundError: [Errno 2] No such file or directory: %s", pycompat.StrRepr(f))
		}
		st, err := os.Stat(abs)
		if err != nil || st.IsDir() {
			return aerr("FileNotFoundError: [Errno 2] No such file or directory: %s", pycompat.StrRepr(f))
		}
		if in.user.Switch && !sandbox.CanRead(abs, in.user) {
			// Chromium, as the sandbox user, could not read it: the page would get an unreadable
			// file and the action no error
			return aerr("PermissionError: [Errno 13] Permission denied: %s", pycompat.StrRepr(f))
		}
		list[i] = abs
	}
	if err := p.call(ctx, "Page.setInterceptFileChooserDialog", map[string]any{"enabled": true}, nil); err != nil {
		return err
	}
	defer func() {
		_ = p.call(context.Background(), "Page.setInterceptFileChooserDialog", map[string]any{"enabled": false}, nil)
	}()
	for len(p.chooser) > 0 {
		<-p.chooser
	}
	err := click()
	if errors.Is(err, errDirectInput) && len(direct) > 0 {
		return direct[0].setFiles(ctx, list)
	}
	if err != nil {
		return err
	}
	limit := 100 * time.Second
	if dl, ok := ctx.Deadline(); ok && time.Until(dl)-2*time.Second < limit {
		limit = max(time.Until(dl)-2*time.Second, 0)
	}
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case node := <-p.chooser:
		return p.call(ctx, "DOM.setFileInputFiles", map[string]any{"files": list, "backendNodeId": node}, nil)
	case <-t.C:
		return aerr("TimeoutError: Page.expect_file_chooser: Timeout %dms exceeded while waiting for event \"filechooser\"\n"+
			"=========================== logs ===========================\nwaiting for event \"filechooser\"\n"+
			"============================================================", limit.Milliseconds())
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (in *instance) activate(ctx context.Context) error {
	p := in.cur()
	if p == nil {
		return nil
	}
	return in.bcall(ctx, "Target.activateTarget", map[string]any{"targetId": p.targetID}, nil)
}

// gotoURL is Playwright's page.goto(url): navigate and wait for the load event.
func (in *instance) gotoURL(ctx context.Context, p *page, u string) error {
	callLog := fmt.Sprintf("\nCall log:\n  - navigating to \"%s\", waiting until \"load\"\n", u)
	before := in.downloadSeq()
	var res struct {
		LoaderID  string `json:"loaderId"`
		ErrorText string `json:"errorText"`
	}
	if err := p.call(ctx, "Page.navigate", map[string]any{"url": u}, &res); err != nil {
		if ctx.Err() != nil {
			return err
		}
		msg := err.Error()
		if strings.Contains(msg, "invalid URL") || strings.Contains(msg, "Cannot navigate") {
			return aerr("Error: Page.goto: Protocol error (Page.navigate): Cannot navigate to invalid URL%s", callLog)
		}
		return err
	}
	if res.ErrorText != "" {
		if res.ErrorText == "net::ERR_ABORTED" && in.downloadSeq() > before || in.waitDownloadStart(ctx, before) {
			return aerr("Error: Page.goto: Download is starting%s", callLog)
		}
		return aerr("Error: Page.goto: %s at %s%s", res.ErrorText, u, callLog)
	}
	if res.LoaderID == "" { // same-document navigation
		return nil
	}
	return p.waitLoad(ctx, "Page.goto", callLog)
}

// waitLoad waits for document.readyState == "complete" (the load event), bounded by
// Playwright's default navigation timeout in BrowserGym (100 s) and the action's context.
func (p *page) waitLoad(ctx context.Context, api, callLog string) error {
	const limit = 100 * time.Second
	c, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		var st string
		err := p.eval(c, "document.readyState", &st)
		if err == nil && st == "complete" {
			return nil
		}
		if p.crashed.Load() {
			return errPageCrashed
		}
		select {
		case <-c.Done():
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return aerr("TimeoutError: %s: Timeout %dms exceeded.%s", api, limit.Milliseconds(), callLog)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func (in *instance) history(ctx context.Context, p *page, back bool) error {
	var h struct {
		CurrentIndex int `json:"currentIndex"`
		Entries      []struct {
			ID int `json:"id"`
		} `json:"entries"`
	}
	if err := p.call(ctx, "Page.getNavigationHistory", nil, &h); err != nil {
		return err
	}
	i := h.CurrentIndex + 1
	api := "Page.go_forward"
	if back {
		i = h.CurrentIndex - 1
		api = "Page.go_back"
	}
	if i < 0 || i >= len(h.Entries) {
		return nil // Playwright returns None when there is no such entry
	}
	if err := p.call(ctx, "Page.navigateToHistoryEntry", map[string]any{"entryId": h.Entries[i].ID}, nil); err != nil {
		return err
	}
	p.settle(ctx, p.navs.Load()-1)
	return p.waitLoad(ctx, api, "\nCall log:\n  - waiting for navigation until \"load\"\n")
}

// waitDownloadStart gives an aborted navigation a moment to announce itself as a download.
func (in *instance) waitDownloadStart(ctx context.Context, before int) bool {
	deadline := time.Now().Add(500 * time.Millisecond)
	for time.Now().Before(deadline) {
		if in.downloadSeq() > before {
			return true
		}
		if sleepCtx(ctx, 10*time.Millisecond) != nil {
			return false
		}
	}
	return false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// jsTypeName is the type Playwright's protocol validator names for a value.
func jsTypeName(v Value) string {
	switch v.(type) {
	case string:
		return "string"
	case int64, float64:
		return "number"
	case bool:
		return "boolean"
	}
	return "object"
}

func pyTypeName(v Value) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []Value:
		return "list"
	case *pycompat.Dict:
		return "dict"
	}
	return "object"
}

// pyStrOrRepr is Python's str() of a value (f"{v}").
func pyStrOrRepr(v Value) string {
	if s, ok := v.(string); ok {
		return s
	}
	return pyRepr(v)
}

// --- mouse ---------------------------------------------------------------------------

var buttonMask = map[string]int{"left": 1, "right": 2, "middle": 4}

func (in *instance) mouseMove(ctx context.Context, p *page, x, y float64) error {
	in.mouseX, in.mouseY = x, y
	return p.call(ctx, "Input.dispatchMouseEvent", map[string]any{"type": "mouseMoved", "x": x, "y": y}, nil)
}

func (in *instance) mouseButton(ctx context.Context, p *page, typ, btn string, count, mods int) error {
	return p.call(ctx, "Input.dispatchMouseEvent", map[string]any{"type": typ, "x": in.mouseX, "y": in.mouseY,
		"button": btn, "buttons": buttonMask[btn], "clickCount": count, "modifiers": mods}, nil)
}

func (in *instance) clickAt(ctx context.Context, p *page, x, y float64, btn string, mods, clicks int) error {
	if err := in.mouseMove(ctx, p, x, y); err != nil {
		return err
	}
	for c := 1; c <= clicks; c++ {
		if err := in.mouseButton(ctx, p, "mousePressed", btn, c, mods); err != nil {
			return err
		}
		if err := in.mouseButton(ctx, p, "mouseReleased", btn, c, mods); err != nil {
			return err
		}
	}
	return nil
}

func (in *instance) wheel(ctx context.Context, p *page, dx, dy float64) error {
	if err := p.call(ctx, "Input.dispatchMouseEvent", map[string]any{"type": "mouseWheel", "x": in.mouseX, "y": in.mouseY,
		"deltaX": dx, "deltaY": dy}, nil); err != nil {
		return err
	}
	// let the compositor apply the scroll before the observation is taken
	var ok bool
	_ = p.eval(ctx, "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))", &ok)
	return nil
}

func modifierMask(v Value) (int, error) {
	list, ok := v.([]Value)
	if !ok {
		return 0, aerr("ValidationError: modifiers: expected array, got %s", jsTypeName(v))
	}
	m := 0
	for _, x := range list {
		s, _ := asString(x)
		bit, ok := modifierBits[s]
		if !ok {
			return 0, aerr("ValidationError: modifiers[0]: expected one of (Alt|Control|ControlOrMeta|Meta|Shift)")
		}
		m |= bit
	}
	return m, nil
}

// --- elements --------------------------------------------------------------------------

// element is a resolved bid: a remote object handle in its frame's world.
type element struct {
	p        *page
	objectID string
	bid      string
}

func (e *element) release(ctx context.Context) {
	_ = e.p.call(ctx, "Runtime.releaseObject", map[string]any{"objectId": e.objectID}, nil)
}

// resolveJS finds an element by bid the way BrowserGym's get_elem_by_bid does: the
// leading letters name the chain of frames ("aB12" is element aB12 inside frame aB inside
// frame a), then the element is looked up by its bid attribute, through shadow roots.
// start is where the frame chain begins in the current document (past the bid of the frame
// holding it); a frame whose document this world may not reach (another origin) is returned
// itself, for the caller to go on in that frame's own world.
const resolveJS = `(bid, start) => {
  function find(root, b) {
    const sel = '[bid="' + CSS.escape(b) + '"]';
    const el = root.querySelector(sel);
    if (el) return el;
    for (const h of root.querySelectorAll('*')) {
      if (h.shadowRoot) { const f = find(h.shadowRoot, b); if (f) return f; }
    }
    return null;
  }
  let doc = document, i = start;
  const isNum = s => /^[0-9]+$/.test(s);
  while (bid.slice(i) && !isNum(bid.slice(i))) {
    i++;
    while (bid.slice(i) && /[A-Z]/.test(bid[i])) i++;
    const fb = bid.slice(0, i);
    const fe = find(doc, fb);
    if (!fe) return null;
    let next = null;
    try { next = fe.contentDocument; } catch (e) { next = null; }
    if (!next) return i >= bid.length || fe.tagName === "IFRAME" || fe.tagName === "FRAME" ? fe : null;
    doc = next;
  }
  return find(doc, bid);
}`

func (in *instance) resolve(ctx context.Context, p *page, bid string) (*element, error) {
	notFound := aerr("ValueError: Could not find element with bid %q", bid)
	if bid == "" {
		return nil, notFound
	}
	var contextID int64 // the main frame's main world first
	start := 0
	for hops := 0; hops <= len(bid); hops++ {
		objectID, err := p.resolveIn(ctx, contextID, bid, start)
		if err != nil || objectID == "" {
			return nil, notFoundOr(err, notFound)
		}
		el := &element{p: p, objectID: objectID, bid: bid}
		var got string
		if err := el.callOn(ctx, `function() { return this.getAttribute("bid") || ""; }`, &got); err != nil {
			el.release(ctx)
			return nil, err
		}
		if got == bid {
			return el, nil
		}
		// a frame of another origin: go on in its own main world
		var dn struct {
			Node struct {
				FrameID string `json:"frameId"`
			} `json:"node"`
		}
		err = p.call(ctx, "DOM.describeNode", map[string]any{"objectId": objectID}, &dn)
		el.release(ctx)
		if err != nil {
			return nil, err
		}
		if contextID = p.frameContextID(dn.Node.FrameID); contextID == 0 || len(got) <= start {
			return nil, notFound
		}
		start = len(got)
	}
	return nil, notFound
}

func notFoundOr(err, notFound error) error {
	if err != nil {
		return err
	}
	return notFound
}

// resolveIn runs resolveJS in an execution context (0: the main frame's main world) and
// returns the handle of what it found, "" for nothing.
func (p *page) resolveIn(ctx context.Context, contextID int64, bid string, start int) (string, error) {
	params := map[string]any{"expression": "document"}
	if contextID != 0 {
		params["contextId"] = contextID
	}
	var doc struct {
		Result struct {
			ObjectID string `json:"objectId"`
		} `json:"result"`
	}
	if err := p.call(ctx, "Runtime.evaluate", params, &doc); err != nil {
		return "", err
	}
	defer func() {
		_ = p.call(context.Background(), "Runtime.releaseObject", map[string]any{"objectId": doc.Result.ObjectID}, nil)
	}()
	var res struct {
		Result struct {
			Type     string `json:"type"`
			Subtype  string `json:"subtype"`
			ObjectID string `json:"objectId"`
		} `json:"result"`
	}
	if err := p.call(ctx, "Runtime.callFunctionOn", map[string]any{"functionDeclaration": resolveJS,
		"objectId": doc.Result.ObjectID, "arguments": []any{map[string]any{"value": bid}, map[string]any{"value": start}}}, &res); err != nil {
		return "", err
	}
	if res.Result.Subtype == "null" {
		return "", nil
	}
	return res.Result.ObjectID, nil
}

// callOn runs fn with the element as `this` and decodes its JSON value.
func (e *element) callOn(ctx context.Context, fn string, out any, args ...any) error {
	var cargs []any
	for _, a := range args {
		cargs = append(cargs, map[string]any{"value": a})
	}
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Exception *struct {
				Description string `json:"description"`
			} `json:"exception"`
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	if err := e.p.call(ctx, "Runtime.callFunctionOn", map[string]any{"functionDeclaration": fn,
		"objectId": e.objectID, "arguments": cargs, "returnByValue": true, "awaitPromise": true, "userGesture": true}, &res); err != nil {
		return err
	}
	if res.ExceptionDetails != nil {
		msg := res.ExceptionDetails.Text
		if res.ExceptionDetails.Exception != nil {
			msg = res.ExceptionDetails.Exception.Description
		}
		return errors.New(msg)
	}
	if out != nil && len(res.Result.Value) > 0 {
		return json.Unmarshal(res.Result.Value, out)
	}
	return nil
}

type point struct {
	X, Y float64
}

// probeJS checks Playwright's actionability (attached, visible, enabled, receives events)
// after scrolling the element into view, and returns its centre in top-level viewport
// coordinates (adding the offsets of the frames it sits in).
const probeJS = `function(needEnabled) {
  const el = this;
  if (!el.isConnected) return {state: "element is not attached to the DOM"};
  const st = el.ownerDocument.defaultView.getComputedStyle(el);
  let r = el.getBoundingClientRect();
  if (r.width === 0 || r.height === 0 || st.visibility === "hidden") return {state: "element is not visible"};
  if (needEnabled && (el.disabled === true || el.getAttribute("aria-disabled") === "true")) return {state: "element is not enabled"};
  const vw = el.ownerDocument.defaultView;
  if (r.top < 0 || r.left < 0 || r.bottom > vw.innerHeight || r.right > vw.innerWidth) {
    el.scrollIntoView({block: "center", inline: "center", behavior: "instant"});
    r = el.getBoundingClientRect();
  }
  let x = r.left + r.width / 2, y = r.top + r.height / 2;
  let hit = el.ownerDocument.elementFromPoint(x, y);
  while (hit && hit.shadowRoot) { const h = hit.shadowRoot.elementFromPoint(x, y); if (!h || h === hit) break; hit = h; }
  if (hit && hit !== el && !el.contains(hit) && !(el.tagName === "LABEL" && el.control === hit)) {
    let d = hit.outerHTML || "";
    if (d.length > 100) d = d.slice(0, 100) + "…";
    return {state: d + " intercepts pointer events"};
  }
  let w = vw;
  while (w !== w.parent) {
    // a parent of another origin hides the frame element: the caller asks the browser
    if (!w.frameElement) return {state: "ok", x, y, quads: true};
    const fr = w.frameElement.getBoundingClientRect();
    x += fr.left + w.frameElement.clientLeft;
    y += fr.top + w.frameElement.clientTop;
    w = w.parent;
  }
  return {state: "ok", x, y};
}`

// actionPoint polls the element's actionability for 500 ms, BrowserGym's action timeout.
func (e *element) actionPoint(ctx context.Context, api string, needEnabled bool) (point, error) {
	deadline := time.Now().Add(500 * time.Millisecond)
	last := ""
	for {
		var r struct {
			State string  `json:"state"`
			X     float64 `json:"x"`
			Y     float64 `json:"y"`
			Quads bool    `json:"quads"`
		}
		if err := e.callOn(ctx, probeJS, &r, needEnabled); err != nil {
			return point{}, err
		}
		if r.State == "ok" && r.Quads {
			if c, ok := e.quadCenter(ctx); ok {
				return c, nil
			}
			r.State = "element is not visible"
		}
		if r.State == "ok" && !math.IsNaN(r.X) && !math.IsNaN(r.Y) {
			return point{r.X, r.Y}, nil
		}
		last = r.State
		if time.Now().After(deadline) {
			return point{}, e.timeout(api, last)
		}
		if err := sleepCtx(ctx, 20*time.Millisecond); err != nil {
			return point{}, err
		}
	}
}

// quadCenter is the centre of the element's first content quad, in the top-level
// viewport's coordinates (for elements in frames of another origin).
func (e *element) quadCenter(ctx context.Context) (point, bool) {
	var res struct {
		Quads [][]float64 `json:"quads"`
	}
	if err := e.p.call(ctx, "DOM.getContentQuads", map[string]any{"objectId": e.objectID}, &res); err != nil || len(res.Quads) == 0 || len(res.Quads[0]) != 8 {
		return point{}, false
	}
	q := res.Quads[0]
	return point{(q[0] + q[2] + q[4] + q[6]) / 4, (q[1] + q[3] + q[5] + q[7]) / 4}, true
}

func (e *element) timeout(api, why string) error {
	return aerr("TimeoutError: %s: Timeout 500ms exceeded.\nCall log:\n  - waiting for get_by_test_id(\"%s\")\n  - %s\n", api, e.bid, why)
}

func (e *element) focus(ctx context.Context) error {
	return e.callOn(ctx, `function() { this.focus(); }`, nil)
}

func (e *element) isFileInput(ctx context.Context) (bool, error) {
	var ok bool
	err := e.callOn(ctx, `function() { return this.tagName === "INPUT" && this.type === "file"; }`, &ok)
	return ok, err
}

func (e *element) setFiles(ctx context.Context, files []string) error {
	return e.p.call(ctx, "DOM.setFileInputFiles", map[string]any{"files": files, "objectId": e.objectID}, nil)
}

// fillJS prepares Playwright's fill: it refuses what cannot be filled, sets the value of
// inputs whose value is not typed (date, color, range...), and otherwise focuses the element
// and selects its content so that the text typed next replaces it.
const fillJS = `function(value) {
  const el = this;
  const r0 = el.getBoundingClientRect();
  if (!el.isConnected || r0.width === 0 || r0.height === 0 || getComputedStyle(el).visibility === "hidden") return {state: "wait", msg: "element is not visible"};
  const kinds = ["color", "date", "time", "datetime-local", "month", "range", "week"];
  const typed = ["", "email", "number", "password", "search", "tel", "text", "url"];
  if (el.tagName === "INPUT") {
    const t = (el.type || "").toLowerCase();
    if (kinds.includes(t)) {
      el.focus(); el.value = value;
      if (el.value !== value) return {state: "error", msg: "Error: Malformed value"};
      el.dispatchEvent(new Event("input", {bubbles: true}));
      el.dispatchEvent(new Event("change", {bubbles: true}));
      return {state: "done"};
    }
    if (!typed.includes(t)) return {state: "error", msg: 'Error: Input of type "' + t + '" cannot be filled'};
    if (el.readOnly) return {state: "wait", msg: "element is not editable"};
  } else if (el.tagName === "TEXTAREA") {
    if (el.readOnly) return {state: "wait", msg: "element is not editable"};
  } else if (!el.isContentEditable) {
    return {state: "error", msg: "Error: Element is not an <input>, <textarea> or [contenteditable] element"};
  }
  if (el.disabled) return {state: "wait", msg: "element is not enabled"};
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) return {state: "wait", msg: "element is not visible"};
  el.focus();
  if (el.tagName === "INPUT" || el.tagName === "TEXTAREA") {
    el.select();
  } else {
    const range = el.ownerDocument.createRange();
    range.selectNodeContents(el);
    const sel = el.ownerDocument.defaultView.getSelection();
    sel.removeAllRanges(); sel.addRange(range);
  }
  return {state: "ready"};
}`

func (e *element) fill(ctx context.Context, value, api string) error {
	deadline := time.Now().Add(500 * time.Millisecond)
	for {
		var r struct {
			State string `json:"state"`
			Msg   string `json:"msg"`
		}
		if err := e.callOn(ctx, fillJS, &r, value); err != nil {
			return err
		}
		switch r.State {
		case "done":
			return nil
		case "error":
			return aerr("%s", strings.Replace(r.Msg, "Error: ", "Error: "+api+": ", 1))
		case "ready":
			if value == "" {
				return keyEvent(ctx, e.p, "Delete", "press", 0, api)
			}
			return e.p.call(ctx, "Input.insertText", map[string]any{"text": value}, nil)
		}
		if time.Now().After(deadline) {
			return e.timeout(api, r.Msg)
		}
		if err := sleepCtx(ctx, 20*time.Millisecond); err != nil {
			return err
		}
	}
}

const selectJS = `function(wanted) {
  const el = this;
  if (el.tagName !== "SELECT") return {state: "error", msg: "Error: Locator.select_option: Error: Element is not a <select> element"};
  const opts = Array.from(el.options);
  const picked = [];
  for (const w of wanted) {
    const o = opts.find(o => o.value === w || o.label === w);
    if (!o) return {state: "wait", msg: "did not find some options"};
    picked.push(o);
  }
  if (picked.length > 1 && !el.multiple) return {state: "error", msg: "Error: Locator.select_option: Error: Element is not a <select> element with multiple"};
  for (const o of opts) o.selected = picked.includes(o);
  el.dispatchEvent(new Event("input", {bubbles: true}));
  el.dispatchEvent(new Event("change", {bubbles: true}));
  return {state: "done"};
}`

func (e *element) selectOption(ctx context.Context, opts []string) error {
	deadline := time.Now().Add(500 * time.Millisecond)
	for {
		var r struct {
			State string `json:"state"`
			Msg   string `json:"msg"`
		}
		if err := e.callOn(ctx, selectJS, &r, opts); err != nil {
			return err
		}
		switch r.State {
		case "done":
			return nil
		case "error":
			return aerr("%s", r.Msg)
		}
		if time.Now().After(deadline) {
			return e.timeout("Locator.select_option", r.Msg)
		}
		if err := sleepCtx(ctx, 20*time.Millisecond); err != nil {
			return err
		}
	}
}
