package shell

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// screenCase feeds writes into a fresh Screen and checks what it shows.
type screenCase struct {
	name        string
	width, rows int // 0: 1000 and 11000, the session's sizes
	height      int // the screen's rows, if not min(1000, rows): a history on small sizes
	writes      []string
	want        string
	lines       int // checked when non-zero
	dropped     int
}

func runScreenCases(t *testing.T, cases []screenCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			width, rows := tc.width, tc.rows
			if width == 0 {
				width, rows = 1000, 11000
			}
			input := strings.Join(tc.writes, "")
			// As given, all at once, byte by byte and in random pieces: the result must not
			// depend on how the stream was cut.
			feeds := map[string][]string{"as given": tc.writes, "at once": {input}}
			var single []string
			for i := range len(input) {
				single = append(single, input[i:i+1])
			}
			feeds["byte by byte"] = single
			feeds["random pieces"] = randomPieces(input, rand.New(rand.NewPCG(1, uint64(len(input)))))
			for how, writes := range feeds {
				s := NewScreen(width, rows)
				if tc.height != 0 {
					s.height = tc.height
				}
				for _, w := range writes {
					if n, err := s.Write([]byte(w)); n != len(w) || err != nil {
						t.Fatalf("Write(%q) = %d, %v", w, n, err)
					}
				}
				if got := s.Text(); got != tc.want {
					t.Errorf("%s: Text() = %q, want %q", how, got, tc.want)
				}
				if tc.lines != 0 && s.Lines() != tc.lines {
					t.Errorf("%s: Lines() = %d, want %d", how, s.Lines(), tc.lines)
				}
				if s.Dropped() != tc.dropped {
					t.Errorf("%s: Dropped() = %d, want %d", how, s.Dropped(), tc.dropped)
				}
			}
		})
	}
}

func randomPieces(s string, rng *rand.Rand) []string {
	var out []string
	for len(s) > 0 {
		k := min(len(s), 1+rng.IntN(7))
		out = append(out, s[:k])
		s = s[k:]
	}
	return out
}

func TestScreenText(t *testing.T) {
	t.Parallel()
	runScreenCases(t, []screenCase{
		{name: "empty", writes: nil, want: "", lines: 1},
		{name: "lines (the PTY turns \\n into \\r\\n)", writes: []string{"a\r\nb\r\n"}, want: "a\nb\n", lines: 3},
		{name: "bare LF keeps the column", writes: []string{"ab\ncd"}, want: "ab\n  cd"},
		{name: "trailing spaces trimmed", writes: []string{"Enter name: "}, want: "Enter name:"},
		{name: "unicode spaces trimmed like Python's rstrip", writes: []string{"a\u00a0\u3000"}, want: "a"},
		{name: "progress bar shows its last state", writes: []string{"10%\r50%\r100%\r\n"}, want: "100%\n"},
		{name: "shorter rewrite leaves the old tail", writes: []string{"Loading....\rDone\r\n"}, want: "Doneing....\n"},
		{name: "erase to end of line", writes: []string{"Loading....\rDone\x1b[K\r\n"}, want: "Done\n"},
		{name: "colours stripped", writes: []string{"\x1b[1;31mred\x1b[0m \x1b[38;5;208mplain\x1b[m \x1b[38:2:1:2:3mx"}, want: "red plain x"},
		{name: "cursor up rewrites a previous line", writes: []string{"line1\r\nline2\r\n\x1b[2A\rLINE1\x1b[2B\rdone"}, want: "LINE1\nline2\ndone"},
		{name: "cursor previous line", writes: []string{"a\r\nb\r\n\x1b[2Fz"}, want: "z\nb\n"},
		{name: "cursor next line", writes: []string{"a\x1b[2Ez"}, want: "a\n\nz"},
		{name: "escape split across writes", writes: []string{"\x1b", "[", "3", "1m", "x\x1b[", "K", "\x1b]0;ti", "tle\x07y"}, want: "xy"},
		{name: "rune split across writes", writes: []string{"\xe2", "\x82", "\xac 5"}, want: "€ 5"},
		{name: "four-byte rune", writes: []string{"\xf0\x9f\x98", "\x80!"}, want: "😀!"},
		{name: "invalid byte", writes: []string{"a\xffb"}, want: "a\uFFFDb"},
		{name: "truncated sequence then ASCII", writes: []string{"\xe2\x82A"}, want: "\uFFFDA"},
		{name: "stray continuation bytes", writes: []string{"\x80\x80x"}, want: "\uFFFD\uFFFDx"},
		{name: "truncated sequence then ESC", writes: []string{"\xe2\x1b[31mA"}, want: "\uFFFDA"},
		{name: "overwrite with a longer rune", writes: []string{"abc\rü\r\n"}, want: "übc\n"},
		{name: "overwrite a rune with ASCII", writes: []string{"üéï\r\x1b[1Ce"}, want: "üeï"},
		{name: "rewriting a non-ASCII line", writes: []string{"██░░░ 40%\r███░░ 60%\r█████ 100%"}, want: "█████ 100%"},
		{name: "tab stops", writes: []string{"a\tb\tc\r\n12345678\tx"}, want: "a       b       c\n12345678        x"},
		{name: "tab does not overwrite", writes: []string{"abcdefghij\r\tX"}, want: "abcdefghXj"},
		{name: "backspace", writes: []string{"abc\b\bX"}, want: "aXc"},
		{name: "backspace at column 0", writes: []string{"\b\bab"}, want: "ab"},
		{name: "backspace over a wrap", width: 4, rows: 10, writes: []string{"abcdef\r\b\bX\r\n\bY"}, want: "abXYef"},
		{name: "bell, NUL, DEL and SO/SI ignored", writes: []string{"a\x07\x00\x7f\x0e\x0fb"}, want: "ab"},
		{name: "VT and FF move down", writes: []string{"a\vb\fc"}, want: "a\n b\n  c"},
		{name: "OSC with BEL", writes: []string{"\x1b]0;user@host: ~\x07$ ls"}, want: "$ ls"},
		{name: "OSC with ST", writes: []string{"\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\"}, want: "link"},
		{name: "DCS skipped", writes: []string{"\x1bPq#0;2;0;0;0\x1b\\ok"}, want: "ok"},
		{name: "charset and keypad modes ignored", writes: []string{"\x1b(B\x1b)0\x1b=\x1b>text\x1b#8"}, want: "text"},
		{name: "private modes ignored", writes: []string{"\x1b[?25l\x1b[?2004hab\x1b[?1h\x1b[>4;1m\x1b[?25h\x1b[?1049m\x1b[>1049h\x1b[1?1049h\x1b[?$1049h"}, want: "ab"},
		{name: "CAN aborts a sequence", writes: []string{"\x1b[31\x18ok"}, want: "ok"},
		{name: "ESC ESC", writes: []string{"\x1b\x1b[31mok"}, want: "ok"},
		{name: "control inside CSI runs", writes: []string{"a\x1b[\r1Cb"}, want: "ab"},
		{name: "save and restore cursor", writes: []string{"\x1b7abc\x1b8X\x1b[sY\x1b[uZ"}, want: "XZc"},
		{name: "column absolute", writes: []string{"abc\x1b[2Gx\x1b[Gy\x1b[5000Gz"}, want: "yxc" + strings.Repeat(" ", 996) + "z"},
		{name: "cursor forward and back", writes: []string{"abc\x1b[5Cd\x1b[3De\x1b[99Df"}, want: "fbc   e d"},
		{name: "position", writes: []string{"a\r\nb\r\nc\x1b[2;3HX\x1b[1;1fY\x1b[3dZ"}, want: "Y\nb X\ncZ"},
		{name: "position below written rows", writes: []string{"a\x1b[4;2Hb"}, want: "a\n\n\n b"},
		{name: "erase display below", writes: []string{"abc\r\ndef\r\nghi\x1b[1;2H\x1b[J"}, want: "a\n\n"},
		{name: "erase display above", writes: []string{"abc\r\ndef\x1b[2;2H\x1b[1J"}, want: "\n  f"},
		// tmux's scroll-on-clear: the cleared screen goes into the history.
		{name: "erase display keeps the rows above", writes: []string{"a\r\nb\x1b[2J\x1b[Hc"}, want: "a\nb\nc\n"},
		{name: "erase display from home", writes: []string{"a\r\nb\x1b[H\x1b[Jc"}, want: "a\nb\nc"},
		{name: "erase display of a blank screen", writes: []string{"\x1b[2J\x1b[Hc"}, want: "c"},
		{name: "clear: erase display and scroll-back", writes: []string{"a\r\nb\x1b[H\x1b[2J\x1b[3Jc"}, want: "c", dropped: 2},
		{name: "erase scroll-back only", writes: []string{"a\r\nb\x1b[3J"}, want: "a\nb"},
		{name: "erase line before cursor", writes: []string{"abcdef\x1b[3D\x1b[1K"}, want: "    ef"},
		{name: "erase whole line", writes: []string{"abc\x1b[2Kd"}, want: "   d"},
		{name: "erase characters", writes: []string{"abcdef\x1b[1G\x1b[2X"}, want: "  cdef"},
		{name: "insert characters", writes: []string{"abcdef\x1b[1G\x1b[2@"}, want: "  abcdef"},
		{name: "delete characters", writes: []string{"abcdef\x1b[1G\x1b[2P"}, want: "cdef"},
		{name: "delete characters in a non-ASCII row", writes: []string{"äbcdéf\x1b[2G\x1b[3P"}, want: "äéf"},
		{name: "insert lines", writes: []string{"a\r\nb\r\nc\x1b[2;1H\x1b[L"}, want: "a\n\nb\nc"},
		{name: "delete lines", writes: []string{"a\r\nb\r\nc\x1b[1;1H\x1b[M"}, want: "b\nc\n"},
		{name: "reverse index moves up", writes: []string{"a\r\nb\x1bMX"}, want: "aX\nb"},
		{name: "reverse index at the top inserts a line", writes: []string{"a\x1bMX"}, want: " X\na"},
		{name: "index and next line", writes: []string{"a\x1bDb\x1bEc"}, want: "a\n b\nc"},
		{name: "SGR with many parameters", writes: []string{"\x1b[" + strings.Repeat("1;", 40) + "31mx"}, want: "x"},
		{name: "huge parameter clamped", writes: []string{"a\x1b[99999999999999999999Ab"}, want: "ab"},

		// Width: a long line wraps (rows count for retention) and Text joins it back.
		{name: "wrap and join", width: 5, rows: 100, writes: []string{"abcdefghij\r\nk"}, want: "abcdefghij\nk", lines: 3},
		{name: "exactly the width does not wrap", width: 5, rows: 100, writes: []string{"abcde\r\nf"}, want: "abcde\nf", lines: 2},
		{name: "wrap is deferred to the next character", width: 5, rows: 100, writes: []string{"abcde\rX"}, want: "Xbcde", lines: 1},
		{name: "spaces at a wrap are kept", width: 5, rows: 100, writes: []string{"ab   cd"}, want: "ab   cd", lines: 2},
		{name: "non-ASCII wraps by runes", width: 3, rows: 100, writes: []string{"äöüß"}, want: "äöüß", lines: 2},
		{name: "cursor back from a pending wrap", width: 5, rows: 100, writes: []string{"abcde\x1b[2DX"}, want: "abcXe", lines: 1},
		{name: "line feed keeps a pending wrap", width: 5, rows: 100, writes: []string{"abcde\nX"}, want: "abcde\nX", lines: 3},
		{name: "erase after a pending wrap erases nothing", width: 5, rows: 100, writes: []string{"abcde\x1b[K\x1b[P\x1b[X\r\n"}, want: "abcde\n"},
		{name: "partly erased wrapped row joins with blanks", width: 4, rows: 100, writes: []string{"abcdef\x1b[A\x1b[3G\x1b[1K"}, want: "   def"},
		{name: "erased wrapped row ends its line", width: 4, rows: 100, writes: []string{"abcdef\x1b[A\x1b[2K"}, want: "\nef"},
		{name: "erasing a row without cells keeps it continuing", width: 5, rows: 100, writes: []string{"abcde\x1b[2KX\x1b[A\x1b[2K"}, want: "X"},
		{name: "erased continuation row ends the line above", width: 4, rows: 100, writes: []string{"abcdef\x1b[2K\r\nX"}, want: "abcd\n\nX"},

		// Retention.
		{name: "oldest rows dropped", width: 10, rows: 3, writes: []string{"1\r\n2\r\n3\r\n4\r\n5"}, want: "3\n4\n5", lines: 3, dropped: 2},
		{name: "wrapped rows dropped", width: 4, rows: 3, writes: []string{"abcdefghijkl", "mn"}, want: "efghijklmn", lines: 3, dropped: 1},
		{name: "screen is the last rows: position", width: 10, rows: 3, writes: []string{"1\r\n2\r\n3\r\n4\x1b[1;1HX"}, want: "X\n3\n4", lines: 3, dropped: 1},
		{name: "saved cursor is a screen position", width: 10, rows: 2, writes: []string{"a\x1b7\r\nb\r\nc\r\nd\x1b8X"}, want: "cX\nd", dropped: 2},
	})
}

// TestScreenAlternate covers the alternate screen; the expected texts are what tmux 3.3a's
// capture-pane -J -pS - prints (checked by hand, and TestScreenMatchesTmux compares random
// switches).
func TestScreenAlternate(t *testing.T) {
	t.Parallel()
	runScreenCases(t, []screenCase{
		// printf 'before\n\033[?1049hDRAWING\033[?1049lafter\n' through the PTY (\n -> \r\n).
		{name: "drawing gone after leaving", writes: []string{"before\r\n\x1b[?1049hDRAWING\x1b[?1049lafter\r\n"}, want: "before\nafter\n", lines: 3},
		{name: "bare LF: cursor restored to its column", writes: []string{"before\n\x1b[?1049hDRAWING\x1b[?1049lafter\n"}, want: "before\n      after\n"},
		{name: "while on: the alternate screen, blank at first", writes: []string{"before\r\n\x1b[?1049hDRAWING"}, want: "\nDRAWING", lines: 2},
		{name: "while on: history then the alternate screen", width: 20, height: 5, rows: 15,
			writes: []string{"h1\r\nh2\r\nh3\r\nh4\r\nh5\r\nh6\r\nh7\r\n\x1b[?1049hDRAWING\r\nx"},
			want:   "h1\nh2\nh3\n\n\n\nDRAWING\nx", lines: 8},
		{name: "switch split across writes", writes: []string{"ab\x1b[?10", "49", "hcd\x1b", "[?1049", "lX"}, want: "abX"},
		{name: "full-screen program", width: 10, rows: 6,
			writes: []string{"$ vim\r\n\x1b[?1049h\x1b[22;0;0t\x1b[H\x1b[2J~\r\n~\r\n~\r\n~\r\n~\r\n~\r\n~\x1b[1;1Hline", "\x1b[?1049l\x1b[23;0;0t$ "},
			want:   "$ vim\n$", lines: 2, dropped: 0},
		{name: "scrolled alternate rows are not dropped", width: 10, height: 3, rows: 13,
			writes: []string{"1\r\n2\r\n3\r\n4\x1b[?1049h\x1b[2J\x1b[Hx\r\ny\r\nz\r\nw\r\nv"},
			want:   "1\nz\nw\nv", lines: 4},
		{name: "entering ends a line wrapped from the history", width: 5, height: 1, rows: 11,
			writes: []string{"1\r\nabcdefgh\x1b[?1049h\x1b[?1049l"}, want: "1\nabcde\nfgh"},
		{name: "1047 and 47 keep the alternate cursor", writes: []string{"ab\x1b[?1047h\r\n\r\nxy\x1b[?1047lQ\x1b[?47hzz\x1b[?47lR"}, want: "ab\n\n  Q  R"},
		{name: "several modes in one sequence", writes: []string{"ab\x1b[?25;1049hcd"}, want: "  cd"},
		{name: "nested: a second enter does nothing", writes: []string{"ab\x1b[?1049hcd\x1b[?1049h\x1b[?47hef\x1b[?1049lX"}, want: "abX"},
		{name: "unbalanced: leaving twice restores the cursor twice", writes: []string{"ab\x1b[?1049hcd\r\n\x1b[?1049lX\r\n\r\n\x1b[?1049lY"}, want: "abY\n\n"},
		{name: "unbalanced: leaving without entering cancels a pending wrap", width: 5, rows: 10, writes: []string{"abcde\x1b[?1049lX"}, want: "abcdX"},
		{name: "unbalanced: 47 leaves what 1049 entered", writes: []string{"ab\x1b[?1049h\r\nxy\x1b[?47lQ"}, want: "ab\n  Q"},
		{name: "clear history while on", width: 5, height: 3, rows: 13, writes: []string{"1\r\n2\r\n3\r\n4\x1b[?1049h\x1b[3Jx\x1b[?1049ly"}, want: "2\n3\n4y", dropped: 1},
		{name: "erase display while on keeps the history", width: 5, height: 3, rows: 13, writes: []string{"1\r\n2\r\n3\r\n4\x1b[?1049hab\x1b[2Jc\x1b[H\x1b[Jd"}, want: "1\nd\n\n", lines: 4},
	})
}

// TestScreenFullHeight checks that absolute positions address the bottom 1000 rows once
// more than 1000 rows were written, as on the reference's 1000-row tmux window.
// tmuxCapture renders input in a real tmux pane of the given size and history limit and
// reads it back the way the reference does: capture-pane -J -pS -, each line right-trimmed.
func tmuxCapture(t *testing.T, width, height, history int, input []byte) string {
	t.Helper()
	dir := t.TempDir()
	sock := filepath.Join(dir, "sock")
	conf := filepath.Join(dir, "tmux.conf")
	in := filepath.Join(dir, "in")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf("set -g history-limit %d\nset -g status off\n", history)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, input, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tmux := func(args ...string) string {
		out, err := exec.CommandContext(ctx, "tmux", append([]string{"-S", sock, "-f", conf}, args...)...).Output()
		if err != nil {
			t.Fatalf("tmux %v: %v", args, err)
		}
		return string(out)
	}
	defer exec.Command("tmux", "-S", sock, "kill-server").Run()
	script := fmt.Sprintf("stty -opost -echo; cat %s; tmux -S %s wait-for -S done; sleep 600", in, sock)
	tmux("new-session", "-d", "-x", fmt.Sprint(width), "-y", fmt.Sprint(height), "sh", "-c", script)
	tmux("wait-for", "done")
	out := tmux("capture-pane", "-J", "-pS", "-")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}

// tmuxTokens are the pieces random inputs are made of: text (one wide rune aside: tmux gives
// those two columns, Screen one), controls and the sequences Screen handles.
var tmuxTokens = []string{"ab", "cdefg", "hijklmnopq", "x", " ", "é", "█░", "\r\n", "\r\n", "\r", "\n", "\b", "\t",
	"\x1b[A", "\x1b[2B", "\x1b[C", "\x1b[3D", "\x1b[E", "\x1b[F", "\x1b[4G", "\x1b[2;3H", "\x1b[H", "\x1b[9;9H",
	"\x1b[J", "\x1b[1J", "\x1b[2J", "\x1b[3J", "\x1b[K", "\x1b[1K", "\x1b[2K", "\x1b[L", "\x1b[2M", "\x1b[P", "\x1b[2P", "\x1b[@", "\x1b[3@", "\x1b[2X", "\x1b[3d",
	"\x1b7", "\x1b8", "\x1bM", "\x1bD", "\x1bE", "\x1b[31m", "\x1b[0m", "\x1b]0;t\x07", "\x1b(B", "\x1b[?25l",
	"\x1b[?1049h", "\x1b[?1049l", "\x1b[?1049h", "\x1b[?1049l", "\x1b[?1047h", "\x1b[?1047l", "\x1b[?47h", "\x1b[?47l", "\x1b[?25;1049h"}

func randomTerminalInput(rng *rand.Rand, tokens int) string {
	var b strings.Builder
	for range 1 + rng.IntN(tokens) {
		b.WriteString(tmuxTokens[rng.IntN(len(tmuxTokens))])
	}
	return b.String()
}

// TestScreenMatchesTmux renders random terminal output in a real tmux (the reference's
// renderer) and in Screen, on small screens with small histories so that wrapping, scrolling
// and retention all happen, and requires the same text.
func TestScreenMatchesTmux(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (scripts/deps.d installs it)")
	}
	rng := rand.New(rand.NewPCG(20, 24))
	for c := range 150 {
		w, h, hist := 4+rng.IntN(10), 2+rng.IntN(5), 1+rng.IntN(12)
		input := randomTerminalInput(rng, 40)
		want := strings.TrimRight(tmuxCapture(t, w, h, hist, []byte(input)), "\n")
		s := NewScreen(w, h+hist)
		s.height = h // the session's screen is 1000 rows; tmux here has h
		s.Write([]byte(input))
		if got := strings.TrimRight(s.Text(), "\n"); got != want {
			t.Errorf("case %d, %dx%d with %d rows of history, %q:\n got %q\ntmux %q", c, w, h, hist, input, got, want)
		}
	}
}
func TestScreenFullHeight(t *testing.T) {
	t.Parallel()
	s := NewScreen(1000, 11000)
	for i := range 1050 {
		fmt.Fprintf(s, "L%d\r\n", i)
	}
	s.Write([]byte("\x1b[1;1HX\x1b[9999;1HY\x1b[1000A\x1b[3GZ\x1b[H\x1b[1L"))
	lines := strings.Split(s.Text(), "\n")
	if len(lines) != 1051 {
		t.Fatalf("%d lines, want 1051", len(lines))
	}
	// 1051 rows (the last one empty), so row 51 is the top of the screen; IL there pushed
	// the screen down by one row and the bottom row, with Y, fell off.
	checks := map[int]string{50: "L50", 51: "", 52: "X5Z", 53: "L52", 1050: "L1049"}
	for i, want := range checks {
		if lines[i] != want {
			t.Errorf("line %d = %q, want %q", i, lines[i], want)
		}
	}
	if strings.Contains(s.Text(), "Y") {
		t.Errorf("Y should have been on the bottom row, which IL pushed out")
	}
}

func TestScreenLongOutputRetention(t *testing.T) {
	t.Parallel()
	// The reference's test_long_output_exceed_history_limit: 50 000 lines, 10 000 lines of
	// history plus a 1000-row screen.
	s := NewScreen(1000, 11000)
	var b bytes.Buffer
	for i := 1; i <= 50000; i++ {
		fmt.Fprintf(&b, "Line %d\r\n", i)
	}
	s.Write(b.Bytes())
	text := s.Text()
	if s.Lines() != 11000 || s.Dropped() != 39001 {
		t.Fatalf("Lines() = %d, Dropped() = %d, want 11000 and 39001", s.Lines(), s.Dropped())
	}
	if !strings.HasPrefix(text, "Line 39002\n") || !strings.Contains(text, "\nLine 40000\n") || !strings.HasSuffix(text, "\nLine 50000\n") {
		t.Fatalf("retained text runs %q ... %q", text[:20], text[len(text)-20:])
	}
	if strings.Count(text, "\n") != 10999 {
		t.Fatalf("%d newlines, want 10999", strings.Count(text, "\n"))
	}
}

func TestScreenNoNewlineFloodIsBounded(t *testing.T) {
	t.Parallel()
	const width, rows = 1000, 11000
	s := NewScreen(width, rows)
	chunk := bytes.Repeat([]byte("0123456789abcdefü"), 4096) // ~70 KB, ASCII and not
	total := 0
	for total < 24<<20 {
		s.Write(chunk)
		total += len(chunk)
	}
	if s.Lines() != rows {
		t.Fatalf("Lines() = %d, want %d", s.Lines(), rows)
	}
	if got, limit := s.rowBytes(), 2*width*rows*2; got > limit {
		t.Fatalf("rows hold %d bytes, more than %d", got, limit)
	}
	text := s.Text()
	if strings.Contains(text, "\n") || utf8.RuneCountInString(text) != width*(rows-1)+s.col {
		t.Fatalf("text has %d runes and %d newlines", utf8.RuneCountInString(text), strings.Count(text, "\n"))
	}
	if s.Dropped() == 0 {
		t.Fatalf("nothing dropped")
	}
}

func TestScreenReset(t *testing.T) {
	t.Parallel()
	s := NewScreen(10, 2)
	s.Write([]byte("a\r\nb\r\nc\r\n\x1b[3"))
	s.Reset()
	if s.Text() != "" || s.Lines() != 1 || s.Dropped() != 0 {
		t.Fatalf("after Reset: %q, %d lines, %d dropped", s.Text(), s.Lines(), s.Dropped())
	}
	s.Write([]byte("1mx\xe2"))
	s.Reset()
	s.Write([]byte("\x82\xacy"))
	if got := s.Text(); got != "\uFFFD\uFFFDy" {
		t.Fatalf("a sequence cut by Reset carried over: %q", got)
	}

	// Reset in the alternate screen: back on the main screen, nothing set aside, no saved
	// cursor (leaving again neither restores rows nor moves the cursor).
	s = NewScreen(10, 5)
	s.Write([]byte("main\x1b[?1049h\r\nDRAWING"))
	s.Reset()
	if s.Text() != "" || s.Lines() != 1 || s.alt || s.altN != 0 {
		t.Fatalf("after Reset in the alternate screen: %q, %d lines, alt %v", s.Text(), s.Lines(), s.alt)
	}
	s.Write([]byte("x\x1b[?1049ly\r\nz"))
	if got := s.Text(); got != "xy\nz" || s.Lines() != 2 {
		t.Fatalf("after Reset and leaving: %q, %d lines", got, s.Lines())
	}
	s.Write([]byte("\x1b[?1049hq"))
	if got := s.Text(); got != "\n q" {
		t.Fatalf("entering after Reset: %q", got)
	}
	s.Write([]byte("\x1b[?1049l"))
	if got := s.Text(); got != "xy\nz" {
		t.Fatalf("leaving after Reset: %q", got)
	}
}

// rowBytes is the storage the rows hold, the main screen's rows set aside included.
func (s *Screen) rowBytes() int {
	n := 0
	for i := range s.rows {
		n += cap(s.rows[i].b)
	}
	for i := range s.altRows {
		n += cap(s.altRows[i].b)
	}
	return n
}

// FuzzScreen: never panics, keeps at most maxRows rows of at most width runes, returns valid
// UTF-8, and renders the same however the stream is cut into writes.
func FuzzScreen(f *testing.F) {
	for _, s := range []string{
		"a\r\nb", "10%\r100%\x1b[K\r\n", "\x1b[1;31mred\x1b[0m", "x\x1b[2A\x1b[3Gy\x1b[J", "\x1b]0;t\x07z",
		"\xe2\x82\xac\xff\xe2", "abcdefghijklmnop\r\n", "\x1b7a\x1b8\x1b[5;5H\x1b[2L\x1b[M\x1b[3@\x1b[2P\x1bM",
		"a\tb\bc\vd\fe", "\x1bPq\x1b\\\x1b(B\x1b[?25l",
		"ab\r\n\x1b[?1049hcd\r\n\r\n\r\nef\x1b[?1049lg", "x\x1b[?47hy\x1b[?1047l\x1b[?25;1049h\x1b[2Jz\x1b[3J\x1b[?1049l",
	} {
		f.Add([]byte(s), uint8(7), uint8(3), uint8(5))
	}
	f.Fuzz(func(t *testing.T, data []byte, width, rows, cut uint8) {
		w, r := 2+int(width)%40, 1+int(rows)%12
		whole := NewScreen(w, r)
		whole.Write(data)
		pieces := NewScreen(w, r)
		step := 1 + int(cut)%9
		for i := 0; i < len(data); i += step {
			pieces.Write(data[i:min(i+step, len(data))])
		}
		text := whole.Text()
		if got := pieces.Text(); got != text || pieces.Lines() != whole.Lines() || pieces.Dropped() != whole.Dropped() {
			t.Fatalf("cut every %d bytes: %q (%d lines, %d dropped), at once: %q (%d, %d)",
				step, got, pieces.Lines(), pieces.Dropped(), text, whole.Lines(), whole.Dropped())
		}
		if whole.Lines() > r || whole.Lines() < 1 {
			t.Fatalf("Lines() = %d with maxRows %d", whole.Lines(), r)
		}
		if !utf8.ValidString(text) {
			t.Fatalf("invalid UTF-8: %q", text)
		}
		for i := range whole.Lines() {
			row := whole.row(i)
			if c := utf8.RuneCount(row.b); c > w || c != row.cols {
				t.Fatalf("row %d has %d runes (cols %d), width %d", i, c, row.cols, w)
			}
			if row.hintCol <= row.cols {
				off := 0
				for range row.hintCol {
					_, size := utf8.DecodeRune(row.b[off:])
					off += size
				}
				if off != row.hintOff {
					t.Fatalf("row %d %q: stale hint (%d, %d), column %d is at byte %d", i, row.b, row.hintCol, row.hintOff, row.hintCol, off)
				}
			}
		}
		if len(whole.altRows) > r || whole.altN > len(whole.altRows) || !whole.alt && whole.altN != 0 {
			t.Fatalf("%d rows set aside, %d row buffers, alt %v, maxRows %d", whole.altN, len(whole.altRows), whole.alt, r)
		}
		// The rows set aside are at most one more screen of rows.
		if whole.rowBytes() > 2*(8*w*r+64*r) {
			t.Fatalf("rows hold %d bytes for %dx%d", whole.rowBytes(), w, r)
		}
	})
}

func benchmarkScreen(b *testing.B, chunk []byte) {
	s := NewScreen(1000, 11000)
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		s.Write(chunk)
	}
}

// writeSize is a typical PTY read.
const writeSize = 32 << 10

func repeatTo(unit string) []byte {
	return []byte(strings.Repeat(unit, writeSize/len(unit)))
}

func BenchmarkScreenPlainLines(b *testing.B) {
	benchmarkScreen(b, repeatTo("drwxr-xr-x  2 root root  4096 Nov 21 08:07 some_directory_name\r\n"))
}

func BenchmarkScreenShortLines(b *testing.B) {
	benchmarkScreen(b, repeatTo("Line 12345\r\n"))
}

func BenchmarkScreenProgressBar(b *testing.B) {
	benchmarkScreen(b, repeatTo("\r 45%|████▌     | 45/100 [00:01<00:01, 44.9it/s]"))
}

func BenchmarkScreenProgressBarASCII(b *testing.B) {
	benchmarkScreen(b, repeatTo("\rDownloading: [=========>          ] 45% 12.3 MB/s"))
}

func BenchmarkScreenColours(b *testing.B) {
	benchmarkScreen(b, repeatTo("\x1b[01;34mdir\x1b[0m  \x1b[01;32mscript.sh\x1b[0m  \x1b[38;5;208mfile.txt\x1b[0m\r\n"))
}

func BenchmarkScreenText(b *testing.B) {
	s := NewScreen(1000, 11000)
	for i := range 11000 {
		fmt.Fprintf(s, "Line %d of some output\r\n", i)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Text()
	}
}

func BenchmarkScreenAlternateScreen(b *testing.B) {
	// A full-screen program: its drawing (a screenful of 50-column lines), left again.
	page := "$ less f\r\n\x1b[?1049h\x1b[H\x1b[2J" + strings.Repeat(strings.Repeat("text ", 10)+"\r\n", 600) +
		"\x1b[7m(END)\x1b[m\x1b[?1049l$ \r\n"
	benchmarkScreen(b, []byte(page))
}
