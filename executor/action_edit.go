package executor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"strings"

	"github.com/gohands/gohands/files"
)

type editArgs struct {
	Path       string          `json:"path"`
	Command    string          `json:"command"`
	FileText   *string         `json:"file_text"`
	OldStr     *string         `json:"old_str"`
	NewStr     *string         `json:"new_str"`
	InsertLine json.RawMessage `json:"insert_line"`
	ImplSource *string         `json:"impl_source"`
	// Set by the kernel's file_editor (agent skills): the reference's in-kernel editor runs as
	// the sandbox user, so the files it creates belong to that user.
	AsSandboxUser bool            `json:"gohands_as_sandbox_user"`
	ViewRange     json.RawMessage `json:"view_range"` // only from the kernel's file_editor
}

// edit is FileEditAction (oh_aci): the editor's output as content, the action's old_str and
// new_str as old_content/new_content, prev_exist false, and the diff of the file's
// contents before and after, exactly as the reference fills them.
func (x *Executor) edit(_ context.Context, a *Action) (*Observation, error) {
	var args editArgs
	if err := a.DecodeArgs(&args); err != nil {
		return nil, err
	}
	if args.ImplSource != nil && *args.ImplSource != "oh_aci" {
		return nil, errors.New("") // the reference's bare assert
	}
	req := files.EditRequest{Command: args.Command, Path: args.Path, FileText: args.FileText, OldStr: args.OldStr, NewStr: args.NewStr}
	if args.AsSandboxUser {
		req.ViewRange = viewRange(args.ViewRange)
	}
	content, oldC, newC := "", (*string)(nil), (*string)(nil)
	il, errText := insertLine(args.InsertLine, args.Command)
	if errText != "" {
		content = "ERROR:\n" + errText
	} else {
		if il != nil {
			req.InsertLine, req.InsertRepr = &il.n, il.repr
		}
		var err error
		if content, oldC, newC, err = x.runEditor(req); err != nil {
			return nil, err
		}
	}
	if args.AsSandboxUser && args.Command == "create" && newC != nil && !strings.HasPrefix(content, "ERROR:") {
		_ = os.Lchown(args.Path, x.user.UID, x.user.GID)
	}
	diff := files.UnifiedDiff(deref(oldC), deref(newC), args.Path)
	return EditObs(content, EditExtras{Path: args.Path, OldContent: args.OldStr, NewContent: args.NewStr,
		ImplSource: "oh_aci", Diff: &diff}), nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

type intArg struct {
	n    int
	repr string
}

// insertLine converts insert_line as the reference does: a string goes through int()
// (failure is the "Invalid insert_line value" error, whatever the command); numbers and
// booleans pass; a list or object fails the editor's comparison with a TypeError.
func insertLine(raw json.RawMessage, command string) (*intArg, string) {
	if len(raw) == 0 {
		return nil, ""
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || v == nil {
		return nil, ""
	}
	switch t := v.(type) {
	case string:
		if n, ok := pyIntString(t); ok {
			return &intArg{n, strconv.Itoa(n)}, ""
		}
		return nil, "Invalid insert_line value: '" + t + "'. Expected an integer."
	case bool:
		if t {
			return &intArg{1, "True"}, ""
		}
		return &intArg{0, "False"}, ""
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return &intArg{int(n), t.String()}, ""
		}
		if f, err := t.Float64(); err == nil && f == float64(int(f)) {
			return &intArg{int(f), t.String()}, ""
		}
		return nil, "Invalid insert_line value: '" + t.String() + "'. Expected an integer."
	case []any, map[string]any:
		if command != "insert" {
			return nil, ""
		}
		typ := "list"
		if _, ok := t.(map[string]any); ok {
			typ = "dict"
		}
		return nil, "'<' not supported between instances of '" + typ + "' and 'int'"
	}
	return nil, ""
}

// pyIntString is Python's int(str): surrounding whitespace, a sign, and single
// underscores between digits are allowed.
func pyIntString(s string) (int, bool) {
	s = strings.TrimSpace(s)
	body := strings.TrimLeft(s, "+-")
	if len(s)-len(body) > 1 || body == "" || body[0] == '_' || body[len(body)-1] == '_' || strings.Contains(body, "__") {
		return 0, false
	}
	n, err := strconv.Atoi(s[:len(s)-len(body)] + strings.ReplaceAll(body, "_", ""))
	if err != nil {
		return 0, false
	}
	return n, true
}
