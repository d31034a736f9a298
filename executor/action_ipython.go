package executor

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"

	"github.com/gohands/gohands/internal/pycompat"
	"github.com/gohands/gohands/plugins/jupyter"
)

type ipythonArgs struct {
	Code         string `json:"code"`
	IncludeExtra *bool  `json:"include_extra"`
}

// kernelDiedText answers a cell whose kernel died under it.
const kernelDiedText = "ERROR: The Jupyter kernel died while running this cell and has been restarted. " +
	"Variables, imports and other state from earlier cells are lost."

// runIPython runs an IPythonRunCellAction on the Jupyter kernel. Execute calls it without the
// action lock.
func (x *Executor) runIPython(ctx context.Context, a *Action) (*Observation, error) {
	if !x.plugins.Has("jupyter") {
		return nil, errors.New("JupyterRequirement not found. Unable to run IPython action.")
	}
	var args ipythonArgs
	if err := a.DecodeArgs(&args); err != nil {
		return nil, err
	}
	if a.TimeoutErr != "" {
		return nil, errors.New(a.TimeoutErr)
	}
	// Wait for the actions before this one (a `cd` must be seen), then let go of the action
	// lock: the kernel's file_editor calls back into /execute_action (one editor for both),
	// which needs it. Only the kernel's own lock is held while the cell runs; the client sends
	// one action at a time anyway; see docs/compatibility.md.
	x.mu.Lock()
	cell := jupyter.Cell{Code: args.Code, Cwd: x.cwd()}
	x.mu.Unlock()
	if a.Timeout != nil && *a.Timeout > 0 {
		cell.Timeout = time.Duration(*a.Timeout * float64(time.Second))
	}
	res, interp, err := x.plugins.RunCell(ctx, cell)

	var text string
	var images []string
	switch {
	case errors.Is(err, jupyter.ErrKernelDied):
		text = kernelDiedText
	case err != nil:
		return ErrorObs(err.Error()), nil
	case res.TimedOut:
		text = "[Execution timed out (" + pycompat.FloatRepr(*a.Timeout) + " seconds).]"
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
