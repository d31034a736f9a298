package executor

import (
	"context"
	"errors"
	"fmt"

	"github.com/gohands/gohands/internal/fault"
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
	if err := a.DecodeArgs(&args); err != nil {
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
