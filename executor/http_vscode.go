package executor

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// vscodeToken is GET /vscode/connection_token: {"token": "<uuid>"} when the vscode plugin is
// loaded and got a port, else {"token": null}, as the reference answers.
func (x *Executor) vscodeToken(c echo.Context) error {
	var token any
	if t, ok := x.plugins.VSCodeToken(); ok {
		token = t
	}
	return pyJSON(c, http.StatusOK, map[string]any{"token": token})
}
