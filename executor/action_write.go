package executor

import "context"

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
	if err != nil {
		return nil, err
	}
	if res.ErrText != "" {
		return ErrorObs(res.ErrText), nil
	}
	return WriteObs(res.Path), nil
}
