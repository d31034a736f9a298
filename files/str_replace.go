package files

import (
	"sort"
	"strconv"
	"strings"
)

// findOccurrences returns the 1-based line numbers of the non-overlapping matches of old in
// text, left to right (re.finditer of the escaped string), and the byte offset of the first.
// An empty old matches at every character boundary.
func findOccurrences(text, old string) (lines []int, first, count int) {
	if old == "" {
		if text == "" {
			return []int{1}, 0, 1
		}
		// Every boundary matches, so there are at least two matches on these lines.
		n := strings.Count(text, "\n") + 1
		lines = make([]int, n)
		for i := range lines {
			lines[i] = i + 1
		}
		return lines, 0, 2
	}
	first = -1
	line, counted := 1, 0
	for off := 0; ; {
		i := strings.Index(text[off:], old)
		if i < 0 {
			break
		}
		pos := off + i
		line += strings.Count(text[counted:pos], "\n")
		counted = pos
		if first < 0 {
			first = pos
		}
		lines = append(lines, line)
		off = pos + len(old)
	}
	return lines, first, len(lines)
}

func pyIntList(xs []int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(x))
	}
	b.WriteByte(']')
	return b.String()
}

// strReplace replaces the single literal occurrence of oldStr. When there is none it
// retries with both strings stripped of surrounding whitespace (ACI 0.3.2).
func (e *Editor) strReplace(p, oldStr, newStr string) (EditResult, error) {
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
	lines, idx, count := findOccurrences(text, oldStr)
	if count == 0 {
		oldStr, newStr = pyStrip(oldStr), pyStrip(newStr)
		lines, idx, count = findOccurrences(text, oldStr)
		if count == 0 {
			return EditResult{}, toolErr("No replacement was performed, old_str `%s` did not appear verbatim in %s.", oldStr, p)
		}
	}
	if count > 1 {
		uniq := lines[:0:0]
		sort.Ints(lines)
		for i, l := range lines {
			if i == 0 || l != lines[i-1] {
				uniq = append(uniq, l)
			}
		}
		return EditResult{}, toolErr("No replacement was performed. Multiple occurrences of old_str `%s` in lines %s. Please ensure it is unique.", oldStr, pyIntList(uniq))
	}
	newText := text[:idx] + newStr + text[idx+len(oldStr):]
	if err := e.writeText(h, p, newText, enc); err != nil {
		return EditResult{}, err
	}
	if err := e.history.add(p, text); err != nil {
		return EditResult{}, err
	}
	line := lines[0]
	start := max(0, line-snippetContext)
	end := line + snippetContext + strings.Count(newStr, "\n")
	snippet := lineRange(universalNewlines(newText), start+1, end)
	out := "The file " + p + " has been edited. " + catN(snippet, "a snippet of "+p, start+1) +
		"Review the changes and make sure they are as expected. Edit the file again if necessary."
	return EditResult{Output: out, Path: p, PrevExist: true, OldContent: strPtr(text), NewContent: strPtr(newText)}, nil
}
