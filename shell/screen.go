package shell

import (
	"unicode"
	"unicode/utf8"
)

// Screen renders a terminal byte stream into text lines as a terminal of the given width would
// show them, keeping at most maxRows rows (older rows are dropped and counted).
//
// It stands in for the reference's tmux pane read with `capture-pane -J -pS -`: carriage
// returns, backspaces, tabs and cursor movements are resolved, escape sequences removed,
// long lines wrap at the width (and Text joins them back), and retention is counted in
// wrapped rows, like tmux's history. The visible screen, which absolute cursor positions
// address, is the bottom min(rows so far, 1000) rows. Every rune takes one column.
//
// The alternate screen (private modes 1049, 1047 and 47) works as in tmux 3.3a: entering it
// sets the screen's rows aside and blanks the screen (1049 also saves the cursor); while it is
// on, the text is the history followed by the alternate screen, and rows scrolled off its top
// are discarded rather than moved into the history; leaving it puts the rows back (1049 also
// restores the cursor) and the program's drawing is gone.
//
// Memory stays bounded by about width*maxRows bytes (times the UTF-8 length of the runes
// printed), plus at most one screen of rows set aside, whatever the input. A Screen is not
// safe for concurrent use.
type Screen struct {
	width, height, maxRows int

	rows    []row // ring once it holds maxRows rows; logical row i is rows[(head+i)%len(rows)]
	head    int
	n       int // rows in use
	dropped int
	wipes   int // CSI 3 J on the main screen since the last Reset

	top int // first row of the visible screen, logical index; rows past n are blank
	cur int // cursor row, logical index, within the screen
	col int // cursor column; col == width means a wrap is pending

	savedRow, savedCol int // ESC 7 / CSI s; the row is on the screen, as in tmux

	// Alternate screen. altRows holds the main screen's rows (altN of them, from top) while
	// alt is on; otherwise its row buffers are spares for the next switch, so switching
	// does not allocate.
	alt            bool
	altRows        []row
	altN           int
	altCursor      bool // a 1049 switch saved the cursor; tmux keeps it after leaving
	altRow, altCol int  // that cursor; the row is on the screen

	// Escape sequence parser.
	state    parseState
	params   [16]int
	nparam   int
	csiStart bool // no parameter or intermediate byte of this CSI read yet
	mark     byte // CSI private marker ('?' in CSI ? 1049 h), 0 if none
	priv     bool // CSI with intermediate bytes or a misplaced marker: ignored

	ubuf [utf8.UTFMax]byte // partial UTF-8 sequence
	un   int
}

// row is one screen row. b holds its cells as UTF-8, one rune per cell; cells past the end
// are blank.
type row struct {
	b       []byte
	cols    int  // runes in b
	wrapped bool // the line continues on the next row (printed past the width)

	// A known (column, byte offset) pair at or before the last write, so that rewriting a
	// non-ASCII row left to right does not rescan it from the start for every rune.
	hintCol, hintOff int
}

type parseState uint8

const (
	stGround    parseState = iota
	stEsc                  // after ESC
	stEscInter             // ESC + intermediate bytes, waiting for the final byte
	stCSI                  // ESC [
	stString               // OSC, DCS, SOS, PM, APC: skipped up to BEL or ST
	stStringEsc            // ESC inside a string: ST if '\' follows
)

// screenHeight is the reference's tmux window height.
const screenHeight = 1000

// keepRowBytes is how much row storage Reset keeps for reuse.
const keepRowBytes = 1 << 20

// NewScreen returns an empty screen width columns wide that keeps at most maxRows rows.
func NewScreen(width, maxRows int) *Screen {
	width = max(width, 2)
	maxRows = max(maxRows, 1)
	s := &Screen{width: width, maxRows: maxRows, height: min(screenHeight, maxRows)}
	s.Reset()
	return s
}

// Reset forgets all rows, the cursor, the dropped count and any half-read sequence.
func (s *Screen) Reset() {
	size := 0
	for i := range s.rows {
		size += cap(s.rows[i].b)
	}
	for i := range s.altRows {
		size += cap(s.altRows[i].b)
	}
	if size > keepRowBytes {
		s.rows, s.altRows = nil, nil
	}
	s.head, s.n, s.dropped, s.wipes = 0, 0, 0, 0
	s.top, s.cur, s.col, s.savedRow, s.savedCol = 0, 0, 0, 0, 0
	s.alt, s.altN, s.altCursor, s.altRow, s.altCol = false, 0, false, 0, 0
	s.state, s.un = stGround, 0
	s.newRow()
}

// Lines is the number of retained rows (a wrapped line counts once per row). While the
// alternate screen is on, that is the history rows plus the alternate screen's rows in use,
// as Text shows them; the main screen's rows set aside do not count.
func (s *Screen) Lines() int { return s.n }

// Dropped is the number of rows dropped from the top of the history since the last Reset.
// Rows scrolled off the alternate screen are not counted: they never enter the history (as
// in tmux) and the main screen's rows come back intact when the program leaves it.
func (s *Screen) Dropped() int { return s.dropped }

// HistoryWipes counts the history clears (CSI 3 J, as `clear` sends after its CSI 2 J) on
// the main screen since the last Reset: the session uses it to know that the reference's
// pane no longer shows the echo of what was typed.
func (s *Screen) HistoryWipes() int { return s.wipes }

// Text returns the retained lines (the history and the screen, the alternate one while it is
// on) joined by "\n": rows of a wrapped line joined back into one line, each line
// right-trimmed. Trailing empty lines are kept.
func (s *Screen) Text() string {
	size := s.n
	for i := 0; i < s.n; i++ {
		size += len(s.row(i).b)
	}
	out := make([]byte, 0, size)
	start := 0
	for i := 0; i < s.n; i++ {
		r := s.row(i)
		out = append(out, r.b...)
		if r.wrapped && i < s.n-1 {
			continue
		}
		out = trimRightSpace(out, start)
		if i < s.n-1 {
			out = append(out, '\n')
		}
		start = len(out)
	}
	return string(out)
}

// trimRightSpace removes trailing white space from b[start:].
func trimRightSpace(b []byte, start int) []byte {
	for len(b) > start {
		c := b[len(b)-1]
		if c < utf8.RuneSelf {
			if c != ' ' && c != '\t' {
				return b
			}
			b = b[:len(b)-1]
			continue
		}
		r, size := utf8.DecodeLastRune(b[start:])
		if !unicode.IsSpace(r) {
			return b
		}
		b = b[:len(b)-size]
	}
	return b
}

// Write feeds terminal output. Sequences and runes may be split across calls.
func (s *Screen) Write(p []byte) (int, error) {
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch s.state {
		case stGround:
			if c >= 0x20 && c < 0x7f && s.un == 0 {
				j := i + 1
				for j < len(p) && p[j] >= 0x20 && p[j] < 0x7f {
					j++
				}
				s.printASCII(p[i:j])
				i = j - 1
				continue
			}
			s.ground(c)
		case stEsc:
			s.escape(c)
		case stEscInter:
			switch {
			case c >= 0x30 && c < 0x7f:
				s.state = stGround
			case c == 0x1b:
				s.state = stEsc
			case c < 0x20:
				s.control(c)
			}
		case stCSI:
			s.csi(c)
		case stString:
			switch c {
			case 0x07, 0x18, 0x1a:
				s.state = stGround
			case 0x1b:
				s.state = stStringEsc
			}
		case stStringEsc:
			if c == '\\' {
				s.state = stGround
			} else {
				s.state = stEsc
				s.escape(c)
			}
		}
	}
	return len(p), nil
}

// ground handles one byte outside any escape sequence (printable ASCII aside).
func (s *Screen) ground(c byte) {
	if c >= utf8.RuneSelf {
		s.utf8Byte(c)
		return
	}
	if s.un > 0 { // a sequence cut short by an ASCII byte
		s.un = 0
		s.print(utf8.RuneError)
	}
	switch {
	case c == 0x1b:
		s.state = stEsc
	case c < 0x20:
		s.control(c)
	case c == 0x7f: // DEL: nothing
	default:
		s.print(rune(c))
	}
}

// utf8Byte collects a multi-byte rune; an invalid sequence prints U+FFFD.
func (s *Screen) utf8Byte(c byte) {
	if s.un > 0 && c&0xc0 != 0x80 { // not a continuation: the pending sequence is invalid
		s.un = 0
		s.print(utf8.RuneError)
	}
	s.ubuf[s.un] = c
	s.un++
	if !utf8.FullRune(s.ubuf[:s.un]) {
		return
	}
	r, size := utf8.DecodeRune(s.ubuf[:s.un])
	n := s.un
	s.un = 0
	s.print(r) // RuneError for an invalid one
	for k := size; k < n; k++ {
		s.print(utf8.RuneError) // stray continuation bytes
	}
}

// control executes a C0 control character.
func (s *Screen) control(c byte) {
	switch c {
	case '\n', '\v', '\f':
		s.lineFeed()
	case '\r':
		s.col = 0
	case '\b': // from a pending wrap: to the last column; at column 0: back over a wrap
		if s.col > 0 {
			s.col--
		} else if s.cur > s.top && s.row(s.cur-1).wrapped {
			s.cur--
			s.col = s.width - 1
		}
	case '\t': // a pending wrap stays pending
		if s.col < s.width {
			s.col = min((s.col/8+1)*8, s.width-1)
		}
	case 0x18, 0x1a: // CAN, SUB: abort a sequence
		s.state = stGround
	}
}

// escape handles the byte after ESC.
func (s *Screen) escape(c byte) {
	s.state = stGround
	switch {
	case c == '[':
		s.state = stCSI
		s.nparam, s.params[0], s.priv, s.mark, s.csiStart = 0, 0, false, 0, true
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		s.state = stString
	case c >= 0x20 && c < 0x30: // intermediate: ESC ( B, ESC # 8, ...
		s.state = stEscInter
	case c == 0x1b:
		s.state = stEsc
	case c == 0x18 || c == 0x1a: // CAN, SUB
	case c < 0x20:
		s.control(c)
		s.state = stEsc
	case c == '7':
		s.savedRow, s.savedCol = s.cur-s.top, s.col
	case c == '8':
		s.restoreCursor()
	case c == 'D': // IND
		s.lineFeed()
	case c == 'E': // NEL
		s.col = 0
		s.lineFeed()
	case c == 'M': // RI
		if s.cur > s.top {
			s.cur--
		} else {
			s.insertLines(1, false)
		}
	}
	// Anything else (ESC =, ESC >, ESC c, ...) is ignored.
}

// csi collects a control sequence's parameters and runs it at its final byte.
func (s *Screen) csi(c byte) {
	if c >= 0x20 && c < 0x40 {
		start := s.csiStart
		s.csiStart = false
		if c >= '<' && c <= '?' && start { // a private marker comes first or not at all
			s.mark = c
			return
		}
	}
	switch {
	case c >= '0' && c <= '9':
		if v := &s.params[s.nparam]; *v < 100000 {
			*v = *v*10 + int(c-'0')
		}
	case c == ';' || c == ':':
		if s.nparam < len(s.params)-1 {
			s.nparam++
			s.params[s.nparam] = 0
		}
	case c >= '<' && c <= '?', c >= 0x20 && c < 0x30:
		s.priv = true
	case c >= 0x40 && c < 0x7f:
		s.state = stGround
		if s.priv {
			return
		}
		s.nparam++
		switch {
		case s.mark == 0:
			s.dispatch(c)
		case s.mark == '?' && (c == 'h' || c == 'l'):
			s.privateModes(c == 'h')
		}
	case c == 0x1b:
		s.state = stEsc
	case c < 0x20:
		s.control(c)
	default: // DEL and bytes >= 0x80 inside a sequence: ignored
	}
}

// arg returns parameter i, or def when it is missing or zero.
func (s *Screen) arg(i, def int) int {
	if i >= s.nparam || s.params[i] == 0 {
		return def
	}
	return s.params[i]
}

func (s *Screen) dispatch(final byte) {
	n := s.arg(0, 1)
	switch final {
	case 'A': // CUU
		s.cur = max(s.cur-n, s.top)
		s.col = min(s.col, s.width-1)
	case 'B', 'e': // CUD, VPR
		s.moveToRow(s.cur + n)
		s.col = min(s.col, s.width-1)
	case 'C', 'a': // CUF, HPR
		s.col = min(min(s.col, s.width-1)+n, s.width-1)
	case 'D': // CUB; from a pending wrap it counts from the width, as in tmux
		s.col = max(s.col-n, 0)
	case 'E': // CNL
		s.moveToRow(s.cur + n)
		s.col = 0
	case 'F': // CPL
		s.cur = max(s.cur-n, s.top)
		s.col = 0
	case 'G', '`': // CHA, HPA
		s.col = min(n, s.width) - 1
	case 'H', 'f': // CUP, HVP
		s.moveToRow(s.top + n - 1)
		s.col = min(s.arg(1, 1), s.width) - 1
	case 'd': // VPA
		s.moveToRow(s.top + n - 1)
	case 'J':
		s.eraseDisplay(s.arg(0, 0))
	case 'K':
		s.eraseLine(s.arg(0, 0), true)
	case 'X': // ECH
		if s.col == 0 && n >= s.width {
			s.clearRows(s.cur, s.cur+1)
		} else {
			s.row(s.cur).blank(s.col, n)
		}
	case '@': // ICH
		s.row(s.cur).insertBlanks(s.col, n, s.width)
	case 'P': // DCH
		if s.col == 0 && n >= s.width {
			s.clearRows(s.cur, s.cur+1)
		} else {
			s.row(s.cur).deleteCells(s.col, n, s.width)
		}
	case 'L': // IL
		s.insertLines(n, true)
	case 'M': // DL
		s.deleteLines(n)
	case 's':
		s.savedRow, s.savedCol = s.cur-s.top, s.col
	case 'u':
		s.restoreCursor()
	}
	// SGR (m) and everything else: nothing to render.
}

// privateModes sets (DECSET) or resets (DECRST) the private modes in the parameters; only
// the alternate screen's change what is shown.
func (s *Screen) privateModes(set bool) {
	for i := range s.nparam {
		cursor := false
		switch s.params[i] {
		case 1049:
			cursor = true
		case 47, 1047:
		default:
			continue
		}
		if set {
			s.altOn(cursor)
		} else {
			s.altOff(cursor)
		}
	}
}

// altOn switches to the alternate screen as tmux's screen_alternate_on does: nothing if it is
// already on; otherwise the screen's rows are set aside and the screen blanked.
func (s *Screen) altOn(saveCursor bool) {
	if s.alt {
		return
	}
	if saveCursor {
		s.altCursor, s.altRow, s.altCol = true, s.cur-s.top, s.col
	}
	k := s.n - s.top
	for len(s.altRows) < k {
		s.altRows = append(s.altRows, row{})
	}
	for i := range k { // swapped, not copied: the spare buffers become the blank screen
		r := s.row(s.top + i)
		*r, s.altRows[i] = s.altRows[i], *r
	}
	s.altN = k
	s.clearRows(s.top, s.n) // also ends a line running from the history onto the screen
	s.alt = true
}

// altOff leaves the alternate screen as tmux's screen_alternate_off does: the cursor saved by
// the last 1049 switch comes back (even if the alternate screen is not on), the main screen's
// rows come back in place of the alternate screen's, and a pending wrap is cancelled.
func (s *Screen) altOff(restoreCursor bool) {
	cur := s.cur
	if restoreCursor && s.altCursor {
		cur, s.col = s.top+s.altRow, s.altCol
	}
	if s.alt {
		k := s.altN
		for s.n < s.top+k {
			s.newRow()
		}
		for i := range k {
			r := s.row(s.top + i)
			*r, s.altRows[i] = s.altRows[i], *r
		}
		// tmux's saved screen is full height: below the rows set aside it is blank.
		for i := s.top + k; i < s.n; i++ {
			s.row(i).clear()
		}
		s.n = s.top + k
		s.alt, s.altN = false, 0
	}
	s.moveToRow(cur)
	s.col = min(s.col, s.width-1)
}

// moveToRow moves the cursor to logical row r, kept within the visible screen; rows the
// screen has but that were never written are created blank.
func (s *Screen) moveToRow(r int) {
	r = min(max(r, s.top), s.top+s.height-1)
	for s.n <= r {
		s.newRow()
	}
	s.cur = r
}

func (s *Screen) restoreCursor() {
	s.moveToRow(s.top + s.savedRow)
	s.col = min(s.savedCol, s.width-1)
}

// row returns logical row i.
func (s *Screen) row(i int) *row {
	i += s.head
	if i >= len(s.rows) {
		i -= len(s.rows)
	}
	return &s.rows[i]
}

// newRow appends a blank row. Callers keep n <= maxRows: rows are only added up to the
// screen's bottom, and the history above the screen is capped at maxRows-height.
func (s *Screen) newRow() {
	if s.n < len(s.rows) {
		s.n++
		s.row(s.n - 1).clear()
		return
	}
	if s.head != 0 { // unroll the ring (rows were dropped) before growing it
		rows := make([]row, len(s.rows), cap(s.rows))
		k := copy(rows, s.rows[s.head:])
		copy(rows[k:], s.rows[:s.head])
		s.rows, s.head = rows, 0
	}
	s.rows = append(s.rows, row{})
	s.n++
}

// dropOldest forgets the k oldest rows, which moves every logical index up by k.
func (s *Screen) dropOldest(k int) {
	s.head = (s.head + k) % len(s.rows)
	s.n -= k
	s.top -= k
	s.cur -= k
	s.dropped += k
}

// setTop makes row t the screen's first, dropping history beyond its limit.
func (s *Screen) setTop(t int) {
	s.top = t
	if over := s.top - (s.maxRows - s.height); over > 0 {
		s.dropOldest(over)
	}
}

// down moves the cursor down one row, scrolling the screen at its bottom.
func (s *Screen) down() {
	if s.alt && s.cur == s.top+s.height-1 {
		// The alternate screen has no history: its top row goes, as when tmux scrolls a
		// region (which also ends the line of the row above it).
		for i := s.top; i < s.n-1; i++ {
			*s.row(i), *s.row(i + 1) = *s.row(i + 1), *s.row(i)
		}
		s.row(s.n - 1).clear()
		if s.top > 0 {
			s.row(s.top - 1).wrapped = false
		}
		if s.height == 2 { // tmux (grid_move_lines) also ends the moved row's line then
			s.row(s.top).wrapped = false
		}
		return
	}
	if s.cur == s.n-1 {
		if s.n == s.maxRows { // the screen is at its bottom and the history full
			s.dropOldest(1)
		}
		s.newRow()
	}
	s.cur++
	if s.cur-s.top >= s.height {
		s.setTop(s.cur - s.height + 1)
	}
}

// lineFeed moves the cursor down one row. The column stays, even a pending wrap (as tmux).
func (s *Screen) lineFeed() { s.down() }

// print writes one rune at the cursor, wrapping first if a wrap is pending.
func (s *Screen) print(r rune) {
	if s.col >= s.width {
		s.wrap()
	}
	s.row(s.cur).put(s.col, r)
	s.col++
}

// printASCII writes a run of printable ASCII bytes.
func (s *Screen) printASCII(p []byte) {
	for len(p) > 0 {
		if s.col >= s.width {
			s.wrap()
		}
		k := min(len(p), s.width-s.col)
		r := s.row(s.cur)
		if r.ascii() {
			r.pad(s.col)
			if s.col+k <= len(r.b) {
				copy(r.b[s.col:], p[:k])
			} else {
				r.b = append(r.b[:s.col], p[:k]...)
				r.cols = len(r.b)
			}
		} else {
			r.overwriteASCII(s.col, p[:k])
		}
		s.col += k
		p = p[k:]
	}
}

func (s *Screen) wrap() {
	s.row(s.cur).wrapped = true
	s.col = 0
	s.down()
}

// eraseLine erases (part of) the cursor row; el is true for EL itself, false when erasing
// the display.
func (s *Screen) eraseLine(mode int, el bool) {
	// Erasing a whole row empties it (see clearRows); erasing part of it leaves blank
	// cells that still belong to its line.
	r := s.row(s.cur)
	switch {
	case mode == 2, mode == 0 && s.col == 0, mode == 1 && s.col >= s.width-1:
		// tmux's EL leaves a row without cells alone, so it keeps continuing onto the
		// next one (a row left blank by a wrap from a cleared row, for instance).
		if el && r.cols == 0 {
			return
		}
		s.clearRows(s.cur, s.cur+1)
	case mode == 0:
		r.blank(s.col, r.cols)
	case mode == 1:
		r.blank(0, s.col+1)
	}
}

func (s *Screen) eraseDisplay(mode int) {
	switch mode {
	case 0:
		if s.cur == s.top && s.col == 0 { // from the home position: a whole-screen clear
			s.scrollOnClear()
			return
		}
		s.eraseLine(0, false)
		if s.cur+1 < s.n {
			s.clearRows(s.cur+1, s.n)
		}
	case 1:
		if s.top < s.cur {
			s.clearRows(s.top, s.cur)
		}
		s.eraseLine(1, false)
	case 2:
		s.scrollOnClear()
	case 3:
		s.dropHistory()
	}
}

// scrollOnClear clears the screen the way tmux does with its scroll-on-clear option (on by
// default): the screen's rows up to the last non-blank one move into the history and the
// cursor keeps its place on the now blank screen.
func (s *Screen) scrollOnClear() {
	if s.alt { // the alternate screen has no history: tmux just clears it
		s.clearRows(s.top, s.n)
		return
	}
	last := -1
	for i := s.n - 1; i >= s.top; i-- {
		if s.row(i).cols > 0 {
			last = i
			break
		}
	}
	if last < 0 {
		return
	}
	r := s.cur - s.top
	s.setTop(last + 1) // may drop history rows, so before making new ones
	for s.n <= s.top+r {
		s.newRow()
	}
	s.cur = s.top + r
}

// dropHistory forgets the rows above the screen (CSI 3 J); they count as dropped.
func (s *Screen) dropHistory() {
	if !s.alt {
		s.wipes++
	}
	if s.top > 0 {
		s.dropOldest(s.top)
	}
}

// insertLines inserts k blank rows at the cursor row (IL, or a reverse index at the top);
// rows pushed below the screen's last row are lost.
func (s *Screen) insertLines(k int, il bool) {
	k = min(k, s.top+s.height-s.cur)
	for last := min(s.top+s.height-1, s.n-1+k); s.n-1 < last; {
		s.newRow()
	}
	for i := s.n - 1; i >= s.cur+k; i-- {
		*s.row(i), *s.row(i - k) = *s.row(i - k), *s.row(i)
	}
	s.clearRows(s.cur, s.cur+k)
	// tmux also ends the lines of the first row moved and of the screen's last row but one
	// (found by comparing with it).
	if s.cur+k < s.n {
		s.row(s.cur + k).wrapped = false
	}
	if i := s.top + s.height - 2; il && i >= 0 && i < s.n {
		s.row(i).wrapped = false
	}
}

// deleteLines deletes k rows at the cursor row; blank rows come in at the bottom.
func (s *Screen) deleteLines(k int) {
	k = min(k, s.n-s.cur)
	for i := s.cur; i+k < s.n; i++ {
		*s.row(i), *s.row(i + k) = *s.row(i + k), *s.row(i)
	}
	for i := s.n - k; i < s.n; i++ {
		s.row(i).clear()
	}
	if s.cur > 0 { // as tmux does: the row above no longer continues
		s.row(s.cur - 1).wrapped = false
	}
	// tmux clears the screen's bottom k rows, which ends the line of the row above them.
	if i := s.top + s.height - 1 - k; i >= 0 && i < s.n {
		s.row(i).wrapped = false
	}
}

// clearRows empties rows [from, to) the way tmux clears whole lines: the row above them no
// longer continues onto them either.
func (s *Screen) clearRows(from, to int) {
	for i := from; i < to; i++ {
		s.row(i).clear()
	}
	if from > 0 {
		s.row(from - 1).wrapped = false
	}
}

func (r *row) clear() {
	r.b = r.b[:0]
	r.cols, r.wrapped, r.hintCol, r.hintOff = 0, false, 0, 0
}

func (r *row) ascii() bool { return len(r.b) == r.cols }

// pad appends blank cells up to column col.
func (r *row) pad(col int) {
	for r.cols < col {
		r.b = append(r.b, ' ')
		r.cols++
	}
}

// offset returns the byte offset of column col (< r.cols).
func (r *row) offset(col int) int {
	if r.ascii() {
		return col
	}
	c, off := 0, 0
	if r.hintCol <= col && r.hintOff <= len(r.b) {
		c, off = r.hintCol, r.hintOff
	}
	for ; c < col; c++ {
		_, size := utf8.DecodeRune(r.b[off:])
		off += size
	}
	return off
}

// put writes rune ch in column col.
func (r *row) put(col int, ch rune) {
	if col >= r.cols {
		r.pad(col)
		r.b = utf8.AppendRune(r.b, ch)
		r.cols++
		return
	}
	off := r.offset(col)
	_, old := utf8.DecodeRune(r.b[off:])
	size := utf8.RuneLen(ch)
	if size < 0 {
		ch, size = utf8.RuneError, 3
	}
	if size != old {
		tail := len(r.b) - off - old
		if size > old {
			r.b = append(r.b, "\x00\x00\x00"[:size-old]...)
		}
		copy(r.b[off+size:], r.b[off+old:off+old+tail])
		r.b = r.b[:off+size+tail]
	}
	utf8.EncodeRune(r.b[off:], ch)
	r.hintCol, r.hintOff = col+1, off+size
}

// overwriteASCII writes ASCII bytes from column col of a row that holds non-ASCII runes.
func (r *row) overwriteASCII(col int, p []byte) {
	if col >= r.cols {
		r.pad(col)
		r.b = append(r.b, p...)
		r.cols += len(p)
		return
	}
	off := r.offset(col)
	for i, c := range p {
		if col >= r.cols { // past the end: the rest is appended
			r.b = append(r.b, p[i:]...)
			r.cols += len(p) - i
			break
		}
		if old := r.b[off]; old < utf8.RuneSelf {
			r.b[off] = c
		} else {
			_, size := utf8.DecodeRune(r.b[off:])
			r.b[off] = c
			r.b = append(r.b[:off+1], r.b[off+size:]...)
		}
		off++
		col++
	}
	r.hintCol, r.hintOff = col, off
}

// blank sets k cells from column col to spaces (cells past the end are already blank).
func (r *row) blank(col, k int) {
	end := min(col+k, r.cols)
	if r.ascii() {
		for c := col; c < end; c++ {
			r.b[c] = ' '
		}
		return
	}
	for c := col; c < end; c++ {
		r.put(c, ' ')
	}
}

// insertBlanks inserts k blank cells at col, shifting the rest right and cutting at width.
func (r *row) insertBlanks(col, k, width int) {
	k = min(k, width-col)
	moved := width - col - k
	switch {
	case k <= 0:
	case col >= width-1:
		r.blank(col, 1)
	case moved > 0:
		// As tmux 3.3 does it: the row is filled to the width, the cells move right, and
		// only the first min(k, moved) cells at col are blanked (more is a tmux bug that
		// programs do not rely on, but the reference shows it).
		r.pad(width)
		cells := []rune(string(r.b))
		copy(cells[col+k:], cells[col:col+moved])
		for c := col; c < col+min(k, moved); c++ {
			cells[c] = ' '
		}
		r.b = utf8.AppendRune(r.b[:0], cells[0])
		for _, ch := range cells[1:] {
			r.b = utf8.AppendRune(r.b, ch)
		}
		r.hintCol, r.hintOff = 0, 0
	}
	// k == width-col: tmux does nothing.
}

// deleteCells deletes k cells at col, shifting the rest left.
func (r *row) deleteCells(col, k, width int) {
	if col >= width {
		return
	}
	if col+k >= width { // nothing moves: the cells to the end are blanked
		r.blank(col, r.cols)
		return
	}
	r.pad(width) // tmux fills the row to the width first, which makes it count as used
	k = min(k, r.cols-col)
	off := r.offset(col)
	end := r.offset(col + k)
	r.hintCol, r.hintOff = 0, 0
	r.b = append(r.b[:off], r.b[end:]...)
	r.b = append(r.b, spaces(k)...) // the row keeps its length, as in tmux
}

func spaces(k int) []byte {
	b := make([]byte, k)
	for i := range b {
		b[i] = ' '
	}
	return b
}
