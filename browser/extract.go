package browser

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// elemProps is one entry of extra_element_properties.
type elemProps struct {
	Visibility float64
	BBox       []float64 // nil when not rendered
	Clickable  bool
	SetOfMarks bool
}

type extraProps map[string]*elemProps

func (ep extraProps) toJSON() map[string]any {
	out := make(map[string]any, len(ep))
	for k, v := range ep {
		var bbox any
		if v.BBox != nil {
			bbox = v.BBox
		}
		out[k] = map[string]any{"visibility": v.Visibility, "bbox": bbox, "clickable": v.Clickable, "set_of_marks": v.SetOfMarks}
	}
	return out
}

// extraction is what one observation reads from the page.
type extraction struct {
	url        string
	openURLs   []string
	focused    *string
	screenshot []byte
	props      extraProps
	axNodes    []axNode
	markdown   string
}

func (ex *extraction) axtreeObject() map[string]any {
	return map[string]any{"nodes": ex.axNodes}
}

const focusedJS = `(() => {
  function active(root) {
    const a = root.activeElement;
    if (!a) return null;
    if (a.shadowRoot) return active(a.shadowRoot);
    return a;
  }
  let doc = document, bid = "";
  while (doc) {
    const el = active(doc);
    if (!el) break;
    bid = el.getAttribute("bid");
    let next = null;
    if (el.tagName === "IFRAME" || el.tagName === "FRAME") {
      try { next = el.contentDocument; } catch (e) {}
      // a frame of another origin: the caller goes on in its own world
      if (!next) return {bid, frame: true};
    }
    doc = next;
  }
  return {bid, frame: false};
})()`

// focusedBid is the bid of the focused element, through frames (BrowserGym's
// extract_focused_element_bid).
func (in *instance) focusedBid(ctx context.Context, p *page) (*string, error) {
	var r struct {
		Bid   *string `json:"bid"`
		Frame bool    `json:"frame"`
	}
	if err := p.eval(ctx, focusedJS, &r); err != nil {
		return nil, err
	}
	for depth := 0; r.Frame && r.Bid != nil && depth < 32; depth++ {
		el, err := in.resolve(ctx, p, *r.Bid)
		if err != nil {
			break
		}
		var dn struct {
			Node struct {
				FrameID string `json:"frameId"`
			} `json:"node"`
		}
		err = p.call(ctx, "DOM.describeNode", map[string]any{"objectId": el.objectID}, &dn)
		el.release(ctx)
		cid := p.frameContextID(dn.Node.FrameID)
		if err != nil || cid == 0 {
			break
		}
		last := r.Bid
		r.Bid, r.Frame = nil, false
		if err := p.evalIn(ctx, cid, focusedJS, &r); err != nil || r.Bid == nil {
			r.Bid = last
			break
		}
	}
	return r.Bid, nil
}

// extract marks the page, reads the DOM snapshot, the accessibility trees of its frames,
// the focused element and a screenshot, then unmarks it (BrowserGym's _get_obs).
func (in *instance) extract(ctx context.Context, p *page, req Request) (*extraction, error) {
	ex := &extraction{}
	var pass string
	var err error
	for try := 0; try < 3; try++ {
		if _, pass, err = p.mark(ctx); err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		p.waitLoaded(ctx, time.Duration(try+1)*time.Second)
	}
	if err != nil {
		return nil, fmt.Errorf("mark elements: %w", err)
	}
	// The unmarking need not be waited for here: the next marking waits for it (it spans
	// several commands, one per frame, which must not interleave with the next marking's).
	defer func() {
		p.unmarking.Add(1)
		go func() {
			defer p.unmarking.Done()
			c, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			p.unmark(c, pass)
		}()
	}()

	// the screenshot is taken by the browser process while the renderer answers the rest
	type shotResult struct {
		png []byte
	}
	shotc := make(chan shotResult, 1)
	go func() {
		var shot struct {
			Data string `json:"data"`
		}
		var r shotResult
		if err := p.call(ctx, "Page.captureScreenshot", map[string]any{"format": "png", "optimizeForSpeed": true}, &shot); err == nil {
			r.png, _ = base64.StdEncoding.DecodeString(shot.Data)
		}
		shotc <- r
	}()
	// Received exactly once: on the way out of an error too, so that the capture never
	// outlives the extraction (a failed capture yields nil, which is no sign of "not yet").
	shotTaken := false
	takeShot := func() {
		if !shotTaken {
			shotTaken = true
			ex.screenshot = (<-shotc).png
		}
	}
	defer takeShot()

	var snap domSnapshot
	if err := p.call(ctx, "DOMSnapshot.captureSnapshot", map[string]any{
		"computedStyles": []string{}, "includeDOMRects": true, "includePaintOrder": true}, &snap); err != nil {
		return nil, fmt.Errorf("dom snapshot: %w", err)
	}
	snap.popBIDs()
	ex.props = snap.extraProperties()

	// frame tree → one AX tree per frame, merged at the iframe nodes
	var ft struct {
		FrameTree frameTree `json:"frameTree"`
	}
	if err := p.call(ctx, "Page.getFrameTree", nil, &ft); err != nil {
		return nil, err
	}
	ex.url = ft.FrameTree.Frame.URL
	if req.Kind == BrowseInteractive || req.ReturnAXTree {
		// read only when shown: browse_interactive's text, or axtree_object when asked for
		ex.axNodes = p.axTree(ctx, ft.FrameTree)
	}

	if focused, err := in.focusedBid(ctx, p); err == nil {
		ex.focused = focused
	} else {
		empty := ""
		ex.focused = &empty
	}

	takeShot()

	if req.Kind == BrowseInteractive {
		ex.markdown = flattenAXTree(ex.axNodes, ex.props, false)
	} else {
		ex.markdown = htmlToMarkdown(snap.events())
	}
	ex.openURLs = in.openURLs(ctx, ex.url)
	return ex, nil
}

// axTree reads the accessibility tree of every frame and merges them at the iframe nodes.
func (p *page) axTree(ctx context.Context, root frameTree) []axNode {
	var ids []string
	stack := []frameTree{root}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		stack = append(stack, f.ChildFrames...)
		ids = append(ids, f.Frame.ID)
	}
	perFrame := map[string][]axNode{}
	for _, id := range ids {
		var raw json.RawMessage
		if err := p.call(ctx, "Accessibility.getFullAXTree", map[string]any{"frameId": id}, &raw); err != nil {
			continue
		}
		nodes, err := decodeAXNodes(raw)
		if err != nil {
			continue
		}
		tagBIDs(nodes)
		perFrame[id] = nodes
	}
	var merged []axNode
	for _, id := range ids {
		nodes := perFrame[id]
		merged = append(merged, nodes...)
		for _, n := range nodes {
			if r, _ := strField(n, "role"); r != "Iframe" {
				continue
			}
			var dn struct {
				Node struct {
					FrameID string `json:"frameId"`
				} `json:"node"`
			}
			bn, _ := n["backendDOMNodeId"].(json.Number)
			bnID, _ := bn.Int64()
			if err := p.call(ctx, "DOM.describeNode", map[string]any{"backendNodeId": bnID}, &dn); err != nil || dn.Node.FrameID == "" {
				continue
			}
			if sub := perFrame[dn.Node.FrameID]; len(sub) > 0 {
				kids, _ := n["childIds"].([]any)
				n["childIds"] = append(kids, sub[0]["nodeId"])
			}
		}
	}
	return merged
}

type frameTree struct {
	Frame struct {
		ID  string `json:"id"`
		URL string `json:"url"`
	} `json:"frame"`
	ChildFrames []frameTree `json:"childFrames"`
}

// openURLs lists every tab's URL, in tab order.
func (in *instance) openURLs(ctx context.Context, activeURL string) []string {
	var res struct {
		TargetInfos []struct {
			TargetID string `json:"targetId"`
			URL      string `json:"url"`
		} `json:"targetInfos"`
	}
	_ = in.bcall(ctx, "Target.getTargets", nil, &res)
	byID := map[string]string{}
	for _, t := range res.TargetInfos {
		byID[t.TargetID] = t.URL
	}
	out := make([]string, 0, len(in.pages))
	for i, p := range in.pages {
		if i == in.active {
			out = append(out, activeURL)
			continue
		}
		out = append(out, byID[p.targetID])
	}
	return out
}

// domSnapshot is the part of DOMSnapshot.captureSnapshot gohands reads.
type domSnapshot struct {
	Documents []struct {
		Nodes struct {
			ParentIndex          []int   `json:"parentIndex"`
			NodeType             []int   `json:"nodeType"`
			NodeName             []int   `json:"nodeName"`
			NodeValue            []int   `json:"nodeValue"`
			Attributes           [][]int `json:"attributes"`
			ContentDocumentIndex struct {
				Index []int `json:"index"`
				Value []int `json:"value"`
			} `json:"contentDocumentIndex"`
			IsClickable struct {
				Index []int `json:"index"`
			} `json:"isClickable"`
		} `json:"nodes"`
		Layout struct {
			NodeIndex   []int       `json:"nodeIndex"`
			Bounds      [][]float64 `json:"bounds"`
			ClientRects [][]float64 `json:"clientRects"`
		} `json:"layout"`
		ScrollOffsetX float64 `json:"scrollOffsetX"`
		ScrollOffsetY float64 `json:"scrollOffsetY"`
	} `json:"documents"`
	Strings []string `json:"strings"`
}

func (s *domSnapshot) str(i int) (string, bool) {
	if i < 0 || i >= len(s.Strings) {
		return "", false
	}
	return s.Strings[i], true
}

func (s *domSnapshot) index(v string) int {
	for i, x := range s.Strings {
		if x == v {
			return i
		}
	}
	return -1
}

// popBIDs removes the bid data from aria-roledescription / aria-description values (and
// the attributes that were empty before marking), as BrowserGym's pop_bids_from_attribute.
func (s *domSnapshot) popBIDs() {
	for _, attr := range []string{"aria-roledescription", "aria-description"} {
		id := s.index(attr)
		if id < 0 {
			continue
		}
		done := map[int]bool{}
		for d := range s.Documents {
			attrs := s.Documents[d].Nodes.Attributes
			for n := range attrs {
				a := attrs[n]
				for i := 0; i+1 < len(a); i += 2 {
					if a[i] != id {
						continue
					}
					v := a[i+1]
					val, _ := s.str(v)
					if !done[v] {
						_, rest, _ := extractBGData(val)
						s.Strings[v] = rest
						done[v] = true
						val = rest
					}
					if val == "" {
						attrs[n] = append(a[:i:i], a[i+2:]...)
					}
					break
				}
			}
		}
	}
}

// extraProperties is BrowserGym's extract_dom_extra_properties.
func (s *domSnapshot) extraProperties() extraProps {
	bidID, visID, somID := s.index("bid"), s.index("browsergym_visibility_ratio"), s.index("browsergym_set_of_marks")
	type docProp struct {
		parentDoc, parentNode int
		absX, absY            float64
	}
	props := map[int]*docProp{0: {parentDoc: -1}}
	out := extraProps{}
	if len(s.Documents) == 0 {
		return out
	}
	stack := []int{0}
	for len(stack) > 0 {
		d := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if d < 0 || d >= len(s.Documents) {
			continue
		}
		doc := &s.Documents[d]
		cdi := doc.Nodes.ContentDocumentIndex
		for i := range cdi.Index {
			if i < len(cdi.Value) {
				props[cdi.Value[i]] = &docProp{parentDoc: d, parentNode: cdi.Index[i]}
				stack = append(stack, cdi.Value[i])
			}
		}
		dp := props[d]
		px, py := 0.0, 0.0
		if dp.parentDoc >= 0 {
			pdoc := &s.Documents[dp.parentDoc]
			for li, ni := range pdoc.Layout.NodeIndex {
				if ni == dp.parentNode && li < len(pdoc.Layout.Bounds) && len(pdoc.Layout.Bounds[li]) >= 2 {
					px = props[dp.parentDoc].absX + pdoc.Layout.Bounds[li][0]
					py = props[dp.parentDoc].absY + pdoc.Layout.Bounds[li][1]
					break
				}
			}
		}
		dp.absX, dp.absY = px-doc.ScrollOffsetX, py-doc.ScrollOffsetY
		nodes := make([]elemProps, len(doc.Nodes.ParentIndex))
		bids := make([]string, len(nodes))
		for _, ni := range doc.Nodes.IsClickable.Index {
			if ni >= 0 && ni < len(nodes) {
				nodes[ni].Clickable = true
			}
		}
		for ni, a := range doc.Nodes.Attributes {
			if ni >= len(nodes) {
				break
			}
			for i := 0; i+1 < len(a); i += 2 {
				v, _ := s.str(a[i+1])
				switch a[i] {
				case bidID:
					bids[ni] = v
				case visID:
					nodes[ni].Visibility, _ = strconv.ParseFloat(v, 64)
				case somID:
					nodes[ni].SetOfMarks = v == "1"
				}
			}
		}
		for li, ni := range doc.Layout.NodeIndex {
			if ni < 0 || ni >= len(nodes) || li >= len(doc.Layout.Bounds) {
				continue
			}
			if li >= len(doc.Layout.ClientRects) || len(doc.Layout.ClientRects[li]) == 0 {
				nodes[ni].BBox = nil
				continue
			}
			b := append([]float64(nil), doc.Layout.Bounds[li]...)
			if len(b) >= 2 {
				b[0] += dp.absX
				b[1] += dp.absY
			}
			nodes[ni].BBox = b
		}
		for ni := range nodes {
			if bids[ni] != "" {
				np := nodes[ni]
				out[bids[ni]] = &np
			}
		}
	}
	return out
}
