package files

import (
	"github.com/gohands/gohands/internal/fault"

	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fixtureT = "This is a test file.\nThis file is for testing purposes."

func sp(s string) *string { return &s }
func ip(n int) *int       { return &n }

func newEditor(t *testing.T, root string) *Editor {
	t.Helper()
	e := NewEditor(root, 0)
	t.Cleanup(e.Close)
	return e
}

func writeFixture(t *testing.T, p, content string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFixture(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// step is one editor call and what must come out of it. want/wantErr are exact when set;
// has/hasNot/errHas are substrings; file (when non-nil) is the file content afterwards.
type step struct {
	req     EditRequest
	want    string
	has     []string
	hasNot  []string
	wantErr string
	errHas  []string
	file    *string
}

func (s step) check(t *testing.T, e *Editor, path string) {
	t.Helper()
	res, err := e.Edit(s.req)
	if s.wantErr != "" || len(s.errHas) > 0 {
		te, ok := fault.As(err)
		if !ok || te.Kind != fault.Tool {
			t.Fatalf("%s: want tool error, got %v (output %q)", s.req.Command, err, res.Output)
		}
		if s.wantErr != "" && te.Msg != s.wantErr {
			t.Fatalf("%s error:\n got %q\nwant %q", s.req.Command, te.Msg, s.wantErr)
		}
		for _, h := range s.errHas {
			if !strings.Contains(te.Msg, h) {
				t.Fatalf("%s error %q lacks %q", s.req.Command, te.Msg, h)
			}
		}
	} else {
		if err != nil {
			t.Fatalf("%s: %v", s.req.Command, err)
		}
		if s.want != "" && res.Output != s.want {
			t.Fatalf("%s output:\n got %q\nwant %q", s.req.Command, res.Output, s.want)
		}
		for _, h := range s.has {
			if !strings.Contains(res.Output, h) {
				t.Fatalf("%s output %q lacks %q", s.req.Command, res.Output, h)
			}
		}
		for _, h := range s.hasNot {
			if strings.Contains(res.Output, h) {
				t.Fatalf("%s output %q contains %q", s.req.Command, res.Output, h)
			}
		}
	}
	if s.file != nil {
		if got := readFixture(t, path); got != *s.file {
			t.Fatalf("%s: file is %q, want %q", s.req.Command, got, *s.file)
		}
	}
}

// TestEditorScenarios covers openhands-aci's tests/integration/test_oh_editor.py (Part C.1),
// the file_editor() suites of C.2, and the edge cases Part A marks as verified. {P} is the
// fixture path, {D} its directory.
func TestEditorScenarios(t *testing.T) {
	t.Parallel()
	snippetOK := func(p string) string {
		return "The file " + p + " has been edited. Here's the result of running `cat -n` on a snippet of " + p + ":\n     1\tThis is a sample file.\n     2\tThis file is for testing purposes.\nReview the changes and make sure they are as expected. Edit the file again if necessary."
	}
	cases := []struct {
		name    string
		content string // fixture content; "-" means: do not create the file
		file    string // fixture base name (default test.txt)
		steps   func(p, d string) []step
	}{
		{"C1.1 view file", fixtureT, "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "view", Path: p},
				has:    []string{"Here's the result of running `cat -n` on " + p + ":", "1\tThis is a test file.", "2\tThis file is for testing purposes."},
				hasNot: []string{"3\t"}}}
		}},
		{"C1.2 view directory", fixtureT, "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "view", Path: d},
				want: "Here's the files and directories up to 2 levels deep in " + d + ", excluding hidden items:\n" + d + "/\n" + d + "/test.txt"}}
		}},
		{"C1.4 create", "-", "new_file.txt", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "create", Path: p, FileText: sp("New file content")},
				want: "File created successfully at: " + p, file: sp("New file content")}}
		}},
		{"C1.5 create empty then view", "-", "", func(p, d string) []step {
			return []step{
				{req: EditRequest{Command: "create", Path: p, FileText: sp("")}, has: []string{"File created successfully"}, file: sp("")},
				{req: EditRequest{Command: "view", Path: p}, want: "Here's the result of running `cat -n` on " + p + ":\n     1\t\n"},
			}
		}},
		{"C1.6 create without file_text", "-", "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "create", Path: p}, wantErr: "Parameter `file_text` is required for command: create."}}
		}},
		{"C1.7 str_replace", fixtureT, "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("test file"), NewStr: sp("sample file")},
				want: snippetOK(p), file: sp("This is a sample file.\nThis file is for testing purposes.")}}
		}},
		{"C1.8 str_replace multi-line", fixtureT, "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp(fixtureT), NewStr: sp("This is a sample file.\nThis file is for testing purposes.")},
				want: snippetOK(p)}}
		}},
		{"C1.9 str_replace with tabs", "def test():\n\tprint(\"Hello, World!\")", "test.py", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("def test():\n\tprint(\"Hello, World!\")"), NewStr: sp("def test():\n\tprint(\"Hello, Universe!\")")},
				want: "The file " + p + " has been edited. Here's the result of running `cat -n` on a snippet of " + p + ":\n     1\tdef test():\n     2\t\tprint(\"Hello, Universe!\")\nReview the changes and make sure they are as expected. Edit the file again if necessary."}}
		}},
		{"C1.11 multiple occurrences", fixtureT, "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("test"), NewStr: sp("sample")},
				wantErr: "No replacement was performed. Multiple occurrences of old_str `test` in lines [1, 2]. Please ensure it is unique.", file: sp(fixtureT)}}
		}},
		{"C1.12 multiple multi-line occurrences", "def example():\n    print(\"Hello\")\n    return True\n\nprint('separator')\n\ndef example():\n    print(\"Hello\")\n    return True", "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("def example():\n    print(\"Hello\")\n    return True"), NewStr: sp("x")},
				errHas: []string{"Multiple occurrences of old_str", "[1, 7]"}}}
		}},
		{"C1.13 nonexistent string", fixtureT, "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("Non-existent Line"), NewStr: sp("New Line")},
				wantErr: "No replacement was performed, old_str `Non-existent Line` did not appear verbatim in " + p + "."}}
		}},
		{"C1.14 empty new_str deletes", "Line 1\nLine to remove\nLine 3", "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("Line to remove\n"), NewStr: sp("")}, file: sp("Line 1\nLine 3")}}
		}},
		{"C1.15 empty old_str", "Line 1\nLine 2\nLine 3", "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp(""), NewStr: sp("New string")},
				wantErr: "No replacement was performed. Multiple occurrences of old_str `` in lines [1, 2, 3]. Please ensure it is unique."}}
		}},
		{"C4.13 empty old_str with trailing newline", "Line 1\nLine 2\nLine 3\n", "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp(""), NewStr: sp("x")},
				wantErr: "No replacement was performed. Multiple occurrences of old_str `` in lines [1, 2, 3, 4]. Please ensure it is unique."}}
		}},
		{"empty old_str on a one-line file is still ambiguous", "abc", "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp(""), NewStr: sp("x")},
				wantErr: "No replacement was performed. Multiple occurrences of old_str `` in lines [1]. Please ensure it is unique.", file: sp("abc")}}
		}},
		{"empty old_str in an empty file replaces", "", "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp(""), NewStr: sp("hello")}, file: sp("hello")}}
		}},
		{"C1.16 str_replace without old_str", fixtureT, "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "str_replace", Path: p, NewStr: sp("x")}, wantErr: "Parameter `old_str` is required for command: str_replace."}}
		}},
		{"C1.17 insert", fixtureT, "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "insert", Path: p, InsertLine: ip(1), NewStr: sp("Inserted line")},
				want: "The file " + p + " has been edited. Here's the result of running `cat -n` on a snippet of the edited file:\n     1\tThis is a test file.\n     2\tInserted line\n     3\tThis file is for testing purposes.\nReview the changes and make sure they are as expected (correct indentation, no duplicate lines, etc). Edit the file again if necessary.",
				file: sp("This is a test file.\nInserted line\nThis file is for testing purposes.")}}
		}},
		{"C1.19 insert out of range", fixtureT, "", func(p, d string) []step {
			return []step{
				{req: EditRequest{Command: "insert", Path: p, InsertLine: ip(10), NewStr: sp("x")}, wantErr: "Invalid `insert_line` parameter: 10. It should be within the range of allowed values: [0, 2]"},
				{req: EditRequest{Command: "insert", Path: p, InsertLine: ip(-1), NewStr: sp("x")}, errHas: []string{"should be within the range"}},
			}
		}},
		{"C1.20 insert empty string", fixtureT, "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "insert", Path: p, InsertLine: ip(1), NewStr: sp("")}, file: sp("This is a test file.\n\nThis file is for testing purposes.")}}
		}},
		{"C1.21 insert Chinese", fixtureT, "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "insert", Path: p, InsertLine: ip(0), NewStr: sp("中文文本")},
				want: "The file " + p + " has been edited. Here's the result of running `cat -n` on a snippet of the edited file:\n     1\t中文文本\n     2\tThis is a test file.\n     3\tThis file is for testing purposes.\nReview the changes and make sure they are as expected (correct indentation, no duplicate lines, etc). Edit the file again if necessary."}}
		}},
		{"C1.22 insert without new_str", fixtureT, "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "insert", Path: p, InsertLine: ip(1)}, wantErr: "Parameter `new_str` is required for command: insert."}}
		}},
		{"C1.29 insert without insert_line", fixtureT, "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "insert", Path: p, NewStr: sp("x")}, wantErr: "Parameter `insert_line` is required for command: insert."}}
		}},
		{"C1.23/24 undo twice", fixtureT, "", func(p, d string) []step {
			return []step{
				{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("test file"), NewStr: sp("sample file v1")}},
				{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("sample file v1"), NewStr: sp("sample file v2")}},
				{req: EditRequest{Command: "undo_edit", Path: p}, has: []string{"Last edit to " + p + " undone successfully. Here's the result of running `cat -n` on " + p + ":\n     1\tThis is a sample file v1."}, file: sp("This is a sample file v1.\nThis file is for testing purposes.")},
				{req: EditRequest{Command: "undo_edit", Path: p}, has: []string{"Last edit to"}, file: sp(fixtureT)},
				{req: EditRequest{Command: "undo_edit", Path: p}, wantErr: "No edit history found for " + p + "."},
			}
		}},
		{"undo after create rewrites the same text", "-", "", func(p, d string) []step {
			return []step{
				{req: EditRequest{Command: "create", Path: p, FileText: sp("hello\n")}},
				{req: EditRequest{Command: "undo_edit", Path: p}, want: "Last edit to " + p + " undone successfully. Here's the result of running `cat -n` on " + p + ":\n     1\thello\n     2\t\n", file: sp("hello\n")},
				{req: EditRequest{Command: "undo_edit", Path: p}, wantErr: "No edit history found for " + p + "."},
			}
		}},
		{"C1.25 view missing path", "-", "nonexistent.txt", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "view", Path: p}, wantErr: "Invalid `path` parameter: " + p + ". The path " + p + " does not exist. Please provide a valid path."}}
		}},
		{"C1.26 create on existing file", fixtureT, "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "create", Path: p, FileText: sp("x")}, wantErr: "Invalid `path` parameter: " + p + ". File already exists at: " + p + ". Cannot overwrite files using command `create`.", file: sp(fixtureT)}}
		}},
		{"C1.28 identical strings", fixtureT, "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("test file"), NewStr: sp("test file")},
				wantErr: "Invalid `new_str` parameter: test file. No replacement was performed. `new_str` and `old_str` must be different."}}
		}},
		{"C1.30 undo without history", "", "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "undo_edit", Path: p}, wantErr: "No edit history found for " + p + "."}}
		}},
		{"C1.35 large file truncated", strings.Repeat("Line 1\n", 16000), "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "view", Path: p}, has: []string{TextFileTruncatedNotice}}}
		}},
		{"C2 view of the XML-tag file", "This is a file with XML tags parsing logic...\nmatch = re.search(\n    r'<oh_aci_output_[0-9a-f]{32}>(.*?)</oh_aci_output_[0-9a-f]{32}>',\n    result,\n    re.DOTALL,\n)\n...More text here.\n", "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "view", Path: p},
				want: "Here's the result of running `cat -n` on " + p + ":\n     1\tThis is a file with XML tags parsing logic...\n     2\tmatch = re.search(\n     3\t    r'<oh_aci_output_[0-9a-f]{32}>(.*?)</oh_aci_output_[0-9a-f]{32}>',\n     4\t    result,\n     5\t    re.DOTALL,\n     6\t)\n     7\t...More text here.\n     8\t\n"}}
		}},
		{"C2 tabs are kept", "no tabs\n\tindented\nline\twith\ttabs\n", "", func(p, d string) []step {
			return []step{
				{req: EditRequest{Command: "view", Path: p}, has: []string{"\tindented", "line\twith\ttabs"}},
				{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("line\twith\ttabs"), NewStr: sp("replaced line")}, has: []string{"replaced line"}},
				{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("replaced line"), NewStr: sp("new\tline\twith\ttabs")}, has: []string{"new\tline\twith\ttabs"}},
				{req: EditRequest{Command: "insert", Path: p, InsertLine: ip(1), NewStr: sp("\tindented\tline")}, has: []string{"\tindented\tline"}},
			}
		}},
		{"C2 view_range validation", "line 1\nline 2\nline 3\n", "", func(p, d string) []step {
			return []step{
				{req: EditRequest{Command: "view", Path: p, ViewRange: ViewRange{Set: true, Repr: "[1]"}}, wantErr: "Invalid `view_range` parameter: [1]. It should be a list of two integers."},
				{req: EditRequest{Command: "view", Path: p, ViewRange: ViewRange{Set: true, Valid: true, Start: 1, End: 10, Repr: "[1, 10]"}},
					want: "NOTE: We only show up to 3 since there're only 3 lines in this file.\nHere's the result of running `cat -n` on " + p + ":\n     1\tline 1\n     2\tline 2\n     3\tline 3\n"},
				{req: EditRequest{Command: "view", Path: p, ViewRange: ViewRange{Set: true, Valid: true, Start: 3, End: 1, Repr: "[3, 1]"}}, wantErr: "Invalid `view_range` parameter: [3, 1]. Its second element `1` should be greater than or equal to the first element `3`."},
				{req: EditRequest{Command: "view", Path: p, ViewRange: ViewRange{Set: true, Valid: true, Start: 3, End: -1, Repr: "[3, -1]"}}, want: "Here's the result of running `cat -n` on " + p + ":\n     3\tline 3\n"},
				{req: EditRequest{Command: "view", Path: p, ViewRange: ViewRange{Set: true, Valid: true, Start: 2, End: -5, Repr: "[2, -5]"}}, wantErr: "Invalid `view_range` parameter: [2, -5]. Its second element `-5` should be greater than or equal to the first element `2`."},
				{req: EditRequest{Command: "view", Path: p, ViewRange: ViewRange{Set: true, Valid: true, Start: 0, End: 1, Repr: "[0, 1]"}}, wantErr: "Invalid `view_range` parameter: [0, 1]. Its first element `0` should be within the range of lines of the file: [1, 3]."},
				{req: EditRequest{Command: "view", Path: p, ViewRange: ViewRange{Set: true, Valid: true, Start: 4, End: 4, Repr: "[4, 4]"}}, wantErr: "Invalid `view_range` parameter: [4, 4]. Its first element `4` should be within the range of lines of the file: [1, 3]."},
			}
		}},
		{"C2 str_replace errors", "line\nline\nother", "", func(p, d string) []step {
			return []step{
				{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("nonexistent"), NewStr: sp("x")}, errHas: []string{"did not appear verbatim"}},
				{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("line"), NewStr: sp("x")}, errHas: []string{"Multiple occurrences", "lines [1, 2]"}},
			}
		}},
		{"C2 non-view command on a directory", "", "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "str_replace", Path: d, OldStr: sp("a"), NewStr: sp("b")},
				wantErr: "Invalid `path` parameter: " + d + ". The path " + d + " is a directory and only the `view` command can be used on directories."}}
		}},
		{"A.8 whitespace retry strips both strings", "This is a test file.\nsecond\n", "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("  test file.  "), NewStr: sp("  X  ")}, file: sp("This is a X\nsecond\n")}}
		}},
		{"A.8 whitespace-only old_str strips to empty", "abc", "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("\n"), NewStr: sp("x")},
				wantErr: "No replacement was performed. Multiple occurrences of old_str `` in lines [1]. Please ensure it is unique."}}
		}},
		{"A.8 not-found shows the stripped old_str", "abc", "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("  zzz \n"), NewStr: sp("x")},
				wantErr: "No replacement was performed, old_str `zzz` did not appear verbatim in " + p + "."}}
		}},
		{"A.8 matches do not overlap", "aaa", "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("aa"), NewStr: sp("b")}, file: sp("ba")}}
		}},
		{"A.8 snippet reaching EOF of a file ending in newline", "a\nb\nc\n", "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("b"), NewStr: sp("B")},
				want: "The file " + p + " has been edited. Here's the result of running `cat -n` on a snippet of " + p + ":\n     1\ta\n     2\tB\n     3\tc\n     4\t\nReview the changes and make sure they are as expected. Edit the file again if necessary."}}
		}},
		{"A.9 insert after an unterminated last line concatenates", "a\nb", "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "insert", Path: p, InsertLine: ip(2), NewStr: sp("c")}, file: sp("a\nbc\n")}}
		}},
		{"A.9 insert into empty file", "", "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "insert", Path: p, InsertLine: ip(0), NewStr: sp("x\ny")}, file: sp("x\ny\n")}}
		}},
		{"A.9 insert of text ending in newline adds an empty line", "a\n", "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "insert", Path: p, InsertLine: ip(1), NewStr: sp("c\n")}, file: sp("a\nc\n\n")}}
		}},
		{"A.13 edits rewrite CRLF as LF", "a\r\nb\r\nc\r\n", "", func(p, d string) []step {
			return []step{
				{req: EditRequest{Command: "view", Path: p}, want: "Here's the result of running `cat -n` on " + p + ":\n     1\ta\n     2\tb\n     3\tc\n     4\t\n"},
				{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("b"), NewStr: sp("B")}, file: sp("a\nB\nc\n")},
			}
		}},
		{"A.4 create in a missing directory", "-", "missing/new.txt", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "create", Path: p, FileText: sp("x")},
				wantErr: "Ran into [Errno 2] No such file or directory: '" + p + "' while trying to write to " + p}}
		}},
		{"A.4 unknown command", fixtureT, "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "delete", Path: p},
				wantErr: "Unrecognized command delete. The allowed commands for the oh_editor tool are: view, create, str_replace, insert, undo_edit"}}
		}},
		{"A.4 unknown command on a missing path reports the path", "-", "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "delete", Path: p}, errHas: []string{"does not exist"}}}
		}},
		{"A.4 supported binary extension refused for edits", "%PDF-1.4 text", "doc.PDF", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("a"), NewStr: sp("b")},
				wantErr: "Invalid `path` parameter: " + p + ". The path " + p + " points to a binary file (.PDF) and only the `view` command can be used on supported binary files."}}
		}},
		{"A.5 path normalised in messages", fixtureT, "", func(p, d string) []step {
			odd := strings.Replace(p, "/test.txt", "//./test.txt/", 1)
			return []step{{req: EditRequest{Command: "str_replace", Path: odd, OldStr: sp("zzz"), NewStr: sp("x")},
				wantErr: "No replacement was performed, old_str `zzz` did not appear verbatim in " + p + "."}}
		}},
		{"view_range on a directory", "", "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "view", Path: d, ViewRange: ViewRange{Set: true, Valid: true, Start: 1, End: 2, Repr: "[1, 2]"}},
				wantErr: "Invalid `view_range` parameter: [1, 2]. The `view_range` parameter is not allowed when `path` points to a directory."}}
		}},
		{"ranged view uses splitlines", "a\fb\nc\n", "", func(p, d string) []step {
			return []step{{req: EditRequest{Command: "view", Path: p, ViewRange: ViewRange{Set: true, Valid: true, Start: 1, End: 1, Repr: "[1, 1]"}},
				want: "Here's the result of running `cat -n` on " + p + ":\n     1\ta\n     2\tb\n"}}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := t.TempDir()
			name := tc.file
			if name == "" {
				name = "test.txt"
			}
			p := filepath.Join(d, name)
			if tc.content != "-" {
				writeFixture(t, p, tc.content)
			}
			e := newEditor(t, "")
			for _, s := range tc.steps(p, d) {
				s.check(t, e, p)
			}
		})
	}
}

// C1.3 and C1.37: ranged views and snippets on files built by repeated inserts.
func TestEditorLargeFileSnippets(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	p := filepath.Join(d, "test.txt")
	writeFixture(t, p, fixtureT)
	e := newEditor(t, "")
	step{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp(fixtureT), NewStr: sp("")}, file: sp("")}.check(t, e, p)
	for i := 0; i < 700; i++ {
		step{req: EditRequest{Command: "insert", Path: p, InsertLine: ip(i), NewStr: sp(fmt.Sprintf("Line %d", i+1))}}.check(t, e, p)
	}
	vr := ViewRange{Set: true, Valid: true, Start: 50, End: 100, Repr: "[50, 100]"}
	res, err := e.Edit(EditRequest{Command: "view", Path: p, ViewRange: vr})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"Here's the result of running `cat -n` on " + p + ":", "    50\tLine 50", "   100\tLine 100"} {
		if !strings.Contains(res.Output, h) {
			t.Fatalf("view lacks %q", h)
		}
	}
	if strings.Contains(res.Output, "    49\tLine 49") || strings.Contains(res.Output, "101") {
		t.Fatalf("view shows too much: %q", res.Output)
	}
	steps := []step{
		{req: EditRequest{Command: "view", Path: p}, has: []string{"     1\tLine 1", "   500\tLine 500"}},
		{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("Line 500"), NewStr: sp("500 new")}, has: []string{"   500\t500 new"}},
		{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("500 new\n"), NewStr: sp("")}, has: []string{"   499\tLine 499", "   500\tLine 501"}},
		{req: EditRequest{Command: "insert", Path: p, InsertLine: ip(499), NewStr: sp("Inserted line at 500")}, has: []string{"   500\tInserted line at 500"}},
	}
	for _, s := range steps {
		s.check(t, e, p)
	}
}

// C1.31–34: directory views.
func TestEditorViewDirectory(t *testing.T) {
	t.Parallel()
	mk := func(t *testing.T, root string, files ...string) {
		for _, f := range files {
			p := filepath.Join(root, f)
			if strings.HasSuffix(f, "/") {
				if err := os.MkdirAll(p, 0o755); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			writeFixture(t, p, "x")
		}
	}
	t.Run("hidden files", func(t *testing.T) {
		t.Parallel()
		d := t.TempDir()
		mk(t, d, "visible.txt", ".hidden1", ".hidden2", ".hidden_dir/file.txt", "visible_dir/")
		step{req: EditRequest{Command: "view", Path: d},
			want: "Here's the files and directories up to 2 levels deep in " + d + ", excluding hidden items:\n" + d + "/\n" + d + "/visible.txt\n" + d + "/visible_dir/\n\n3 hidden files/directories in this directory are excluded. You can use 'ls -la " + d + "' to see them."}.check(t, newEditor(t, ""), "")
	})
	t.Run("symlinked directory", func(t *testing.T) {
		t.Parallel()
		d := t.TempDir()
		mk(t, d, "real/file1.txt", "real/file2.txt", "real/subdir/file3.txt")
		link := filepath.Join(d, "link")
		if err := os.Symlink(filepath.Join(d, "real"), link); err != nil {
			t.Fatal(err)
		}
		step{req: EditRequest{Command: "view", Path: link},
			want: "Here's the files and directories up to 2 levels deep in " + link + ", excluding hidden items:\n" + link + "/\n" + link + "/file1.txt\n" + link + "/file2.txt\n" + link + "/subdir/\n" + link + "/subdir/file3.txt"}.check(t, newEditor(t, ""), "")
	})
	t.Run("large directory truncated", func(t *testing.T) {
		t.Parallel()
		d := t.TempDir()
		for i := 0; i < 1000; i++ {
			writeFixture(t, filepath.Join(d, fmt.Sprintf("file_%d.txt", i)), "")
		}
		step{req: EditRequest{Command: "view", Path: d}, has: []string{DirectoryTruncatedNotice}}.check(t, newEditor(t, ""), "")
	})
	t.Run("hidden root", func(t *testing.T) {
		t.Parallel()
		d := filepath.Join(t.TempDir(), ".hidden_test_dir")
		mk(t, d, "visible1.txt", ".hidden1", "visible_dir/visible2.txt", "visible_dir/.hidden2", ".hidden_dir/visible3.txt", ".hidden_dir/.hidden3")
		step{req: EditRequest{Command: "view", Path: d},
			has:    []string{"visible1.txt", "visible_dir", "visible2.txt", "2 hidden files/directories in this directory are excluded"},
			hasNot: []string{".hidden1", ".hidden_dir", ".hidden2", "visible3.txt", ".hidden3"}}.check(t, newEditor(t, ""), "")
	})
	t.Run("byte order, names with spaces, broken symlink", func(t *testing.T) {
		t.Parallel()
		d := filepath.Join(t.TempDir(), "my dir")
		mk(t, d, "a/x", "a.txt", "B", "a b.txt")
		if err := os.Symlink("/nonexistent/target", filepath.Join(d, "dangling")); err != nil {
			t.Fatal(err)
		}
		step{req: EditRequest{Command: "view", Path: d},
			want: "Here's the files and directories up to 2 levels deep in " + d + ", excluding hidden items:\n" + d + "/\n" + d + "/B\n" + d + "/a/\n" + d + "/a b.txt\n" + d + "/a.txt\n" + d + "/a/x\n" + d + "/dangling"}.check(t, newEditor(t, ""), "")
	})
}

// C1.36: the "Maybe you meant" hint needs a workspace root and an existing file.
func TestEditorRelativePathHint(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	writeFixture(t, filepath.Join(d, "test.txt"), fixtureT)
	cases := []struct {
		root, path, want string
	}{
		{"", "test.txt", "Invalid `path` parameter: test.txt. The path should be an absolute path, starting with `/`."},
		{d, "test.txt", "Invalid `path` parameter: test.txt. The path should be an absolute path, starting with `/`. Maybe you meant " + d + "/test.txt?"},
		{d, "./test.txt", "Invalid `path` parameter: test.txt. The path should be an absolute path, starting with `/`. Maybe you meant " + d + "/test.txt?"},
		{d, "missing.txt", "Invalid `path` parameter: missing.txt. The path should be an absolute path, starting with `/`."},
		{d, "", "Invalid `path` parameter: .. The path should be an absolute path, starting with `/`. Maybe you meant " + d + "?"},
	}
	for _, c := range cases {
		step{req: EditRequest{Command: "view", Path: c.path}, wantErr: c.want}.check(t, newEditor(t, c.root), "")
	}
}

// C2 test_file_validation and A.11: binary refusal and the size limit.
func TestEditorFileValidation(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	bin := filepath.Join(d, "x.sql")
	writeFixture(t, bin, "Some text\x00with binary\x00content")
	big := filepath.Join(d, "big.txt")
	writeFixture(t, big, strings.Repeat("x", 11*1024*1024))
	exact := filepath.Join(d, "exact.txt")
	writeFixture(t, exact, strings.Repeat("x\n", 5*1024*1024))
	sql := filepath.Join(d, "q.sql")
	writeFixture(t, sql, "\n    SELECT *\n    FROM users\n    WHERE id = 1;\n    ")
	png := filepath.Join(d, "logo.png")
	if err := os.WriteFile(png, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := newEditor(t, "")
	for _, s := range []step{
		{req: EditRequest{Command: "view", Path: bin}, wantErr: "File validation failed for " + bin + ": File appears to be binary and this file type cannot be read or edited by this tool."},
		{req: EditRequest{Command: "str_replace", Path: bin, OldStr: sp("a"), NewStr: sp("b")}, errHas: []string{"appears to be binary"}},
		{req: EditRequest{Command: "view", Path: big}, wantErr: "File validation failed for " + big + ": File is too large (11.0MB). Maximum allowed size is 10MB."},
		{req: EditRequest{Command: "view", Path: exact, ViewRange: ViewRange{Set: true, Valid: true, Start: 1, End: 1, Repr: "[1, 1]"}}, want: "Here's the result of running `cat -n` on " + exact + ":\n     1\tx\n"},
		{req: EditRequest{Command: "view", Path: sql}, has: []string{"SELECT *"}, hasNot: []string{"binary"}},
		{req: EditRequest{Command: "view", Path: png}, errHas: []string{"appears to be binary"}},
	} {
		s.check(t, e, "")
	}
}

// C2 test_non_utf8_operations and A.12: files keep their encoding through edits.
func TestEditorEncodings(t *testing.T) {
	t.Parallel()
	cp1251 := func(s string) string {
		b, err := encodingCP1251.Encode(s)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	cyr := "# -*- coding: cp1251 -*-\n\n# Тестовый файл с кириллицей\ntext = \"Привет, мир!\"\nnumbers = [1, 2, 3, 4, 5]\nmessage = \"Это тестовая строка\"\n"
	t.Run("cp1251", func(t *testing.T) {
		t.Parallel()
		d := t.TempDir()
		p := filepath.Join(d, "cyr.py")
		writeFixture(t, p, cp1251(cyr))
		e := newEditor(t, "")
		after := strings.Replace(cyr, "Привет, мир!", "Здравствуй, мир!", 1)
		for _, s := range []step{
			{req: EditRequest{Command: "view", Path: p}, has: []string{"Тестовый файл с кириллицей", "Привет, мир!", "Это тестовая строка"}},
			{req: EditRequest{Command: "view", Path: p, ViewRange: ViewRange{Set: true, Valid: true, Start: 3, End: 5, Repr: "[3, 5]"}}, has: []string{"Тестовый файл с кириллицей", "Привет, мир!"}, hasNot: []string{"Это тестовая строка"}},
			{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp("Привет, мир!"), NewStr: sp("Здравствуй, мир!")}, has: []string{"Здравствуй, мир!"}, hasNot: []string{"Привет, мир!"}, file: sp(cp1251(after))},
			{req: EditRequest{Command: "insert", Path: p, InsertLine: ip(5), NewStr: sp("# Добавленная строка\nboolean_var = True")}, has: []string{"Добавленная строка"}},
			{req: EditRequest{Command: "view", Path: p, ViewRange: ViewRange{Set: true, Valid: true, Start: 5, End: 7, Repr: "[5, 7]"}}, has: []string{"# Добавленная строка", "boolean_var = True"}},
			{req: EditRequest{Command: "undo_edit", Path: p}, has: []string{"undone successfully"}, file: sp(cp1251(after))},
			{req: EditRequest{Command: "undo_edit", Path: p}, file: sp(cp1251(cyr))},
		} {
			s.check(t, e, p)
		}
		// A character cp1251 cannot hold: the reference's error text, and the file intact
		// (the reference leaves it empty).
		res, err := e.Edit(EditRequest{Command: "str_replace", Path: p, OldStr: sp("numbers"), NewStr: sp("numbers →")})
		te, ok := fault.As(err)
		if !ok || te.Kind != fault.Tool || !strings.HasPrefix(te.Msg, "Ran into 'charmap' codec can't encode character '\\u2192' in position ") || !strings.HasSuffix(te.Msg, " while trying to write to "+p) {
			t.Fatalf("got %v %q", err, res.Output)
		}
		if readFixture(t, p) != cp1251(cyr) {
			t.Fatal("file changed after a failed write")
		}
	})
	t.Run("latin-1 and utf-16 round trip", func(t *testing.T) {
		t.Parallel()
		d := t.TempDir()
		cases := []struct {
			name  string
			enc   Encoding
			text  string
			after string
		}{
			{"latin1.txt", encodingCP1252, "café crème\nnaïve façade\n", "café crème\nFAÇADE\n"},
			{"utf16le.txt", Encoding{Name: "utf-16", kind: encUTF16, bom: []byte{0xFF, 0xFE}}, "héllo wörld\n中文\n", "héllo wörld\nFAÇADE\n"},
			{"utf16be.txt", Encoding{Name: "utf-16", kind: encUTF16, bom: []byte{0xFE, 0xFF}, be: true}, "hello\nworld\n", "hello\nFAÇADE\n"},
			{"utf8bom.txt", encodingUTF8Sig, "hello\nworld\n", "hello\nFAÇADE\n"},
		}
		for _, c := range cases {
			p := filepath.Join(d, c.name)
			b, err := c.enc.Encode(c.text)
			if err != nil {
				t.Fatal(err)
			}
			writeFixture(t, p, string(b))
			lines := strings.Split(c.text, "\n")
			e := newEditor(t, "")
			step{req: EditRequest{Command: "view", Path: p}, has: []string{"     1\t" + lines[0]}}.check(t, e, p)
			step{req: EditRequest{Command: "str_replace", Path: p, OldStr: sp(lines[1]), NewStr: sp("FAÇADE")}}.check(t, e, p)
			want, _ := c.enc.Encode(c.after)
			if got := readFixture(t, p); got != string(want) {
				t.Fatalf("%s: file is %q, want %q", c.name, got, want)
			}
			step{req: EditRequest{Command: "undo_edit", Path: p}, file: sp(string(b))}.check(t, e, p)
		}
	})
}

// Results carry old and new contents as ACI's CLIResult does.
func TestEditorResultFields(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	p := filepath.Join(d, "a.txt")
	e := newEditor(t, "")
	res, err := e.Edit(EditRequest{Command: "create", Path: p, FileText: sp("hello\nworld\n")})
	if err != nil || res.PrevExist || res.OldContent != nil || *res.NewContent != "hello\nworld\n" || res.Path != p {
		t.Fatalf("create: %+v %v", res, err)
	}
	res, err = e.Edit(EditRequest{Command: "str_replace", Path: p, OldStr: sp("world"), NewStr: sp("there")})
	if err != nil || !res.PrevExist || *res.OldContent != "hello\nworld\n" || *res.NewContent != "hello\nthere\n" {
		t.Fatalf("str_replace: %+v %v", res, err)
	}
	if got := UnifiedDiff(*res.OldContent, *res.NewContent, p); got != "--- "+p+"\n+++ "+p+"\n@@ -2 +2 @@\n-world\n+there" {
		t.Fatalf("diff %q", got)
	}
}

// Writes keep the mode of an existing file and leave no temporary files behind.
func TestEditorKeepsModeAndLeavesNoTemp(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	p := filepath.Join(d, "run.sh")
	writeFixture(t, p, "echo hi\n")
	if err := os.Chmod(p, 0o751); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(d, "link.sh")
	if err := os.Symlink("run.sh", link); err != nil {
		t.Fatal(err)
	}
	e := newEditor(t, "")
	step{req: EditRequest{Command: "str_replace", Path: link, OldStr: sp("hi"), NewStr: sp("bye")}, file: sp("echo bye\n")}.check(t, e, p)
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the symlink was replaced by a file")
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o751 {
		t.Fatalf("mode %v", fi.Mode())
	}
	entries, _ := os.ReadDir(d)
	if len(entries) != 2 {
		t.Fatalf("leftovers: %v", entries)
	}
}
