package executor

// Placeholder wiring of the plugins; replaced by the plugins work (issue 4).

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
)

func (x *Executor) startPlugins(context.Context) error { return nil }
func (x *Executor) stopPlugins()                       {}
func (x *Executor) pluginStatus() any                  { return nil }

func (x *Executor) runIPython(context.Context, *Action) (*Observation, error) {
	return nil, errors.New("JupyterRequirement not found. Unable to run IPython action.")
}

func (x *Executor) vscodeToken(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"token": nil})
}
