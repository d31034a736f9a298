package shell

import (
	"strings"
	"testing"
)

func TestParsePrompt(t *testing.T) {
	t.Parallel()
	cases := []struct {
		body     string
		ok       bool
		exit     int
		pid      int
		username string
	}{
		{`{"pid": "", "exit_code": "0", "username": "oh", "hostname": "h", "working_dir": "/w", "path": "/bin"}`, true, 0, -1, "oh"},
		{"\r\n{\"pid\": \"123\", \"exit_code\": \"127\"}\r\n", true, 127, 123, ""},
		{`{"pid": "1.0", "exit_code": "2.7"}`, true, 2, 1, ""},
		{`{"pid": "abc", "exit_code": "x"}`, true, -1, -1, ""},
		{`{"exit_code": 5}`, true, 5, -1, ""},
		{`{"username": "\u"}`, false, 0, 0, ""}, // echo $PS1 prints the unexpanded prompt: not JSON
		{`not json`, false, 0, 0, ""},
	}
	for _, c := range cases {
		pr, ok := parsePrompt([]byte(c.body))
		if ok != c.ok {
			t.Fatalf("%q: ok %v", c.body, ok)
		}
		if ok && (pr.ExitCode != c.exit || pr.PID != c.pid || pr.Username != c.username) {
			t.Fatalf("%q: %+v", c.body, pr)
		}
	}
}

// testNonce is the nonce of the scanner tests' markers: B and E below are what bash prints.
const testNonce = "0123456789abcdef"

const (
	B = ps1Begin + testNonce
	E = ps1End + testNonce
)

// scanAll feeds the stream in the given chunk size and returns the text and the prompts.
func scanAll(stream string, chunk int) (string, []prompt) {
	sc := scanner{m: newMarkers(testNonce)}
	var text strings.Builder
	var prompts []prompt
	for i := 0; i < len(stream); i += chunk {
		j := i + chunk
		if j > len(stream) {
			j = len(stream)
		}
		sc.feed([]byte(stream[i:j]), func(b []byte) { text.Write(b) }, func(p prompt) { prompts = append(prompts, p) })
	}
	return text.String(), prompts
}

func TestScannerSplitsPrompts(t *testing.T) {
	t.Parallel()
	p := func(code string) string {
		return "\r\n" + B + "\r\n{\"pid\": \"\", \"exit_code\": \"" + code + "\"}\r\n" + E + "\r\n"
	}
	cases := []struct {
		name, stream, text string
		codes              []int
	}{
		{"one prompt", "hi\r\n" + p("0"), "hi\r\n\r\n", []int{0}},
		{"two prompts", "a\r\n" + p("1") + "b\r\n" + p("2"), "a\r\n\r\nb\r\n\r\n", []int{1, 2}},
		{"invalid json is text", B + "{oops}" + E + "x", B + "{oops}" + E + "x", nil},
		{"partial marker at end", "abc###PS1", "abc", nil},
		{"partial nonce at end", "abc" + B[:len(B)-3], "abc", nil},
		{"marker-like text", "###PS1JSO not a marker", "###PS1JSO not a marker", nil},
		// The reference's own markers, or ours with another session's nonce, are output.
		{"reference markers are text", "###PS1JSON###\r\n{\"exit_code\": \"0\"}\r\n###PS1END###\r\n",
			"###PS1JSON###\r\n{\"exit_code\": \"0\"}\r\n###PS1END###\r\n", nil},
		{"other nonce is text", ps1Begin + "fedcba9876543210\n{}\n" + ps1End + "fedcba9876543210\n",
			ps1Begin + "fedcba9876543210\n{}\n" + ps1End + "fedcba9876543210\n", nil},
		{"end marker without nonce in the body", B + "\n{\"working_dir\": \"/" + ps1End + "\"}\n" + E + "\n", "", []int{-1}},
	}
	for _, c := range cases {
		for _, chunk := range []int{1, 2, 3, 7, 1 << 20} {
			text, prompts := scanAll(c.stream, chunk)
			if text != c.text || len(prompts) != len(c.codes) {
				t.Fatalf("%s/chunk %d: text %q prompts %d", c.name, chunk, text, len(prompts))
			}
			for i, pr := range prompts {
				if pr.ExitCode != c.codes[i] {
					t.Fatalf("%s: prompt %d exit %d", c.name, i, pr.ExitCode)
				}
			}
		}
	}
}

// FuzzScanner: whatever the stream and however it is cut, the scanner never panics, and
// feeding it whole or byte by byte gives the same text and prompts.
func FuzzScanner(f *testing.F) {
	f.Add("hi\r\n\r\n"+B+"\r\n{\"exit_code\": \"0\"}\r\n"+E+"\r\nmore", 3)
	f.Add(B+E+B, 1)
	f.Add("###PS1JSON######PS1END######PS1JSON###", 1)
	f.Fuzz(func(t *testing.T, stream string, chunk int) {
		if chunk <= 0 || chunk > 64 {
			chunk = 1 + (chunk&0x3f+64)%64
		}
		t1, p1 := scanAll(stream, len(stream)+1)
		t2, p2 := scanAll(stream, chunk)
		if len(p1) != len(p2) {
			t.Fatalf("prompts %d vs %d", len(p1), len(p2))
		}
		// Text held back at the end (a partial marker) may differ; the rest must agree.
		if !strings.HasPrefix(t1, t2) && !strings.HasPrefix(t2, t1) {
			t.Fatalf("text %q vs %q", t1, t2)
		}
	})
}

func TestBuffer(t *testing.T) {
	t.Parallel()
	b := NewBuffer(8)
	b.Write([]byte("hello"))
	if got, off := b.ReadFrom(0, nil); string(got) != "hello" || off != 0 {
		t.Fatalf("%q %d", got, off)
	}
	b.Write([]byte(" world"))
	if b.Start() != 3 || b.End() != 11 {
		t.Fatalf("start %d end %d", b.Start(), b.End())
	}
	if got, off := b.ReadFrom(0, nil); string(got) != "lo world" || off != 3 {
		t.Fatalf("%q %d", got, off)
	}
	if got, _ := b.ReadFrom(9, nil); string(got) != "ld" {
		t.Fatalf("%q", got)
	}
	b.Write([]byte("0123456789abc"))
	if got, off := b.ReadFrom(0, nil); string(got) != "56789abc" || off != 16 {
		t.Fatalf("%q %d", got, off)
	}
}

func TestWhichPython(t *testing.T) {
	t.Parallel()
	if got := whichPython("/nonexistent:/also/not", "/"); got != "" {
		t.Fatalf("%q", got)
	}
}

// TestPS1TextHidesTheNonce: what `echo "$PS1"`, `env` or `set` print of the installed prompt
// never contains the nonce, so printing the variable cannot forge a prompt.
func TestPS1TextHidesTheNonce(t *testing.T) {
	t.Parallel()
	for i := 0; i < 20; i++ {
		nonce, err := newNonce()
		if err != nil {
			t.Fatal(err)
		}
		m := newMarkers(nonce)
		if strings.Contains(m.setup, nonce) || strings.Contains(m.setup, string(m.begin)) || strings.Contains(m.setup, string(m.end)) {
			t.Fatalf("setup line shows the nonce %s: %s", nonce, m.setup)
		}
		if len(m.setup) >= maxTypedLine {
			t.Fatalf("setup line is %d bytes: too long to type", len(m.setup))
		}
	}
}
