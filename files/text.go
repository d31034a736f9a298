package files

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxResponseChars is the editor's output limit, in characters (code points).
const MaxResponseChars = 16000

// Truncation notices, verbatim from the reference.
const (
	ContentTruncatedNotice    = "<response clipped><NOTE>Due to the max output limit, only part of the full response has been shown to you.</NOTE>"
	TextFileTruncatedNotice   = "<response clipped><NOTE>Due to the max output limit, only part of this file has been shown to you. You should retry this tool after you have searched inside the file with `grep -n` in order to find the line numbers of what you are looking for.</NOTE>"
	BinaryFileTruncatedNotice = "<response clipped><NOTE>Due to the max output limit, only part of this file has been shown to you. Please use Python libraries to view the entire file or search for specific content within the file.</NOTE>"
	DirectoryTruncatedNotice  = "<response clipped><NOTE>Due to the max output limit, only part of this directory has been shown to you. You should use `ls -la` instead to view large directories incrementally.</NOTE>"
)

// runePrefixLen is the byte length of the first n characters of s, or -1 when s has at
// most n characters.
func runePrefixLen(s string, n int) int {
	if len(s) <= n {
		return -1
	}
	count := 0
	for i := range s {
		if count == n {
			return i
		}
		count++
	}
	return -1
}

// maybeTruncate keeps the first limit characters and appends notice (head-only, as ACI).
func maybeTruncate(s string, limit int, notice string) string {
	if limit <= 0 {
		return s
	}
	if i := runePrefixLen(s, limit); i >= 0 {
		return s[:i] + notice
	}
	return s
}

// universalNewlines is Python's text-mode reading: "\r\n" and a lone "\r" become "\n".
func universalNewlines(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' {
			b.WriteByte('\n')
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// countLines counts lines as iterating a Python text file does.
func countLines(s string) int {
	n := strings.Count(s, "\n")
	if len(s) > 0 && s[len(s)-1] != '\n' {
		n++
	}
	return n
}

// lineRange returns lines start..end (1-based, inclusive, each with its "\n"), clipped to
// the text, as ACI's read_file(start_line, end_line) does.
func lineRange(s string, start, end int) string {
	if end < start || end < 1 {
		return ""
	}
	if start < 1 {
		start = 1
	}
	line, from := 1, -1
	if start == 1 {
		from = 0
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '\n' {
			continue
		}
		if line == end {
			return s[from : i+1]
		}
		line++
		if line == start {
			from = i + 1
		}
	}
	if from < 0 {
		return ""
	}
	return s[from:]
}

// isLineBoundary reports the characters Python's str.splitlines splits on (besides \r\n).
func isLineBoundary(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// pySplitlinesJoin is "\n".join(s.splitlines()).
func pySplitlinesJoin(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isLineBoundary(r) {
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		i += n
		if r == '\r' && i < len(s) && s[i] == '\n' {
			i++
		}
		if i < len(s) {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// catN is ACI's _make_output: truncate, number every "\n"-separated piece as `%6d\t`.
func catN(content, description string, startLine int) string {
	content = maybeTruncate(content, MaxResponseChars, TextFileTruncatedNotice)
	var b strings.Builder
	b.Grow(len(content) + (strings.Count(content, "\n")+1)*8 + len(description) + 48)
	b.WriteString("Here's the result of running `cat -n` on ")
	b.WriteString(description)
	b.WriteString(":\n")
	n := startLine
	var num [24]byte
	for {
		line, rest, more := strings.Cut(content, "\n")
		d := strconv.AppendInt(num[:0], int64(n), 10)
		for i := len(d); i < 6; i++ {
			b.WriteByte(' ')
		}
		b.Write(d)
		b.WriteByte('\t')
		b.WriteString(line)
		b.WriteByte('\n')
		if !more {
			break
		}
		content = rest
		n++
	}
	return b.String()
}
