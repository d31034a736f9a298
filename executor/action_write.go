package executor

import (
	"context"

	"github.com/gohands/gohands/internal/fault"
)

type writeArgs struct {
	Path    string `json:"path"`
	Content string `json:"content"`
	Start   *int   `json:"start"`
	End     *int   `json:"end"`
}

// write is FileWriteAction.
func (x *Executor) write(_ context.Context, a *Action) (*Observation, error) {
	var args writeArgs
	if err := a.DecodeArgs(&args); err != nil {
		return nil, err
	}
	start, end := 0, -1
	if args.Start != nil {
		start = *args.Start
	}
	if args.End != nil {
		end = *args.End
	}
	res, err := x.files.Write(args.Path, x.cwd(), args.Content, start, end)
	if fe, ok := fault.As(err); ok && fe.Kind == fault.Tool {
		return ErrorObs(fe.Msg), nil
	}
	if err != nil {
		return nil, err
	}
	return WriteObs(res.Path), nil
}
