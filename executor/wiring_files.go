package executor

// Placeholder wiring of the files service; replaced by the files work (issue 3).

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
)

var errNotYet = errors.New("not implemented yet")

func (x *Executor) read(context.Context, *Action) (*Observation, error)  { return nil, errNotYet }
func (x *Executor) write(context.Context, *Action) (*Observation, error) { return nil, errNotYet }
func (x *Executor) edit(context.Context, *Action) (*Observation, error)  { return nil, errNotYet }

func (x *Executor) listFiles(c echo.Context) error { return c.JSON(http.StatusOK, []string{}) }
func (x *Executor) uploadFile(echo.Context) error  { return internal(errNotYet) }
func (x *Executor) downloadFiles(echo.Context) error {
	return internal(errNotYet)
}
