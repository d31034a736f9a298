package executor

import (
	"context"
	"errors"
	"fmt"

	"github.com/gohands/gohands/internal/fault"
	"github.com/gohands/gohands/internal/pycompat"
)

type writeArgs struct {
	Path    pyStr   `json:"path"`
	Content pyStr   `json:"content"`
	Start   pyIndex `json:"start"`
	End     pyIndex `json:"end"`
}

// write is FileWriteAction.
func (x *Executor) write(_ context.Context, a *Action) (*Observation, error) {
	var args writeArgs
	if err := a.writeArgs(&args); err != nil {
		return nil, err
	}
	if args.Path.NotStr != "" {
		return nil, pathlibError(args.Path)
	}
	if args.Content.NotStr != "" {
		return nil, fmt.Errorf("'%s' object has no attribute 'split'", args.Content.NotStr)
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
	res, err := x.files.Write(args.Path.S, x.cwd(), args.Content.S, start, end)
	if fe, ok := fault.As(err); ok && fe.Kind == fault.Tool {
		return ErrorObs(fe.Msg), nil
	}
	if err != nil {
		return nil, err
	}
	return WriteObs(res.Path), nil
}

// writeArgs decodes the write's args; content is taken from the decoded dict as it is (a
// string aliasing the request body), never encoded and decoded again: a large write is held
// in memory once.
func (a *Action) writeArgs(args *writeArgs) error {
	if a.dict == nil || a.Args != nil {
		return a.DecodeArgs(args)
	}
	small := pycompat.NewDict()
	for _, k := range a.dict.Keys() {
		if k != "content" {
			v, _ := a.dict.Get(k)
			small.Set(k, v)
		}
	}
	if err := (&Action{Class: a.Class, Args: pycompat.JSON(small)}).DecodeArgs(args); err != nil {
		return err
	}
	if v, ok := a.dict.Get("content"); ok {
		if s, isStr := v.(string); isStr {
			args.Content = pyStr{S: s}
		} else {
			args.Content = pyStr{NotStr: pycompat.TypeName(v)}
		}
	}
	return nil
}
