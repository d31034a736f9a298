package files

import (
	"github.com/gohands/gohands/internal/fault"

	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzEditor drives str_replace, insert, view (with a range) and undo with arbitrary input
// and checks that the editor never panics and never corrupts the file: a failed command
// leaves the bytes as they were, a successful edit leaves exactly the content it reports,
// and undo brings back the content before the edit.
func FuzzEditor(f *testing.F) {
	f.Add("This is a test file.\nThis file is for testing purposes.", "test file", "sample file", 1, 1, 2)
	f.Add("a\r\nb\r\nc\r\n", "b", "B\n", 3, 2, -1)
	f.Add("", "", "x", 0, 0, 0)
	f.Add("aaa", "aa", "", -1, 5, 1)
	f.Add("  x  \n\ty\n", " x ", " z ", 2, -1, 3)
	f.Add("caf\xe9\n", "caf", "CAF", 1, 1, 1)
	f.Add("a\fb\x85c\u2028d\n", "b", "\r", 1, 1, 1)
	f.Add("Some text\x00with binary", "text", "t", 0, 1, 1)
	f.Fuzz(func(t *testing.T, content, oldStr, newStr string, insertLine, vs, ve int) {
		d := t.TempDir()
		p := filepath.Join(d, "f.txt")
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		e := NewEditor("", 0)
		defer e.Close()
		before := content

		check := func(cmd string, res EditResult, err error) {
			after := readFixture(t, p)
			if err != nil {
				if !fault.Is(err, fault.Tool) {
					t.Fatalf("%s: unexpected error type %T: %v", cmd, err, err)
				}
				if after != before {
					t.Fatalf("%s failed (%v) but changed the file %q -> %q", cmd, err, before, after)
				}
				return
			}
			if res.NewContent != nil {
				text, _, rerr := readText(p, -1)
				if rerr != nil {
					t.Fatalf("%s: file unreadable after success: %v", cmd, rerr)
				}
				if text != universalNewlines(*res.NewContent) {
					t.Fatalf("%s: file %q, reported %q", cmd, text, *res.NewContent)
				}
			}
			before = after
		}

		res, err := e.Edit(EditRequest{Command: "view", Path: p, ViewRange: ViewRange{Set: true, Valid: true, Start: vs, End: ve, Repr: "[x]"}})
		check("view", res, err)
		res, err = e.Edit(EditRequest{Command: "str_replace", Path: p, OldStr: &oldStr, NewStr: &newStr})
		check("str_replace", res, err)
		if err == nil {
			orig := *res.OldContent
			if !strings.Contains(orig, strings.TrimFunc(oldStr, pyIsSpace)) {
				t.Fatalf("replaced a string that is not there")
			}
			// Undo may be refused as in the reference (the edit can make the file look
			// binary); when it succeeds it restores the text before the edit.
			res, err = e.Edit(EditRequest{Command: "undo_edit", Path: p})
			check("undo", res, err)
			if err == nil {
				if text, _, _ := readText(p, -1); text != orig {
					t.Fatalf("undo gave %q, want %q", text, orig)
				}
			}
		}
		res, err = e.Edit(EditRequest{Command: "insert", Path: p, InsertLine: &insertLine, NewStr: &newStr})
		check("insert", res, err)
		if err == nil && !strings.Contains(*res.NewContent, universalNewlines(newStr)) {
			t.Fatalf("inserted text missing")
		}
		res, err = e.Edit(EditRequest{Command: "view", Path: p})
		check("view", res, err)
	})
}

// FuzzUnifiedDiff checks the difflib port on arbitrary inputs: it never panics, is empty
// exactly when the inputs split into the same lines, and its hunk lines come from them.
func FuzzUnifiedDiff(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nB\nc\n")
	f.Add("", "x")
	f.Add(strings.Repeat("x\n", 300), strings.Repeat("x\n", 299)+"y\n")
	f.Fuzz(func(t *testing.T, a, b string) {
		d := UnifiedDiff(a, b, "/p")
		if (d == "") != (a == b) {
			t.Fatalf("diff %q for %q vs %q", d, a, b)
		}
	})
}
