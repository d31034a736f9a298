package shell

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gohands/gohands/internal/fault"
)

func newStreamSession(t *testing.T, max int) *Session {
	t.Helper()
	return startTestSession(t, Config{Stream: true, StreamMax: max})
}

func expectPrompt(t *testing.T, s *Session, pats ...string) ExpectResult {
	t.Helper()
	res, err := s.Expect(context.Background(), compile(pats), 20*time.Second, true)
	if err != nil {
		t.Fatalf("expect: %v", err)
	}
	return res
}

func compile(pats []string) []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(pats))
	for i, p := range pats {
		out[i] = regexp.MustCompile(p)
	}
	return out
}

// TestStreamExpect: the stream holds exactly what commands print (the prompt's own newline
// removed), one prompt per command line, its exit code, and what was not consumed stays for
// the next wait.
func TestStreamExpect(t *testing.T) {
	t.Parallel()
	s := newStreamSession(t, 0)
	for _, c := range []struct {
		cmd    string
		before string
		code   int
	}{
		{"echo hi", "hi\r\n", 0},
		{"printf x", "x", 0},
		{"echo ''", "\r\n", 0},
		{"false", "", 1},
		{"cat <<'EOF'\na\n$HOME\nEOF", "a\r\n$HOME\r\n", 0},
		{"echo a\n\necho b; (exit 3)", "a\r\nb\r\n", 3},
		{"echo " + strings.Repeat("y", 5000), strings.Repeat("y", 5000) + "\r\n", 0}, // longer than a tty line
	} {
		if err := s.SendCommand(c.cmd); err != nil {
			t.Fatal(err)
		}
		res := expectPrompt(t, s)
		if string(res.Before) != c.before || res.Index != -1 || res.ExitCode != c.code {
			t.Errorf("%q: before %q index %d code %d, want %q -1 %d", c.cmd, res.Before, res.Index, res.ExitCode, c.before, c.code)
		}
	}

	// A pattern before the prompt wins; the rest stays for the next Expect.
	if err := s.SendCommand("echo one; echo two"); err != nil {
		t.Fatal(err)
	}
	res := expectPrompt(t, s, "one\r\n")
	if res.Index != 0 || len(res.Before) != 0 {
		t.Fatalf("pattern: %+v", res)
	}
	res = expectPrompt(t, s)
	if string(res.Before) != "two\r\n" || res.Index != -1 {
		t.Fatalf("rest: %+v", res)
	}

	// Unread puts text back in front.
	s.Unread([]byte("back\n"))
	if err := s.SendCommand("echo more"); err != nil {
		t.Fatal(err)
	}
	if res := expectPrompt(t, s); string(res.Before) != "back\nmore\r\n" {
		t.Fatalf("after Unread: %q", res.Before)
	}

	// Without prompt, prompts inside the consumed text are passed over.
	if err := s.SendCommand("echo first"); err != nil {
		t.Fatal(err)
	}
	if err := s.SendCommand("echo MARK"); err != nil {
		t.Fatal(err)
	}
	res, err := s.Expect(context.Background(), compile([]string{"MARK"}), 20*time.Second, false)
	if err != nil || res.Index != 0 || !strings.Contains(string(res.Before), "first") {
		t.Fatalf("no-prompt expect: %+v %v", res, err)
	}
	if res := expectPrompt(t, s); string(res.Before) != "\r\n" {
		t.Fatalf("prompt after MARK: %q", res.Before)
	}
}

func TestStreamTimeoutAndInterrupt(t *testing.T) {
	t.Parallel()
	s := newStreamSession(t, 0)
	if err := s.SendCommand("sleep 30"); err != nil {
		t.Fatal(err)
	}
	_, err := s.Expect(context.Background(), nil, 100*time.Millisecond, true)
	if !fault.Is(err, fault.Timeout) {
		t.Fatalf("want a Timeout fault, got %v", err)
	}
	if err := s.SendControl('c'); err != nil {
		t.Fatal(err)
	}
	if res := expectPrompt(t, s); res.ExitCode != 130 {
		t.Fatalf("after C-c: %+v", res)
	}
	if err := s.SendCommand("echo ok"); err != nil {
		t.Fatal(err)
	}
	if res := expectPrompt(t, s); string(res.Before) != "ok\r\n" {
		t.Fatalf("after interrupt: %q", res.Before)
	}
	// bash exits: Expect says so instead of waiting.
	if err := s.SendCommand("exit"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Expect(context.Background(), nil, 20*time.Second, true); !fault.Is(err, fault.Unavailable) {
		t.Fatalf("after exit: %v", err)
	}
}

// TestStreamBounded: a flood keeps only the newest StreamMax bytes and says how many it
// dropped.
func TestStreamBounded(t *testing.T) {
	t.Parallel()
	s := newStreamSession(t, 64<<10)
	if err := s.SendCommand("head -c 1000000 /dev/zero | tr '\\0' a; echo; echo END"); err != nil {
		t.Fatal(err)
	}
	res := expectPrompt(t, s)
	if len(res.Before) > 64<<10 || res.Dropped == 0 || !strings.HasSuffix(string(res.Before), "END\r\n") {
		t.Fatalf("kept %d bytes, dropped %d, tail %q", len(res.Before), res.Dropped, res.Before[max(0, len(res.Before)-10):])
	}
	if int64(len(res.Before))+res.Dropped < 1000000 {
		t.Fatalf("kept %d + dropped %d < the bytes printed", len(res.Before), res.Dropped)
	}
}

func TestCheckSyntax(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		cmd    string
		ok     bool
		stderr string
	}{
		{"echo hi", true, ""},
		{"[[ $a == $b ]] && A=()", true, ""},
		{"cat <<EOF\nx\nEOF", true, ""},
		{"(a", false, "bash: line 2: syntax error: unexpected end of file\n"},
		{"echo 'x", false, "bash: line 1: unexpected EOF while looking for matching `''\n"},
		{"fi", false, "bash: line 1: syntax error near unexpected token `fi'\nbash: line 1: `fi'\n"},
	} {
		err := CheckSyntax(c.cmd)
		if (err == nil) != c.ok {
			t.Errorf("%q: %v", c.cmd, err)
			continue
		}
		if se, ok := err.(*SyntaxError); err != nil && (!ok || string(se.Stderr) != c.stderr || se.ExitCode != 2) {
			t.Errorf("%q: %#v, want stderr %q", c.cmd, err, c.stderr)
		}
	}
}
