package browser

import (
	"context"
	"encoding/json"
	"strconv"
	"sync/atomic"
)

// markPasses numbers marking passes, so that a frame reached twice in one pass (through its
// same-origin parent and through its own execution context) is marked once.
var markPasses atomic.Int64

// callExpr is the expression calling the function source fn with JSON-encoded arguments.
func callExpr(fn string, args ...any) string {
	b, _ := json.Marshal(args)
	return "(" + fn + "\n)(..." + string(b) + ")"
}

// subFrames lists the page's frames below the main one, parents before their children.
func (p *page) subFrames(ctx context.Context) ([]string, error) {
	var ft struct {
		FrameTree frameTree `json:"frameTree"`
	}
	if err := p.call(ctx, "Page.getFrameTree", nil, &ft); err != nil {
		return nil, err
	}
	var ids []string
	queue := ft.FrameTree.ChildFrames
	for len(queue) > 0 {
		f := queue[0]
		queue = append(queue[1:], f.ChildFrames...)
		ids = append(ids, f.Frame.ID)
	}
	return ids, nil
}

// ownerBid is the bid of the iframe element holding a frame, "" when it has none or when its
// sandbox forbids scripts (mark.js leaves such frames unmarked, as BrowserGym does).
func (p *page) ownerBid(ctx context.Context, frameID string) string {
	var owner struct {
		BackendNodeID int64 `json:"backendNodeId"`
	}
	if err := p.call(ctx, "DOM.getFrameOwner", map[string]any{"frameId": frameID}, &owner); err != nil || owner.BackendNodeID == 0 {
		return ""
	}
	var obj struct {
		Object struct {
			ObjectID string `json:"objectId"`
		} `json:"object"`
	}
	if err := p.call(ctx, "DOM.resolveNode", map[string]any{"backendNodeId": owner.BackendNodeID}, &obj); err != nil || obj.Object.ObjectID == "" {
		return ""
	}
	el := &element{p: p, objectID: obj.Object.ObjectID}
	defer el.release(ctx)
	var bid *string
	if err := el.callOn(ctx, `function() {
  const sb = this.getAttribute("sandbox");
  if (sb !== null && !sb.split(/\s+/).includes("allow-scripts")) return null;
  return this.getAttribute("bid");
}`, &bid); err != nil || bid == nil {
		return ""
	}
	return *bid
}

// mark runs mark.js in the main frame, then in every other frame's own main world: frames
// of another origin cannot be reached from their parent's script. Each frame's elements get
// the bid of the frame's owner element as prefix, as in BrowserGym. It returns mark.js's
// warnings and the pass token for unmark.
func (p *page) mark(ctx context.Context) ([]string, string, error) {
	p.unmarking.Wait()
	pass := strconv.FormatInt(markPasses.Add(1), 10)
	var warnings []string
	if err := p.eval(ctx, callExpr(markJS, "", pass), &warnings); err != nil {
		return nil, "", err
	}
	frames, err := p.subFrames(ctx)
	if err != nil {
		return warnings, pass, nil
	}
	for _, id := range frames {
		cid := p.frameContextID(id)
		if cid == 0 {
			continue
		}
		bid := p.ownerBid(ctx, id)
		if bid == "" {
			continue
		}
		var w []string
		// a frame that is navigating or gone is skipped, as it would be from its parent
		if err := p.evalIn(ctx, cid, callExpr(markJS, bid, pass), &w); err == nil {
			warnings = append(warnings, w...)
		}
	}
	return warnings, pass, nil
}

// unmark removes the ARIA marks of pass from every frame.
func (p *page) unmark(ctx context.Context, pass string) {
	_ = p.eval(ctx, callExpr(unmarkJS, pass), nil)
	frames, err := p.subFrames(ctx)
	if err != nil {
		return
	}
	for _, id := range frames {
		if cid := p.frameContextID(id); cid != 0 {
			_ = p.evalIn(ctx, cid, callExpr(unmarkJS, pass), nil)
		}
	}
}
