package files

import (
	"fmt"
	"strings"
)

// view shows a directory listing or a file in `cat -n` form.
func (e *Editor) view(p string, vr ViewRange) (EditResult, error) {
	if fi, ok, _ := statFollow(p); ok && fi.IsDir() {
		if vr.Set {
			return EditResult{}, paramInvalid("view_range", vr.Repr,
				"The `view_range` parameter is not allowed when `path` points to a directory.")
		}
		return viewDir(p)
	}
	if err := e.validateFile(p); err != nil {
		return EditResult{}, err
	}
	if supportedBinaryExt[strings.ToLower(pySuffix(p))] {
		md, err := convertToMarkdown(p)
		if err != nil {
			return EditResult{}, toolErr("Error in converting file to Markdown: %s. Please use Python code to read %s", err, p)
		}
		out := "Here's the content of the file " + p + " displayed in Markdown format:\n" +
			maybeTruncate(md, MaxResponseChars, BinaryFileTruncatedNotice) + "\n"
		return EditResult{Output: out, Path: p, PrevExist: true}, nil
	}
	text, _, err := readText(p, e.maxFileSize)
	if err != nil {
		return EditResult{}, err
	}
	if !vr.Set {
		return EditResult{Output: catN(text, p, 1), Path: p, PrevExist: true}, nil
	}
	if !vr.Valid {
		return EditResult{}, paramInvalid("view_range", vr.Repr, "It should be a list of two integers.")
	}
	numLines := countLines(text)
	start, end := vr.Start, vr.End
	if start < 1 || start > numLines {
		return EditResult{}, paramInvalid("view_range", vr.Repr,
			fmt.Sprintf("Its first element `%d` should be within the range of lines of the file: [1, %d].", start, numLines))
	}
	note := ""
	switch {
	case end == -1:
		end = numLines
	case end > numLines:
		note = fmt.Sprintf("NOTE: We only show up to %d since there're only %d lines in this file.\n", numLines, numLines)
		end = numLines
	}
	if end < start {
		return EditResult{}, paramInvalid("view_range", vr.Repr,
			fmt.Sprintf("Its second element `%d` should be greater than or equal to the first element `%d`.", end, start))
	}
	out := note + catN(pySplitlinesJoin(lineRange(text, start, end)), p, start)
	return EditResult{Output: out, Path: p, PrevExist: true}, nil
}
