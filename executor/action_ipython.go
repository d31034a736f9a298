package executor

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"

	"github.com/gohands/gohands/plugins/jupyter"
)

type ipythonArgs struct {
	Code         string `json:"code"`
	IncludeExtra *bool  `json:"include_extra"`
}

// kernelDiedText answers a cell whose kernel died under it.
const kernelDiedText = "ERROR: The Jupyter kernel died while running this cell and has been restarted. " +
	"Variables, imports and other state from earlier cells are lost."

// runIPython runs an IPythonRunCellAction on the Jupyter kernel.
func (x *Executor) runIPython(ctx context.Context, a *Action) (*Observation, error) {
	if !x.plugins.Has("jupyter") {
		return nil, errors.New("JupyterRequirement not found. Unable to run IPython action.")
	}
	var args ipythonArgs
	if err := a.DecodeArgs(&args); err != nil {
		return nil, err
	}
	cell := jupyter.Cell{Code: args.Code, Cwd: x.cwd()}
	if a.Timeout != nil && *a.Timeout > 0 {
		cell.Timeout = time.Duration(*a.Timeout * float64(time.Second))
	}
	// The kernel's file_editor calls back into /execute_action (one editor for both), which
	// needs x.mu: hold only the kernel's own lock while the cell runs. The client sends one
	// action at a time anyway; see docs/compatibility.md.
	x.mu.Unlock()
	res, interp, err := x.plugins.RunCell(ctx, cell)
	x.mu.Lock()

	var text string
	var images []string
	switch {
	case errors.Is(err, jupyter.ErrKernelDied):
		text = kernelDiedText
	case err != nil:
		return ErrorObs(err.Error()), nil
	case res.TimedOut:
		text = "[Execution timed out (" + pyFloat(*a.Timeout) + " seconds).]"
	case res.Outputs == 0:
		text = "[Code executed successfully with no output]"
		images = res.Images
	default:
		text = res.Text
		images = res.Images
	}
	content := strings.TrimRightFunc(text, unicode.IsSpace)
	if args.IncludeExtra == nil || *args.IncludeExtra {
		content += "\n[Jupyter current working directory: " + cell.Cwd + "]"
		content += "\n[Jupyter Python interpreter: " + interp + "]"
	}
	if len(images) == 0 {
		images = nil
	}
	return IPythonObs(content, args.Code, images), nil
}
