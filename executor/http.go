package executor

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gohands/gohands/internal/httpbody"
	"github.com/gohands/gohands/internal/pycompat"
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
		return pyJSON(c, http.StatusOK, map[string]string{"status": "ok"})
	})
	e.GET("/server_info", x.serverInfo)
	e.POST("/execute_action", x.executeAction)
	e.POST("/list_files", x.listFiles)
	e.POST("/upload_file", x.uploadFile)
	e.GET("/download_files", x.downloadFiles)
	e.GET("/vscode/connection_token", x.vscodeToken)
	e.POST("/update_mcp_server", x.updateMCPServer)
	x.telemetryRoutes(e)
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
		_ = pyJSON(c, he.status, he.body)
	case errors.As(err, &ee):
		msg := http.StatusText(ee.Code)
		_ = pyJSON(c, ee.Code, map[string]string{"detail": msg})
	default:
		c.Logger().Error(err)
		_ = pyJSON(c, http.StatusInternalServerError,
			map[string]string{"detail": "An unexpected error occurred. Please try again later."})
	}
}

// pyJSON answers as Starlette's JSONResponse: compact, and <, > and & as they are (echo's
// c.JSON escapes them, and error texts quote reprs such as <ActionType.RUN: 'run'>).
func pyJSON(c echo.Context, status int, v any) error {
	b, err := marshalNoEscape(v)
	if err != nil {
		return err
	}
	return c.Blob(status, echo.MIMEApplicationJSON, b)
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
			return pyJSON(c, http.StatusForbidden, map[string]string{"detail": "Invalid API Key"})
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
	tooLarge := detail(http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body too large (limit %d bytes)", maxJSONBody))
	n := c.Request().ContentLength
	if n > maxJSONBody { // refused unread: no waiting for it, no buffering up to twice the bound
		return nil, tooLarge
	}
	// MaxBytesReader as well: past the bound the server closes the connection.
	body, err := httpbody.Read(http.MaxBytesReader(c.Response(), c.Request().Body, maxJSONBody), n, maxJSONBody)
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, httpbody.ErrTooLarge) || errors.As(err, &tooBig):
		return nil, tooLarge
	case err != nil: // a malformed body (bad chunk size, cut short): the client's fault
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
	action, err := actionField(c.Request().Header.Get("Content-Type"), body)
	if err != nil {
		return err
	}
	a, err := decodeAction(action)
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

// actionField validates the body as FastAPI does for the reference's ActionRequest model
// ({"action": dict}) and returns the action's JSON. Its 422s carry pydantic's error list.
func actionField(contentType string, body []byte) (*pycompat.Dict, error) {
	if len(body) == 0 {
		return nil, pydanticError("missing", "('body',)", "Field required", "None", "")
	}
	// FastAPI parses the body as JSON only with a JSON Content-Type; any other body (also one
	// without a Content-Type) is bytes, which the model rejects.
	mt, _, _ := strings.Cut(strings.ToLower(contentType), ";")
	mt = strings.TrimSpace(mt)
	if !(mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
		return nil, pydanticError("model_attributes_type", "('body',)",
			"Input should be a valid dictionary or object to extract fields from", pycompat.BytesRepr(body), "")
	}
	if !utf8.Valid(body) {
		return nil, detail(http.StatusBadRequest, "There was an error parsing the body")
	}
	v, err := pycompat.DecodeOwned(body) // strings alias body, which is not used after this
	if err != nil {
		if pos, msg, ok := pycompat.JSONError(string(body)); ok {
			return nil, pydanticError("json_invalid", fmt.Sprintf("('body', %d)", pos), "JSON decode error", "{}",
				"{'error': "+pycompat.StrRepr(msg)+"}")
		}
		// NaN, Infinity: Python's json takes them; gohands does not (a number must be finite).
		return nil, pydanticError("json_invalid", "('body', 0)", "JSON decode error", "{}", "{'error': 'Out of range float values are not JSON compliant'}")
	}
	top, ok := v.(*pycompat.Dict)
	if !ok {
		return nil, pydanticError("model_attributes_type", "('body',)",
			"Input should be a valid dictionary or object to extract fields from", pycompat.Repr(v), "")
	}
	action, ok := top.Get("action")
	if !ok {
		return nil, pydanticError("missing", "('body', 'action')", "Field required", pycompat.Repr(top), "")
	}
	d, ok := action.(*pycompat.Dict)
	if !ok {
		return nil, pydanticError("dict_type", "('body', 'action')", "Input should be a valid dictionary", pycompat.Repr(action), "")
	}
	return d, nil
}

// pydanticError is the reference's 422: {"detail": "Invalid request parameters", "errors":
// str(exc.errors())} with one error of pydantic's shape.
func pydanticError(typ, loc, msg, input, ctx string) error {
	e := "[{'type': " + pycompat.StrRepr(typ) + ", 'loc': " + loc + ", 'msg': " + pycompat.StrRepr(msg) + ", 'input': " + input
	if ctx != "" {
		e += ", 'ctx': " + ctx
	}
	e += "}]"
	return &httpError{status: http.StatusUnprocessableEntity, body: map[string]string{
		"detail": "Invalid request parameters",
		"errors": e,
	}}
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
