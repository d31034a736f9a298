// Remove the bids that mark.js pushed into ARIA attributes, in every reachable frame; a
// function of a token naming this pass, which gohands runs in every frame's main world.
((pass) => {
  function pop(el, attr) {
    if (!el.hasAttribute(attr)) return;
    const v = el.getAttribute(attr).replace(/^browsergym_id[^\s]*\s/, "");
    if (v) el.setAttribute(attr, v); else el.removeAttribute(attr);
  }
  function unmark(doc) {
    const win = doc.defaultView;
    if (win) {
      if (win.browsergym_gohands_unmark === pass) return;
      win.browsergym_gohands_unmark = pass;
    }
    let els = Array.from(doc.querySelectorAll("*"));
    for (let i = 0; i < els.length; i++) {
      const el = els[i];
      if (el.shadowRoot !== null) {
        els = els.slice(0, i + 1).concat(Array.from(el.shadowRoot.querySelectorAll("*")), els.slice(i + 1));
      }
      pop(el, "aria-description");
      pop(el, "aria-roledescription");
      const tag = el.tagName.toLowerCase();
      if (tag === "iframe" || tag === "frame") {
        try { if (el.contentDocument) unmark(el.contentDocument); } catch (e) {}
      }
    }
  }
  unmark(document);
})
