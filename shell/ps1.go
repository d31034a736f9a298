package shell

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The reference's prompt markers. Ours add a per-session nonce after each (see markers), so
// that output which merely contains the reference's text (a log, a transcript, the reference's
// own server run in the sandbox) is never taken for a prompt.
const (
	ps1Begin = "###PS1JSON###"
	ps1End   = "###PS1END###"
	// maxPromptBytes bounds a prompt block; a longer one is plain output.
	maxPromptBytes = 64 << 10
	nonceBytes     = 8
)

// ps1JSON is the reference's metadata line. Only variable expansions, no command
// substitutions: a prompt costs bash no fork. The python path is resolved from PATH by the
// server (as `which python` would) instead of a `$(which python)` subshell. `${!-}` is
// `$!` (empty before the first background job) without an error under `set -u`, which
// would otherwise break every prompt.
const ps1JSON = `{"pid": "${!-}", "exit_code": "$?", "username": "\u", "hostname": "\h", "working_dir": "$PWD", "path": "$PATH"}`

// markers are one session's prompt delimiters and the line that installs them.
type markers struct {
	begin, end []byte // as bash prints them: the reference's marker, then the nonce
	setup      string // typed once at start-up
}

// newMarkers builds the markers for nonce (hex digits). In PS1 the nonce is written as octal
// escapes with an empty \[\] between them, which only prompt expansion turns into the
// nonce: `echo "$PS1"`, `env`, `set` and `declare -p` show the escapes, and `printf "$PS1"`
// decodes the octal but keeps the \[\]. Only a deliberate `${PS1@P}` reproduces it.
//
// The prompt is re-applied before every prompt (PROMPT_COMMAND, exported with the prompt
// itself, as the reference exports PROMPT_COMMAND) so that .bashrc, venv or conda changes
// cannot remove it and nested or exec'd interactive shells print it too; PS2 is empty.
func newMarkers(nonce string) markers {
	var enc strings.Builder
	for i := 0; i < len(nonce); i++ {
		fmt.Fprintf(&enc, `\%03o\[\]`, nonce[i])
	}
	ps1 := `\n` + ps1Begin + enc.String() + `\n` + ps1JSON + `\n` + ps1End + enc.String() + `\n`
	return markers{
		begin: []byte(ps1Begin + nonce),
		end:   []byte(ps1End + nonce),
		setup: `export __gohands_ps1='` + ps1 + `'; export PROMPT_COMMAND='PS1=$__gohands_ps1'; export PS2=''; PS1=$__gohands_ps1` + "\n",
	}
}

// newNonce is a fresh random nonce for one session's markers.
func newNonce() (string, error) {
	b := make([]byte, nonceBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("prompt nonce: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// prompt is one parsed PS1 block.
type prompt struct {
	ExitCode   int
	PID        int
	Username   string
	Hostname   string
	WorkingDir string
	Path       string
}

// parsePrompt parses the JSON between the markers; ok is false when it is not valid JSON,
// in which case the reference treats the block as ordinary output.
func parsePrompt(body []byte) (prompt, bool) {
	body = bytes.ReplaceAll(body, []byte("\r"), nil)
	var m map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(body), &m); err != nil {
		return prompt{}, false
	}
	str := func(k string) string {
		switch v := m[k].(type) {
		case string:
			return v
		case nil:
			return ""
		default:
			b, _ := json.Marshal(v)
			return string(b)
		}
	}
	return prompt{
		ExitCode:   pyIntOr(m["exit_code"], -1),
		PID:        pyIntOr(m["pid"], -1),
		Username:   str("username"),
		Hostname:   str("hostname"),
		WorkingDir: str("working_dir"),
		Path:       str("path"),
	}, true
}

// pyIntOr is Python's int(float(str(v))) with a fallback.
func pyIntOr(v any, def int) int {
	var s string
	switch t := v.(type) {
	case string:
		s = t
	case float64:
		s = strconv.FormatFloat(t, 'f', -1, 64)
	default:
		return def
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return def
	}
	return int(f)
}

// scanner splits the PTY byte stream into output text and prompt blocks. Markers may be split
// across reads; a partial marker is held back until the next read decides it.
type scanner struct {
	m        markers
	inPrompt bool
	pend     []byte // held-back bytes: a possible marker prefix, or the prompt body
	skipNL   int    // bytes of "\r\n" still to swallow after a prompt's end marker
}

// feed processes p, calling text for output bytes and onPrompt for each valid prompt.
func (s *scanner) feed(p []byte, text func([]byte), onPrompt func(prompt)) {
	data := p
	if len(s.pend) > 0 {
		s.pend = append(s.pend, p...)
		data = s.pend
	}
	for len(data) > 0 {
		if s.skipNL > 0 {
			if data[0] == '\r' && s.skipNL == 2 {
				data = data[1:]
				s.skipNL = 1
				continue
			}
			if data[0] == '\n' {
				data = data[1:]
			}
			s.skipNL = 0
			continue
		}
		if !s.inPrompt {
			i := bytes.Index(data, s.m.begin)
			if i < 0 {
				keep := partialSuffix(data, s.m.begin)
				text(data[:len(data)-keep])
				data = data[len(data)-keep:]
				break
			}
			text(data[:i])
			data = data[i+len(s.m.begin):]
			s.inPrompt = true
			continue
		}
		j := bytes.Index(data, s.m.end)
		if j < 0 {
			if len(data) > maxPromptBytes {
				// Not a prompt after all: give it back as output.
				s.inPrompt = false
				text(s.m.begin)
				text(data)
				data = nil
			}
			break
		}
		body := data[:j]
		if pr, ok := parsePrompt(body); ok {
			onPrompt(pr)
			s.skipNL = 2
		} else {
			text(s.m.begin)
			text(body)
			text(s.m.end)
		}
		data = data[j+len(s.m.end):]
		s.inPrompt = false
	}
	// Keep what is left (a marker prefix or an unfinished prompt body) for the next read.
	rest := append([]byte(nil), data...)
	s.pend = rest[:len(rest):len(rest)]
	if len(s.pend) == 0 {
		s.pend = nil
	}
}

// partialSuffix is the length of the longest suffix of data that is a proper prefix of marker.
func partialSuffix(data, marker []byte) int {
	max := len(marker) - 1
	if max > len(data) {
		max = len(data)
	}
	for n := max; n > 0; n-- {
		if bytes.Equal(data[len(data)-n:], marker[:n]) {
			return n
		}
	}
	return 0
}
