package files

import (
	"fmt"
	"strings"
)

// insert puts newStr after line insertLine. Every inserted piece gets a "\n", and a last
// line without one is not terminated first (so "a\nb" + insert at 2 of "c" is "a\nbc\n"),
// exactly as ACI.
func (e *Editor) insert(p string, insertLine int, repr, newStr string) (EditResult, error) {
	if err := e.validateFile(p); err != nil {
		return EditResult{}, err
	}
	h, text, enc, err := e.openText(p)
	if err != nil {
		return EditResult{}, err
	}
	if h != nil {
		defer h.close()
	}
	numLines := countLines(text)
	if insertLine < 0 || insertLine > numLines {
		return EditResult{}, paramInvalid("insert_line", repr,
			fmt.Sprintf("It should be within the range of allowed values: [0, %d]", numLines))
	}
	cut := 0
	for i := 0; i < insertLine; i++ {
		j := strings.IndexByte(text[cut:], '\n')
		if j < 0 {
			cut = len(text)
			break
		}
		cut += j + 1
	}
	pieces := strings.Split(newStr, "\n")
	var b strings.Builder
	b.Grow(len(text) + len(newStr) + 1)
	b.WriteString(text[:cut])
	for _, piece := range pieces {
		b.WriteString(piece)
		b.WriteByte('\n')
	}
	b.WriteString(text[cut:])
	newText := b.String()
	if err := e.writeText(h, p, newText, enc); err != nil {
		return EditResult{}, err
	}
	if err := e.history.add(p, text); err != nil {
		return EditResult{}, err
	}
	newText = universalNewlines(newText) // the reference re-reads the file
	k := len(pieces)
	start := max(0, insertLine-snippetContext)
	end := min(numLines+k, insertLine+snippetContext+k)
	snippet := lineRange(newText, start+1, end)
	out := "The file " + p + " has been edited. " + catN(snippet, "a snippet of the edited file", max(1, insertLine-snippetContext+1)) +
		"Review the changes and make sure they are as expected (correct indentation, no duplicate lines, etc). Edit the file again if necessary."
	return EditResult{Output: out, Path: p, PrevExist: true, OldContent: strPtr(text), NewContent: strPtr(newText)}, nil
}
