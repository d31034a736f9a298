package executor

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gohands/gohands/internal/fault"
	"github.com/gohands/gohands/mcp"
	"github.com/gohands/gohands/plugins/proc"
)

// startMCP makes the MCP proxy: no server runs until the backend's first /update_mcp_server.
func (x *Executor) startMCP() {
	c := x.cfg.MCP
	c.User, c.WorkDir, c.BaseEnv, c.APIKey = x.user, x.cfg.WorkingDir, proc.BaseEnv(), x.cfg.SessionAPIKey
	c.LogStderr = true
	x.mcp = mcp.New(c)
}

// stopMCP stops every MCP server: no child outlives the server.
func (x *Executor) stopMCP() {
	if x.mcp != nil {
		x.mcp.Close()
	}
}

// CloseStreams ends the long-lived MCP client streams (SSE), so that an HTTP shutdown does
// not wait for them.
func (x *Executor) CloseStreams() {
	if x.mcp != nil {
		x.mcp.CloseSessions()
	}
}

// mountMCP serves the MCP proxy's routes: the SSE transport at /mcp/sse + /mcp/messages/ and
// at /sse + /messages/ (the reference mounts its SSE app at /mcp and at /), and Streamable
// HTTP at /mcp. The global X-Session-API-Key check runs first, as in the reference; the
// proxy then asks for the Bearer token.
func (x *Executor) mountMCP(e *echo.Echo) {
	h := echo.WrapHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if x.mcp == nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"detail":"Not Found"}`))
			return
		}
		x.mcp.ServeHTTP(w, r)
	}))
	for _, p := range []string{"/mcp", "/mcp/*", "/sse", "/messages/"} {
		e.Any(p, h)
	}
}

// updateMCPServer is POST /update_mcp_server: the body is the list of stdio servers to run.
// A body that is not a list keeps the reference's 400; an invalid item is a 400 naming it.
// router_error_log names every server that failed to start and why.
func (x *Executor) updateMCPServer(c echo.Context) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	cfgs, err := mcp.ParseConfigs(body)
	if err != nil {
		if f, ok := fault.As(err); ok && f.Kind == fault.Invalid {
			return detail(http.StatusBadRequest, f.Msg)
		}
		return internal(err)
	}
	if x.mcp == nil {
		return detail(http.StatusInternalServerError, "MCP Proxy Manager is not initialized")
	}
	log := x.mcp.Update(c.Request().Context(), cfgs)
	return pyJSON(c, http.StatusOK, map[string]string{
		"detail":           "MCP server updated successfully",
		"router_error_log": log,
	})
}

// mcpInfo is /server_info's mcp section.
type mcpInfo struct {
	Servers []mcp.ServerStatus `json:"servers"`
}

func (x *Executor) mcpStatus() *mcpInfo {
	if x.mcp == nil {
		return nil
	}
	st := x.mcp.Status()
	if st == nil {
		return nil
	}
	return &mcpInfo{Servers: st}
}
