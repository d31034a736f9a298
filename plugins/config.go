// Package plugins starts and supervises the optional in-sandbox services (Jupyter,
// VS Code, agent skills).
package plugins

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Known lists the plugin names the reference accepts.
var Known = []string{"jupyter", "agent_skills", "vscode"}

// Config holds the plugin settings taken from the command line and the environment.
type Config struct {
	Names       []string
	InitTimeout time.Duration // INIT_PLUGIN_TIMEOUT

	// Jupyter is the jupyter executable (GOHANDS_JUPYTER); empty means `jupyter` on PATH.
	Jupyter string
	// LocalRuntime is LOCAL_RUNTIME_MODE=1: Jupyter runs as the server's own user.
	LocalRuntime bool
	// Debug (DEBUG set) logs every kernel message.
	Debug bool

	// VSCodePort is VSCODE_PORT; 0 when unset or invalid (the plugin is then disabled).
	VSCodePort int
	// WorkspaceBase (WORKSPACE_BASE, default /workspace) receives .vscode/settings.json.
	WorkspaceBase string
	// WorkspaceMount (WORKSPACE_MOUNT_PATH_IN_SANDBOX, default /workspace) is VS Code's cwd.
	WorkspaceMount string
	// OpenVSCodeRoot (OPENVSCODE_SERVER_ROOT, default /openhands/.openvscode-server).
	OpenVSCodeRoot string
	// OpenVSCodeBasePath is OPENVSCODE_SERVER_BASE_PATH, an explicit --server-base-path.
	OpenVSCodeBasePath string
	// RuntimeURL and RuntimeID (RUNTIME_URL, RUNTIME_ID) give --server-base-path
	// /<id>/vscode when the URL's path starts with /<id>.
	RuntimeURL string
	RuntimeID  string
	// RuntimeUsername is RUNTIME_USERNAME, a user allowed to run VS Code besides root and openhands.
	RuntimeUsername string
}

// Has reports whether the plugin name was requested.
func (c Config) Has(name string) bool {
	for _, n := range c.Names {
		if n == name {
			return true
		}
	}
	return false
}

// Validate rejects unknown plugin names with the reference's message.
func Validate(names []string) error {
	for _, n := range names {
		ok := false
		for _, k := range Known {
			if n == k {
				ok = true
			}
		}
		if !ok {
			return fmt.Errorf("Plugin %s not found", n)
		}
	}
	return nil
}

// ConfigFromEnv reads the plugin environment variables through getenv.
func ConfigFromEnv(names []string, getenv func(string) string) Config {
	c := Config{Names: names, InitTimeout: 120 * time.Second}
	if v := getenv("INIT_PLUGIN_TIMEOUT"); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f > 0 {
			c.InitTimeout = time.Duration(f * float64(time.Second))
		}
	}
	c.Jupyter = getenv("GOHANDS_JUPYTER")
	c.LocalRuntime = getenv("LOCAL_RUNTIME_MODE") == "1"
	c.Debug = getenv("DEBUG") != ""
	// Python's int() accepts surrounding blanks, a sign and underscores between digits.
	if v := strings.ReplaceAll(strings.TrimSpace(getenv("VSCODE_PORT")), "_", ""); v != "" {
		if n, err := strconv.Atoi(strings.TrimPrefix(v, "+")); err == nil && n > 0 && n < 65536 {
			c.VSCodePort = n
		}
	}
	c.WorkspaceBase = orDefault(getenv("WORKSPACE_BASE"), "/workspace")
	c.WorkspaceMount = orDefault(getenv("WORKSPACE_MOUNT_PATH_IN_SANDBOX"), "/workspace")
	c.OpenVSCodeRoot = orDefault(getenv("OPENVSCODE_SERVER_ROOT"), "/openhands/.openvscode-server")
	c.OpenVSCodeBasePath = getenv("OPENVSCODE_SERVER_BASE_PATH")
	c.RuntimeURL = getenv("RUNTIME_URL")
	c.RuntimeID = getenv("RUNTIME_ID")
	c.RuntimeUsername = getenv("RUNTIME_USERNAME")
	return c
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
