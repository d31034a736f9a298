package runtime_build

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// Progress shows an engine's JSON message stream (build, pull, push) the way the docker CLI
// does: build output line by line; pull and push progress as one line per layer, redrawn in
// place on a terminal and printed once per state change otherwise. Quiet prints nothing. The
// last lines are kept either way, so a failure can show what led to it.
type Progress struct {
	Out   io.Writer // nil: nothing is printed
	TTY   bool
	Quiet bool

	mu   sync.Mutex
	tail []string
	last map[string]string // layer id → last printed status (non-TTY)
	open bool              // a redrawable line is on screen (TTY)
}

// NewProgress writes to out, detecting a terminal when out is *os.File.
func NewProgress(out io.Writer, quiet bool) *Progress {
	p := &Progress{Out: out, Quiet: quiet}
	if f, ok := out.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.TTY = true
		}
	}
	return p
}

const tailLines = 40

// Tail returns the last lines seen (printed or not).
func (p *Progress) Tail() string {
	if p == nil {
		return ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.tail, "\n")
}

func (p *Progress) remember(line string) {
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return
	}
	p.tail = append(p.tail, line)
	if len(p.tail) > tailLines {
		p.tail = p.tail[len(p.tail)-tailLines:]
	}
}

// Printf writes one line of the builder's own (unless quiet).
func (p *Progress) Printf(format string, a ...any) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	line := fmt.Sprintf(format, a...)
	p.remember(line)
	if p.Out != nil && !p.Quiet {
		p.endLine()
		fmt.Fprintln(p.Out, line)
	}
}

func (p *Progress) endLine() {
	if p.open {
		fmt.Fprintln(p.Out)
		p.open = false
	}
}

// jsonMessage is one message of the stream.
type jsonMessage struct {
	Stream      string `json:"stream"`
	Status      string `json:"status"`
	Progress    string `json:"progress"`
	ID          string `json:"id"`
	Error       string `json:"error"`
	ErrorDetail *struct {
		Message string `json:"message"`
	} `json:"errorDetail"`
	Aux json.RawMessage `json:"aux"`
}

// Stream reads messages until the end and returns the last image ID announced (build) or "".
// An error message in the stream becomes the returned error, with the last lines of output.
func (p *Progress) Stream(r io.Reader) (string, error) {
	if p == nil {
		p = &Progress{}
	}
	dec := json.NewDecoder(r)
	var id string
	for {
		var m jsonMessage
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return id, fmt.Errorf("reading engine stream: %w", err)
		}
		if len(m.Aux) > 0 {
			var aux struct{ ID string }
			if json.Unmarshal(m.Aux, &aux) == nil && aux.ID != "" {
				id = aux.ID
			}
		}
		msg := m.Error
		if msg == "" && m.ErrorDetail != nil {
			msg = m.ErrorDetail.Message
		}
		if msg != "" {
			p.mu.Lock()
			p.remember(msg)
			if p.Out != nil && !p.Quiet {
				p.endLine()
			}
			p.mu.Unlock()
			return id, &StreamError{Message: strings.TrimSpace(msg), Tail: p.Tail()}
		}
		p.show(m)
	}
	p.mu.Lock()
	if p.Out != nil && !p.Quiet {
		p.endLine()
	}
	p.mu.Unlock()
	return id, nil
}

func (p *Progress) show(m jsonMessage) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case m.Stream != "":
		for _, l := range strings.SplitAfter(m.Stream, "\n") {
			p.remember(l)
		}
		if p.Out != nil && !p.Quiet {
			p.endLine()
			io.WriteString(p.Out, m.Stream)
		}
	case m.Status != "":
		line := m.Status
		if m.ID != "" {
			line = m.ID + ": " + m.Status
		}
		if p.Out == nil || p.Quiet {
			if m.Progress == "" {
				p.remember(line)
			}
			return
		}
		if p.TTY {
			// One line per layer would need cursor addressing; the current layer's line is
			// redrawn in place and kept once it moves on.
			if m.Progress != "" {
				fmt.Fprintf(p.Out, "\r\x1b[K%s %s", line, m.Progress)
				p.open = true
				return
			}
			p.remember(line)
			fmt.Fprintf(p.Out, "\r\x1b[K%s\n", line)
			p.open = false
			return
		}
		if m.Progress != "" {
			return
		}
		if p.last == nil {
			p.last = map[string]string{}
		}
		if p.last[m.ID] == m.Status && m.ID != "" {
			return
		}
		p.last[m.ID] = m.Status
		p.remember(line)
		fmt.Fprintln(p.Out, line)
	}
}

// StreamError is an error reported inside an engine's message stream.
type StreamError struct {
	Message string
	Tail    string // the output that led to it
}

func (e *StreamError) Error() string {
	if e.Tail == "" || e.Tail == e.Message {
		return e.Message
	}
	return e.Message + "\n--- last output ---\n" + e.Tail
}
