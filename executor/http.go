package executor

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// NewHTTP builds the echo server with every route of the reference.
func NewHTTP(x *Executor) *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = errorHandler
	e.Use(x.authMiddleware)

	e.GET("/alive", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	e.GET("/server_info", x.serverInfo)
	e.POST("/execute_action", x.executeAction)
	e.POST("/list_files", x.listFiles)
	e.POST("/upload_file", x.uploadFile)
	e.GET("/download_files", x.downloadFiles)
	e.GET("/vscode/connection_token", x.vscodeToken)
	e.POST("/update_mcp_server", x.updateMCPServer)
	x.mountMCP(e)
	return e
}

// httpError is an error with the reference's status and detail.
type httpError struct {
	status int
	body   any
}

func (h *httpError) Error() string { return fmt.Sprint(h.body) }

func detail(status int, msg string) error {
	return &httpError{status: status, body: map[string]string{"detail": msg}}
}

// internal is the reference's wrapping of a handler exception: 500 "Internal server error: …".
func internal(err error) error {
	return detail(http.StatusInternalServerError, "Internal server error: "+err.Error())
}

func errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var he *httpError
	var ee *echo.HTTPError
	switch {
	case errors.As(err, &he):
		_ = c.JSON(he.status, he.body)
	case errors.As(err, &ee):
		msg := http.StatusText(ee.Code)
		_ = c.JSON(ee.Code, map[string]string{"detail": msg})
	default:
		c.Logger().Error(err)
		_ = c.JSON(http.StatusInternalServerError,
			map[string]string{"detail": "An unexpected error occurred. Please try again later."})
	}
}

// authMiddleware enforces X-Session-API-Key on every path but /alive and /server_info.
func (x *Executor) authMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	key := []byte(x.cfg.SessionAPIKey)
	return func(c echo.Context) error {
		p := c.Request().URL.Path
		if len(key) == 0 || p == "/alive" || p == "/server_info" {
			return next(c)
		}
		got := []byte(c.Request().Header.Get("X-Session-API-Key"))
		if subtle.ConstantTimeCompare(got, key) != 1 {
			return c.JSON(http.StatusForbidden, map[string]string{"detail": "Invalid API Key"})
		}
		return next(c)
	}
}

// maxJSONBody bounds a JSON request body (an action, a list_files or MCP request). A file
// write action carries the whole file, so the bound is generous; uploads stream and have
// their own limit.
const maxJSONBody = 64 << 20

// errParsingBody is Starlette's text for a request body it cannot read.
const errParsingBody = "There was an error parsing the body"

// readJSONBody reads a bounded body; a larger one is a 413, not an out-of-memory server.
func readJSONBody(c echo.Context) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, maxJSONBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, detail(http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body too large (limit %d bytes)", maxJSONBody))
	}
	if err != nil { // a malformed body (bad chunk size, cut short): the client's fault
		return nil, detail(http.StatusBadRequest, errParsingBody)
	}
	return body, nil
}

// executeAction is POST /execute_action: {"action": {...}} → observation JSON.
func (x *Executor) executeAction(c echo.Context) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	var req map[string]json.RawMessage
	if err := json.Unmarshal(body, &req); err != nil || req == nil {
		return validationError("body", "Input should be a valid dictionary")
	}
	raw, ok := req["action"]
	if !ok {
		return validationError("body.action", "Field required")
	}
	if len(raw) == 0 || raw[0] != '{' {
		return validationError("body.action", "Input should be a valid dictionary")
	}
	a, err := DecodeAction(raw)
	if err != nil {
		return internal(err)
	}
	obs, err := x.Execute(c.Request().Context(), a)
	if err != nil {
		return internal(err)
	}
	b, err := obs.MarshalJSON()
	if err != nil {
		return internal(err)
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
}

// validationError mimics FastAPI's 422 body for a malformed request.
func validationError(loc, msg string) error {
	return &httpError{status: http.StatusUnprocessableEntity, body: map[string]string{
		"detail": "Invalid request parameters",
		"errors": fmt.Sprintf("[{'type': 'invalid', 'loc': (%s), 'msg': '%s'}]", pyLoc(loc), msg),
	}}
}

func pyLoc(loc string) string {
	parts := strings.Split(loc, ".")
	out := "'" + strings.Join(parts, "', '") + "'"
	if len(parts) == 1 {
		out += "," // a one-element Python tuple
	}
	return out
}
