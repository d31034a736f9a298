package shell

import (
	"strings"
	"unicode"

	"mvdan.cc/sh/v3/syntax"
)

// SplitCommands splits cmd into its top-level commands the way the reference's
// split_bash_commands (bashlex 0.18) does. More than one result means the reference
// rejects the action with "Cannot execute multiple commands at once".
//
// Rules, each checked against bashlex 0.18:
//   - empty or whitespace-only input gives [""];
//   - a top-level command ends at a newline; statements joined by ';' or '&' on one line,
//     and anything spanning lines inside a compound command, a heredoc, a quoted string,
//     a $( ) or a backslash-newline stay one command;
//   - a command's text runs from its first token up to the next command's first token,
//     right-trimmed, so comments and blank lines after it belong to it;
//   - non-blank text before the first command (a leading comment) is a command of its own;
//   - input that does not parse, or that uses syntax bashlex cannot parse (case, [[ ]],
//     (( )), $(( )), time, coproc, select, C-style for), is returned whole and unchanged.
func SplitCommands(cmd string) []string {
	if strings.TrimFunc(cmd, pySpace) == "" {
		return []string{""}
	}
	if endsInContinuation(cmd) {
		return []string{cmd}
	}
	// bash and bashlex treat CR and NUL as ordinary word characters ("fi\r" is not "fi"),
	// while the parser drops them: parse with a word character of the same length in their
	// place, so offsets still index the original.
	src := strings.NewReplacer("\r", "x", "\x00", "x").Replace(cmd)
	p := syntax.NewParser(syntax.Variant(syntax.LangBash))
	f, err := p.Parse(strings.NewReader(src), "")
	if err != nil || bashlexUnsupported(f) {
		return []string{cmd}
	}
	if len(f.Stmts) == 0 { // only comments: bashlex raises on an empty parse
		return []string{cmd}
	}

	// Start offsets of each top-level command: the first statement, and every statement
	// that a newline separates from the one before it.
	starts := []int{int(f.Stmts[0].Pos().Offset())}
	for i := 1; i < len(f.Stmts); i++ {
		prevEnd := int(f.Stmts[i-1].End().Offset())
		start := int(f.Stmts[i].Pos().Offset())
		if prevEnd <= start && newlineBetween(cmd[prevEnd:start]) {
			starts = append(starts, start)
		}
	}

	var out []string
	if lead := cmd[:starts[0]]; strings.TrimFunc(lead, pySpace) != "" {
		out = append(out, strings.TrimRightFunc(lead, pySpace))
	}
	for i, s := range starts {
		end := len(cmd)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		out = append(out, strings.TrimRightFunc(cmd[s:end], pySpace))
	}
	return out
}

// pySpace is what Python's str.strip() removes: Unicode white space plus the ASCII
// separators 0x1c-0x1f.
func pySpace(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) }

// newlineBetween reports whether the text between two statements ends a line: a newline
// that is not a backslash-newline continuation, or a comment (which always runs to one).
func newlineBetween(between string) bool {
	for i := 0; i < len(between); i++ {
		switch between[i] {
		case '\n', '#':
			return true
		case '\\':
			if i+1 < len(between) && between[i+1] == '\n' {
				i++
			}
		}
	}
	return false
}

// endsInContinuation reports whether cmd ends in an unpaired backslash, optionally
// followed by one newline: bashlex fails on that with "unexpected EOF".
func endsInContinuation(cmd string) bool {
	cmd = strings.TrimSuffix(cmd, "\n")
	n := len(cmd) - len(strings.TrimRight(cmd, "\\"))
	return n%2 == 1
}

// bashlexUnsupported reports syntax for which bashlex raises NotImplementedError (so the
// reference treats the whole input as one command).
func bashlexUnsupported(f *syntax.File) bool {
	found := false
	syntax.Walk(f, func(n syntax.Node) bool {
		if found {
			return false
		}
		switch n := n.(type) {
		case *syntax.CaseClause, *syntax.ArithmCmd, *syntax.ArithmExp, *syntax.TestClause,
			*syntax.TimeClause, *syntax.CoprocClause, *syntax.ExtGlob:
			found = true
		case *syntax.Assign:
			found = n.Array != nil // a=(1 2), declare -A m=([k]=v)
		case *syntax.Redirect:
			// A quoted heredoc delimiter (<<'EOF', <<"EOF", <<\EOF) fails in bashlex.
			if (n.Op == syntax.Hdoc || n.Op == syntax.DashHdoc) && n.Word != nil {
				lit := n.Word.Lit()
				found = lit == "" || strings.ContainsRune(lit, '\\')
			}
		case *syntax.ForClause:
			if n.Select {
				found = true
			} else if _, ok := n.Loop.(*syntax.CStyleLoop); ok {
				found = true
			}
		}
		return !found
	})
	return found
}
