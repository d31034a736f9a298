// gohands' element marking, after BrowserGym 0.13.3 (tags_to_mark="all"): every element of
// every reachable frame gets a `bid` attribute (numbers, iframes letters, nested frames
// prefixed by their frame's bid), its live value/checked written to the DOM, a visibility
// ratio, a set-of-marks flag, and its bid pushed into aria-roledescription and
// aria-description so that the accessibility tree carries it. Returns a list of warnings.
// A function of the bid of the frame's owner element ("" for the top frame) and a token
// naming this marking pass: gohands runs it in every frame's own main world (so that
// cross-origin frames are marked too), and a frame already marked in this pass through
// its same-origin parent is left alone.
(async (rootBid, pass) => {
  const BID = "bid";
  const warnings = [];

  function pushBid(bid, el, attr) {
    const orig = el.hasAttribute(attr) ? el.getAttribute(attr) : "";
    el.setAttribute(attr, "browsergym_id_" + bid + " " + orig);
  }

  function nextFrameId(win) {
    // a, b, ..., z, aA, aB, ...: the first letter lower case, the rest upper case
    const chars = "abcdefghijklmnopqrstuvwxyz";
    const st = win.browsergym_frame_id_state;
    const r = [];
    for (let i = 0; i < st.length; i++) {
      let c = chars[st[i]];
      if (i < st.length - 1) c = c.toUpperCase();
      r.unshift(c);
    }
    for (let i = 0; i < st.length; i++) {
      if (++st[i] < chars.length) return r.join("");
      st[i] = 0;
    }
    st.push(0);
    return r.join("");
  }

  function elementAt(doc, x, y) {
    let root = doc, last = null, el = null;
    do {
      last = el;
      el = root.elementFromPoint(x, y);
      root = el && el.shadowRoot;
    } while (root && el !== last);
    return el;
  }

  function whoGetsCenterClick(doc, el) {
    const r = el.getBoundingClientRect();
    const at = elementAt(doc, (r.left + r.right) / 2, (r.top + r.bottom) / 2);
    if (!at) return "nobody";
    if (at === el) return "self";
    if (el.contains(at)) return "child";
    return "non-descendant";
  }

  const somTags = new Set(["input", "textarea", "select", "button", "a", "iframe", "video", "li", "td", "option"]);

  async function markFrame(win, parentBid) {
    const doc = win.document;
    if (win.browsergym_gohands_pass === pass) return;
    win.browsergym_gohands_pass = pass;
    let firstVisit = false;
    if (!("browsergym_elem_counter" in win)) {
      win.browsergym_elem_counter = 0;
      win.browsergym_frame_id_state = [0];
      firstVisit = true;
    }
    const pending = new Set();
    const io = new win.IntersectionObserver(entries => {
      for (const e of entries) {
        e.target.setAttribute("browsergym_visibility_ratio", Math.round(e.intersectionRatio * 100) / 100);
        pending.delete(e.target);
      }
    }, { threshold: [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0] });
    const seen = new Set();
    let els = Array.from(doc.querySelectorAll("*"));
    const somButtons = [];
    const frames = [];
    for (let i = 0; i < els.length; i++) {
      const el = els[i];
      if (el.shadowRoot !== null) {
        els = els.slice(0, i + 1).concat(Array.from(el.shadowRoot.querySelectorAll("*")), els.slice(i + 1));
      }
      el.setAttribute("browsergym_visibility_ratio", 0);
      pending.add(el);
      io.observe(el);
      if (typeof el.value !== "undefined") el.setAttribute("value", el.value);
      if (typeof el.checked !== "undefined") {
        if (el.checked === true) el.setAttribute("checked", "");
        else el.removeAttribute("checked");
      }
      let bid = null;
      if (el.hasAttribute(BID)) {
        if (firstVisit) throw new Error("Attribute " + BID + " already used in element " + el.outerHTML);
        bid = el.getAttribute(BID);
        if (seen.has(bid)) bid = null;
      }
      const tag = el.tagName.toLowerCase();
      if (bid === null) {
        const local = (tag === "iframe" || tag === "frame") ? nextFrameId(win) : String(win.browsergym_elem_counter++);
        bid = parentBid + local;
        el.setAttribute(BID, bid);
      }
      seen.add(bid);
      pushBid(bid, el, "aria-roledescription");
      pushBid(bid, el, "aria-description");
      if (tag === "iframe" || tag === "frame") frames.push(el);

      el.setAttribute("browsergym_set_of_marks", "0");
      if (["self", "child"].includes(whoGetsCenterClick(doc, el))) {
        if (somTags.has(tag) || el.onclick != null || win.getComputedStyle(el).cursor == "pointer") {
          const r = el.getBoundingClientRect();
          if ((r.right - r.left) * (r.bottom - r.top) >= 20 && somButtons.every(b => !b.contains(el))) {
            let p = el.parentElement;
            if (!(p && p.tagName.toLowerCase() == "span" && p.children.length === 1 && p.getAttribute("role") && p.getAttribute("browsergym_set_of_marks") === "1")) {
              el.setAttribute("browsergym_set_of_marks", "1");
              if (el.matches('button, a, input[type="button"], div[role="button"]')) somButtons.push(el);
              while (p) {
                if (p.getAttribute("browsergym_set_of_marks") === "1") p.setAttribute("browsergym_set_of_marks", "0");
                p = p.parentElement;
              }
            }
          }
        }
      }
    }
    // wait (at most 1 s) until the observer has reported every element
    const start = Date.now();
    while (pending.size > 0 && Date.now() - start < 1000) {
      await new Promise(r => setTimeout(r, 10));
    }
    if (pending.size > 0) warnings.push("Frame marking: not all elements have been visited by the intersection_observer after 1000 ms");
    io.disconnect();
    // child frames: only those this page may script (same origin, scripts allowed)
    for (const f of frames) {
      const sb = f.getAttribute("sandbox");
      if (sb !== null && !sb.split(/\s+/).includes("allow-scripts")) continue;
      let cw = null;
      try { cw = f.contentWindow; void cw.document.documentElement; } catch (e) { cw = null; }
      if (!cw || !cw.document || !cw.document.documentElement) continue;
      await markFrame(cw, f.getAttribute(BID));
    }
  }
  await markFrame(window, rootBid);
  return warnings;
})
