package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/gohands/gohands/files"
	"github.com/gohands/gohands/internal/fault"
	"github.com/gohands/gohands/internal/pycompat"
)

type readArgs struct {
	Path       pyStr           `json:"path"`
	Start      pyIndex         `json:"start"`
	End        pyIndex         `json:"end"`
	ImplSource pyStr           `json:"impl_source"`
	ViewRange  json.RawMessage `json:"view_range"`
}

// read is FileReadAction: the binary check on the path as given (relative to the server
// process, as the reference), then the editor's view (oh_aci) or the plain read.
func (x *Executor) read(_ context.Context, a *Action) (*Observation, error) {
	var args readArgs
	if err := a.DecodeArgs(&args); err != nil {
		return nil, err
	}
	if args.Path.NotStr != "" { // binaryornot's is_binary starts with path.endswith('.pyc')
		return nil, fmt.Errorf("'%s' object has no attribute 'endswith'", args.Path.NotStr)
	}
	path := args.Path.S
	if files.IsBinary(path) {
		return ErrorObs("ERROR_BINARY_FILE"), nil
	}
	if args.ImplSource.S == "oh_aci" {
		content, _, _, err := x.runEditor(files.EditRequest{Command: "view", Path: path, ViewRange: viewRange(args.ViewRange)})
		if err != nil {
			return nil, err
		}
		return ReadObs(content, path, "oh_aci"), nil
	}
	if args.Start.Wrong || args.End.Wrong {
		return nil, errors.New(sliceIndexError)
	}
	start, end := 0, -1
	if args.Start.N != nil {
		start = *args.Start.N
	}
	if args.End.N != nil {
		end = *args.End.N
	}
	res, err := x.files.Read(path, x.cwd(), start, end)
	if fe, ok := fault.As(err); ok && fe.Kind == fault.Tool {
		return ErrorObs(fe.Msg), nil
	}
	if err != nil {
		return nil, err
	}
	return ReadObs(res.Content, res.Path, "default"), nil
}

// runEditor calls the editor as the reference's _execute_file_editor does: tool errors
// (and a directory listing's stderr) become "ERROR:\n…" content; other errors escape.
func (x *Executor) runEditor(req files.EditRequest) (content string, oldContent, newContent *string, err error) {
	res, err := x.files.Editor().Edit(req)
	if fe, ok := fault.As(err); ok && fe.Kind == fault.Tool {
		return "ERROR:\n" + fe.Msg, nil, nil, nil
	}
	if err != nil {
		return "", nil, nil, err
	}
	if res.Error != "" {
		return "ERROR:\n" + res.Error, nil, nil, nil
	}
	if res.Output == "" {
		return "", nil, nil, nil
	}
	return res.Output, res.OldContent, res.NewContent, nil
}

// viewRange turns the JSON view_range into what the editor checks: Python truthiness,
// "a list of two ints" (bools count, as isinstance(True, int)), and str() for messages (a
// dict keeps its keys in the order sent, as json.loads does).
func viewRange(raw json.RawMessage) files.ViewRange {
	if len(raw) == 0 {
		return files.ViewRange{}
	}
	v, err := pycompat.Decode(raw)
	if err != nil || v == nil {
		return files.ViewRange{}
	}
	vr := files.ViewRange{Repr: pycompat.Repr(v), Set: pycompat.Truthy(v)}
	if s, ok := v.(string); ok {
		vr.Repr = s // str() of a str is the string itself
	}
	if list, ok := v.([]pycompat.Value); ok && len(list) == 2 {
		s, ok1 := pyInt(list[0])
		e, ok2 := pyInt(list[1])
		if ok1 && ok2 {
			vr.Valid, vr.Start, vr.End = true, s, e
		}
	}
	return vr
}

// pyInt accepts what isinstance(x, int) accepts: integral JSON numbers and booleans.
func pyInt(v pycompat.Value) (int, bool) {
	switch t := v.(type) {
	case bool:
		if t {
			return 1, true
		}
		return 0, true
	case pycompat.Int:
		if n, err := strconv.Atoi(string(t)); err == nil {
			return n, true
		}
	}
	return 0, false
}
