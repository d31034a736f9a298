package browser

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/gohands/gohands/internal/pycompat"
)

// This file reproduces what the reference shows as page text: BrowserGym's
// flatten_dom_to_str, re-parsed and pretty-printed by BeautifulSoup (one token per line,
// text stripped), then html2text 2025.4.15 with the reference's settings (links kept,
// images ignored, no wrapping). The pretty-printed HTML is never built: the snapshot
// is walked and html2text receives the events its HTMLParser would have seen.

// hEvent is one HTMLParser event.
type hEvent struct {
	kind   byte // 's' start tag, 'e' end tag, 'd' data, 'r' entity (data decoded already)
	tag    string
	attrs  map[string]string
	hasA   map[string]bool
	data   string
	entity bool
}

// voidTags are the elements BeautifulSoup prints as <tag/> (HTMLParser then reports a
// start and an end tag).
var voidTags = map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true,
	"img": true, "input": true, "keygen": true, "link": true, "menuitem": true, "meta": true, "param": true,
	"source": true, "track": true, "wbr": true, "basefont": true, "bgsound": true, "command": true,
	"frame": true, "image": true, "isindex": true, "nextid": true, "spacer": true}

// htmlNode is the re-parsed tree.
type htmlNode struct {
	tag      string // "" for text
	text     string
	sep      bool // a text node that re-parsing keeps apart from its neighbours
	attrs    [][2]string
	children []*htmlNode
}

// tree builds the element tree of document d (iframes inlined) from the snapshot.
func (s *domSnapshot) tree(d int, depth int) *htmlNode {
	root := &htmlNode{tag: "#root"}
	if d < 0 || d >= len(s.Documents) || depth > 32 {
		return root
	}
	doc := &s.Documents[d]
	n := len(doc.Nodes.ParentIndex)
	kids := make([][]int, n)
	for i := 0; i < n; i++ {
		if p := doc.Nodes.ParentIndex[i]; p >= 0 && p < n {
			kids[p] = append(kids[p], i)
		}
	}
	sub := map[int]int{}
	for i, ni := range doc.Nodes.ContentDocumentIndex.Index {
		if i < len(doc.Nodes.ContentDocumentIndex.Value) {
			sub[ni] = doc.Nodes.ContentDocumentIndex.Value[i]
		}
	}
	var build func(i int, parent *htmlNode, parentSkipped bool, level int)
	build = func(i int, parent *htmlNode, parentSkipped bool, level int) {
		if level > 512 {
			return
		}
		typ := 0
		if i < len(doc.Nodes.NodeType) {
			typ = doc.Nodes.NodeType[i]
		}
		skip := false
		target := parent
		switch typ {
		case 3, 4:
			if !parentSkipped && i < len(doc.Nodes.NodeValue) {
				if v, ok := s.str(doc.Nodes.NodeValue[i]); ok {
					if typ == 4 {
						v = "<!CDATA[[" + v + "]]>"
					}
					addText(parent, v)
				}
			}
		case 1:
			name, _ := s.str(doc.Nodes.NodeName[i])
			tag := strings.ToLower(strings.TrimSpace(name))
			if strings.HasPrefix(tag, "::") {
				// A pseudo-element (::marker, ::before) is printed as <::marker>, which the
				// re-parse keeps as text (its end tag is dropped); its children follow inline.
				parent.children = append(parent.children, &htmlNode{text: "<" + tag + ">", sep: true})
				for _, k := range kids[i] {
					build(k, parent, false, level+1)
				}
				return
			}
			el := &htmlNode{tag: tag}
			if i < len(doc.Nodes.Attributes) {
				a := doc.Nodes.Attributes[i]
				var bid *[2]string
				for j := 0; j+1 < len(a); j += 2 {
					k, _ := s.str(a[j])
					v, _ := s.str(a[j+1])
					switch k {
					case "bid":
						bid = &[2]string{k, v}
					case "browsergym_visibility_ratio", "browsergym_set_of_marks":
					default:
						el.attrs = append(el.attrs, [2]string{k, v})
					}
				}
				if bid != nil {
					el.attrs = append([][2]string{*bid}, el.attrs...)
				}
			}
			parent.children = append(parent.children, el)
			target = el
		default:
			skip = true
		}
		if sd, ok := sub[i]; ok {
			inner := s.tree(sd, depth+1)
			target.children = append(target.children, inner.children...)
		}
		for _, k := range kids[i] {
			build(k, target, skip, level+1)
		}
	}
	if n > 0 {
		build(0, root, false, 0)
	}
	return root
}

var rawTagRe = regexp.MustCompile(`</?([a-zA-Z][a-zA-Z0-9-]*)[^<>]*>`)

// h2tTags are the tags html2text acts on; a raw "<tag>" in page text that names one of
// these would change the markdown and is left as text here (a known difference).
var h2tTags = map[string]bool{"a": true, "b": true, "strong": true, "i": true, "em": true, "u": true, "p": true,
	"div": true, "br": true, "hr": true, "pre": true, "code": true, "kbd": true, "tt": true, "ul": true, "ol": true,
	"li": true, "table": true, "tr": true, "td": true, "th": true, "blockquote": true, "head": true, "style": true,
	"script": true, "body": true, "del": true, "strike": true, "s": true, "q": true, "abbr": true, "dl": true,
	"dt": true, "dd": true, "img": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true}

// addText appends page text as the flattened HTML's re-parse would see it: adjacent text
// merges, and text that looks like a tag ("a <tag> b") becomes an (empty) element.
func addText(parent *htmlNode, v string) {
	for {
		m := rawTagRe.FindStringSubmatchIndex(v)
		if m == nil || h2tTags[strings.ToLower(v[m[2]:m[3]])] {
			break
		}
		appendText(parent, v[:m[0]])
		if v[m[0]+1] != '/' {
			parent.children = append(parent.children, &htmlNode{tag: strings.ToLower(v[m[2]:m[3]])})
		}
		v = v[m[1]:]
	}
	appendText(parent, v)
}

func appendText(parent *htmlNode, v string) {
	if v == "" {
		return
	}
	if k := len(parent.children); k > 0 && parent.children[k-1].tag == "" && !parent.children[k-1].sep {
		parent.children[k-1].text += v
		return
	}
	parent.children = append(parent.children, &htmlNode{text: v})
}

// events walks the tree as HTMLParser would read BeautifulSoup's prettify() of it.
func (s *domSnapshot) events() []hEvent {
	root := s.tree(0, 0)
	var ev []hEvent
	// pending is the whitespace/text between two tags, accumulated into one data event.
	var pending strings.Builder
	flush := func() {
		if pending.Len() > 0 {
			ev = append(ev, splitEntities(pending.String())...)
			pending.Reset()
		}
	}
	start := func(n *htmlNode) {
		flush()
		e := hEvent{kind: 's', tag: n.tag, attrs: map[string]string{}, hasA: map[string]bool{}}
		for _, a := range n.attrs {
			k := strings.ToLower(a[0])
			if _, dup := e.attrs[k]; !dup {
				e.attrs[k] = a[1]
				e.hasA[k] = true
			}
		}
		ev = append(ev, e)
	}
	end := func(tag string) {
		flush()
		ev = append(ev, hEvent{kind: 'e', tag: tag})
	}
	var walk func(n *htmlNode, indent int, pre bool)
	walk = func(n *htmlNode, indent int, pre bool) {
		ind := strings.Repeat(" ", indent)
		for _, c := range n.children {
			if c.tag == "" {
				if pre {
					pending.WriteString(c.text)
					continue
				}
				t := pycompat.Strip(c.text)
				if t == "" {
					continue
				}
				pending.WriteString(ind + t + "\n")
				continue
			}
			if !pre {
				pending.WriteString(ind)
			}
			start(c)
			if (c.tag == "iframe" || c.tag == "frame") && len(c.children) > 0 && !pre {
				// The re-parse keeps a frame's flattened document as the frame element's
				// text, so html2text prints it as (pretty-printed) HTML source.
				pending.WriteString("\n")
				serializeHTML(&pending, c.children, indent+1)
				pending.WriteString(ind)
				end(c.tag)
				pending.WriteString("\n")
				continue
			}
			if voidTags[c.tag] {
				end(c.tag)
				if !pre {
					pending.WriteString("\n")
				}
				continue
			}
			isPre := pre || c.tag == "pre" || c.tag == "textarea"
			if !isPre {
				pending.WriteString("\n")
			}
			walk(c, indent+1, isPre)
			if !isPre {
				pending.WriteString(ind)
			}
			end(c.tag)
			if !pre {
				pending.WriteString("\n")
			}
		}
	}
	walk(root, 0, false)
	flush()
	return ev
}

// serializeHTML writes nodes as prettify() prints HTML source held as text: one tag or
// stripped text per line, indented.
func serializeHTML(b *strings.Builder, nodes []*htmlNode, indent int) {
	ind := strings.Repeat(" ", indent)
	for _, n := range nodes {
		if n.tag == "" {
			if t := pycompat.Strip(n.text); t != "" {
				b.WriteString(ind + minimalEscape.Replace(t) + "\n")
			}
			continue
		}
		b.WriteString(ind + "<" + n.tag)
		for _, a := range n.attrs {
			b.WriteString(" " + a[0] + `="` + minimalEscape.Replace(a[1]) + `"`)
		}
		if voidTags[n.tag] {
			b.WriteString("/>\n")
			continue
		}
		b.WriteString(">\n")
		serializeHTML(b, n.children, indent+1)
		b.WriteString(ind + "</" + n.tag + ">\n")
	}
}

// minimalEscape is BeautifulSoup's "minimal" formatter.
var minimalEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// splitEntities splits data where prettify() wrote &amp; &lt; &gt;: HTMLParser (with
// convert_charrefs=False) reports each as an entity between two data events.
func splitEntities(s string) []hEvent {
	var out []hEvent
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '&' || c == '<' || c == '>' {
			if i > last {
				out = append(out, hEvent{kind: 'd', data: s[last:i]})
			}
			out = append(out, hEvent{kind: 'd', data: string(c), entity: true})
			last = i + 1
		}
	}
	if last < len(s) {
		out = append(out, hEvent{kind: 'd', data: s[last:]})
	}
	return out
}

// h2t is html2text.HTML2Text with the reference's settings.
type h2t struct {
	out          []string
	lastWasNL    bool
	quiet        int
	pp           int
	outcount     int
	start        bool
	space        bool
	astack       []map[string]string
	maybeAuto    *string
	emptyLink    bool
	list         []*listEl
	blockquote   int
	pre          bool
	startpre     bool
	preIndent    string
	listCodeInd  string
	code         bool
	quote        bool
	brToggle     string
	lastWasList  bool
	style        int
	inheader     bool
	abbrTitle    *string
	abbrData     *string
	abbrList     [][2]string
	stressed     bool
	precStressed bool
	precData     string
	currentTag   string
	splitNextTD  bool
	tdCount      int
	tableStart   bool
}

type listEl struct {
	name string
	num  int
}

func htmlToMarkdown(ev []hEvent) string {
	h := &h2t{start: true}
	for _, e := range ev {
		switch e.kind {
		case 's':
			h.tag(e.tag, e.attrs, true)
		case 'e':
			h.tag(e.tag, nil, false)
		case 'd':
			h.data(e.data, e.entity)
		}
	}
	h.pbr()
	h.o("", false, "end")
	return strings.ReplaceAll(strings.Join(h.out, ""), "&nbsp_place_holder;", " ")
}

func (h *h2t) outf(s string) {
	h.out = append(h.out, s)
	if s != "" {
		h.lastWasNL = s[len(s)-1] == '\n'
	}
}

func hn(tag string) int {
	if len(tag) == 2 && tag[0] == 'h' && tag[1] > '0' && tag[1] <= '9' {
		return int(tag[1] - '0')
	}
	return 0
}

const pyWhitespace = " \t\n\r\v\f"
const pyPunct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

var reMDChars = regexp.MustCompile(`([\\\[\]\(\)])`)

func escapeMD(s string) string { return reMDChars.ReplaceAllString(s, `\$1`) }

func (h *h2t) tag(tag string, attrs map[string]string, start bool) {
	h.currentTag = tag
	if start && h.maybeAuto != nil && tag != "p" && tag != "div" && tag != "style" && tag != "dl" && tag != "dt" {
		// (tag != "img" or ignore_images): images are ignored, so always
		h.o("[", false, "")
		h.maybeAuto = nil
		h.emptyLink = false
	}
	if n := hn(tag); n > 0 {
		if len(h.astack) > 0 {
			if start {
				h.inheader = true
				if len(h.out) > 0 && h.out[len(h.out)-1] == "[" {
					h.out = h.out[:len(h.out)-1]
					h.space = false
					h.o(strings.Repeat("#", n)+" ", false, "")
					h.o("[", false, "")
				}
			} else {
				h.pp = 0
				h.inheader = false
				return
			}
		} else {
			h.p()
			if start {
				h.inheader = true
				h.o(strings.Repeat("#", n)+" ", false, "")
			} else {
				h.inheader = false
				return
			}
		}
	}
	if tag == "p" || tag == "div" {
		if len(h.astack) > 0 || h.splitNextTD {
		} else {
			h.p()
		}
	}
	if tag == "br" && start {
		if h.blockquote > 0 {
			h.o("  \n> ", false, "")
		} else {
			h.o("  \n", false, "")
		}
	}
	if tag == "hr" && start {
		h.p()
		h.o("* * *", false, "")
		h.p()
	}
	if tag == "head" || tag == "style" || tag == "script" {
		if start {
			h.quiet++
		} else {
			h.quiet--
		}
	}
	if tag == "style" {
		if start {
			h.style++
		} else {
			h.style--
		}
	}
	if tag == "body" {
		h.quiet = 0
	}
	if tag == "blockquote" {
		if start {
			h.p()
			h.o("> ", false, "force")
			h.start = true
			h.blockquote++
		} else {
			h.blockquote--
			h.p()
		}
	}
	if tag == "em" || tag == "i" || tag == "u" {
		em := "_"
		if start && h.precData != "" && !strings.ContainsRune(pyWhitespace, lastRune(h.precData)) && !strings.ContainsRune(pyPunct, lastRune(h.precData)) {
			em = " _"
			h.precData += " "
		}
		h.o(em, false, "")
		if start {
			h.stressed = true
		}
	}
	if tag == "strong" || tag == "b" {
		h.stressMark("**", start)
	}
	if tag == "del" || tag == "strike" || tag == "s" {
		h.stressMark("~~", start)
	}
	if (tag == "kbd" || tag == "code" || tag == "tt") && !h.pre {
		h.o("`", false, "")
		h.code = !h.code
	}
	if tag == "abbr" {
		if start {
			h.abbrTitle = nil
			e := ""
			h.abbrData = &e
			if t, ok := attrs["title"]; ok {
				h.abbrTitle = &t
			}
		} else {
			if h.abbrTitle != nil && h.abbrData != nil {
				h.abbrList = setAbbr(h.abbrList, *h.abbrData, *h.abbrTitle)
				h.abbrTitle = nil
			}
			h.abbrData = nil
		}
	}
	if tag == "q" {
		h.o(`"`, false, "")
		h.quote = !h.quote
	}
	if tag == "a" {
		if start {
			href, ok := attrs["href"]
			if ok && !strings.HasPrefix(href, "#") {
				h.astack = append(h.astack, attrs)
				hv := href
				h.maybeAuto = &hv
				h.emptyLink = true
			} else {
				h.astack = append(h.astack, nil)
			}
		} else if len(h.astack) > 0 {
			a := h.astack[len(h.astack)-1]
			h.astack = h.astack[:len(h.astack)-1]
			if h.maybeAuto != nil && !h.emptyLink {
				h.maybeAuto = nil
			} else if a != nil {
				if h.emptyLink {
					h.o("[", false, "")
					h.emptyLink = false
					h.maybeAuto = nil
				}
				h.pp = 0
				title := escapeMD(a["title"])
				t := ""
				if pycompat.Strip(title) != "" {
					t = ` "` + title + `"`
				}
				h.o("]("+escapeMD(a["href"])+t+")", false, "")
			}
		}
	}
	if tag == "dl" && start {
		h.p()
	}
	if tag == "dt" && !start {
		h.pbr()
	}
	if tag == "dd" && start {
		h.o("    ", false, "")
	}
	if tag == "dd" && !start {
		h.pbr()
	}
	if tag == "ol" || tag == "ul" {
		if len(h.list) == 0 && !h.lastWasList {
			h.p()
		}
		if start {
			numStart := 0
			if s, ok := attrs["start"]; ok {
				if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
					numStart = n - 1
				}
			}
			h.list = append(h.list, &listEl{name: tag, num: numStart})
		} else if len(h.list) > 0 {
			h.list = h.list[:len(h.list)-1]
			if len(h.list) == 0 {
				h.o("\n", false, "")
			}
		}
		h.lastWasList = true
	} else {
		h.lastWasList = false
	}
	if tag == "li" {
		h.listCodeInd = ""
		h.pbr()
		if start {
			li := &listEl{name: "ul"}
			if len(h.list) > 0 {
				li = h.list[len(h.list)-1]
			}
			parent := ""
			for _, l := range h.list {
				if parent == "ol" {
					h.listCodeInd += "   "
				} else {
					h.listCodeInd += "  "
				}
				parent = l.name
			}
			h.o(h.listCodeInd, false, "")
			if li.name == "ul" {
				h.listCodeInd += "  "
				h.o("* ", false, "")
			} else if li.name == "ol" {
				li.num++
				h.listCodeInd += "   "
				h.o(strconv.Itoa(li.num)+". ", false, "")
			}
			h.start = true
		}
	}
	if tag == "table" || tag == "tr" || tag == "td" || tag == "th" {
		if tag == "table" && start {
			h.tableStart = true
		}
		if (tag == "td" || tag == "th") && start {
			if h.splitNextTD {
				h.o("| ", false, "")
			}
			h.splitNextTD = true
		}
		if tag == "tr" && start {
			h.tdCount = 0
		}
		if tag == "tr" && !start {
			h.splitNextTD = false
			h.softBR()
		}
		if tag == "tr" && !start && h.tableStart {
			parts := make([]string, h.tdCount)
			for i := range parts {
				parts[i] = "---"
			}
			h.o(strings.Join(parts, "|"), false, "")
			h.softBR()
			h.tableStart = false
		}
		if (tag == "td" || tag == "th") && start {
			h.tdCount++
		}
	}
	if tag == "pre" {
		if start {
			h.startpre = true
			h.pre = true
			h.preIndent = ""
		} else {
			h.pre = false
		}
		h.p()
	}
}

// stressMark writes the ** or ~~ that opens or closes a strong or struck-through run, spaced
// from text that already ends in the marker's character.
func (h *h2t) stressMark(m string, start bool) {
	if start && h.precData != "" && lastRune(h.precData) == rune(m[0]) {
		m = " " + m
		h.precData += " "
	}
	h.o(m, false, "")
	if start {
		h.stressed = true
	}
}

func setAbbr(list [][2]string, k, v string) [][2]string {
	for i := range list {
		if list[i][0] == k {
			list[i][1] = v
			return list
		}
	}
	return append(list, [2]string{k, v})
}

func lastRune(s string) rune {
	r := []rune(s)
	return r[len(r)-1]
}

func (h *h2t) pbr() {
	if h.pp == 0 {
		h.pp = 1
	}
}

func (h *h2t) p() { h.pp = 2 }

func (h *h2t) softBR() {
	h.pbr()
	h.brToggle = "  "
}

// collapseWS is re.sub(r"\s+", " ", s) with Python's Unicode \s.
func collapseWS(s string) string {
	var b strings.Builder
	inWS := false
	for _, r := range s {
		if pycompat.IsSpace(r) {
			if !inWS {
				b.WriteByte(' ')
			}
			inWS = true
			continue
		}
		inWS = false
		b.WriteRune(r)
	}
	return b.String()
}

// o is html2text's o(): indentation, pending line breaks and spaces, then the data.
func (h *h2t) o(data string, puredata bool, force string) {
	if h.abbrData != nil {
		*h.abbrData += data
	}
	if h.quiet != 0 {
		return
	}
	if puredata && !h.pre {
		data = collapseWS(data)
		if data != "" && data[0] == ' ' {
			h.space = true
			data = data[1:]
		}
	}
	if data == "" && force == "" {
		return
	}
	if h.startpre {
		if !strings.HasPrefix(data, "\n") && !strings.HasPrefix(data, "\r\n") {
			data = "\n" + data
		}
	}
	bq := strings.Repeat(">", h.blockquote)
	if !(force != "" && data != "" && data[0] == '>') && h.blockquote > 0 {
		bq += " "
	}
	if h.pre {
		if len(h.list) > 0 {
			bq += h.listCodeInd
		}
		bq += "    "
		data = strings.ReplaceAll(data, "\n", "\n"+bq)
		h.preIndent = bq
	}
	if h.startpre {
		h.startpre = false
		if len(h.list) > 0 {
			data = strings.TrimLeft(data, "\n"+h.preIndent)
		}
	}
	if h.start {
		h.space = false
		h.pp = 0
		h.start = false
	}
	if force == "end" {
		h.pp = 0
		h.outf("\n")
		h.space = false
	}
	if h.pp > 0 {
		h.outf(strings.Repeat(h.brToggle+"\n"+bq, h.pp))
		h.space = false
		h.brToggle = ""
	}
	if h.space {
		if !h.lastWasNL {
			h.outf(" ")
		}
		h.space = false
	}
	if len(h.abbrList) > 0 && force == "end" {
		for _, a := range h.abbrList {
			h.outf("  *[" + a[0] + "]: " + a[1] + "\n")
		}
	}
	h.pp = 0
	h.outf(data)
	h.outcount++
}

var (
	reMDBackslash = regexp.MustCompile(`(\\)([\\` + "`" + `*_{}\[\]()#+\-.!])`)
	reMDDot       = regexp.MustCompile(`(?m)^(\s*\d+)(\.)(\s)`)
	reMDPlus      = regexp.MustCompile(`(?m)^(\s*)(\+)(\s)`)
	reMDDash      = regexp.MustCompile(`(?m)^(\s*)(-)(\s|-)`)
)

// escapeMDSection is html2text's escape_md_section (snob off). Go's regexp has no
// lookahead, so the lookahead character is captured and written back.
func escapeMDSection(s string) string {
	s = reMDBackslash.ReplaceAllString(s, `\\$1$2`)
	s = replaceLookahead(reMDDot, s)
	s = replaceLookahead(reMDPlus, s)
	s = replaceLookahead(reMDDash, s)
	return s
}

func replaceLookahead(re *regexp.Regexp, s string) string {
	// Matches of a lookahead pattern may share the lookahead character with the next
	// match; with (?m)^ anchors they cannot overlap, so one pass is exact.
	return re.ReplaceAllString(s, `$1\$2$3`)
}

func (h *h2t) data(d string, entity bool) {
	if d == "" {
		return
	}
	if h.stressed {
		d = pycompat.Strip(d)
		h.stressed = false
		h.precStressed = true
	} else if h.precStressed {
		r := []rune(d)[0]
		if !strings.ContainsRune("][(){}.!?", r) && !pycompat.IsSpace(r) && hn(h.currentTag) == 0 &&
			h.currentTag != "a" && h.currentTag != "code" && h.currentTag != "pre" {
			d = " " + d
		}
		h.precStressed = false
	}
	if h.maybeAuto != nil {
		href := *h.maybeAuto
		if href == d && absURLRe.MatchString(href) {
			h.o("<"+d+">", false, "")
			h.emptyLink = false
			return
		}
		h.o("[", false, "")
		h.maybeAuto = nil
		h.emptyLink = false
	}
	if !h.code && !h.pre && !entity {
		d = escapeMDSection(d)
	}
	h.precData = d
	h.o(d, true, "")
}

var absURLRe = regexp.MustCompile(`^[a-zA-Z+]+://`)
