// Package vscode runs openvscode-server for the browser IDE, with the reference's flags,
// connection token and workspace settings.
package vscode

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gohands/gohands/plugins/proc"
)

// Settings is the reference's .vscode/settings.json.
const Settings = `{
  "workbench.colorTheme": "Default Dark Modern",
  "workbench.startupEditor": "none",
  "chat.commandCenter.enabled": false
}
`

// Config configures the plugin.
type Config struct {
	Port            int    // VSCODE_PORT; 0 disables the plugin
	Root            string // OPENVSCODE_SERVER_ROOT
	WorkspaceBase   string // where .vscode/settings.json goes
	WorkspaceMount  string // the server's working directory
	BasePath        string // OPENVSCODE_SERVER_BASE_PATH
	RuntimeURL      string
	RuntimeID       string
	RuntimeUsername string
	Username        string    // --username: only root, openhands and RUNTIME_USERNAME may run VS Code
	User            proc.User // who the process runs as
	Logf            func(string, ...any)
}

// Server is the supervised openvscode-server. It implements plugins.Service.
type Server struct {
	cfg      Config
	token    string // stays the same across restarts: clients cache it
	disabled string // why the plugin does not run, if it does not
	base     string // --server-base-path, "" for none
	once     sync.Once
	httpc    *http.Client
}

// New prepares the plugin as the reference's initialize does: settings, token, checks.
func New(cfg Config) *Server {
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	s := &Server{cfg: cfg, httpc: &http.Client{Timeout: 2 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	s.init()
	return s
}

func (s *Server) init() {
	c := s.cfg
	if c.Username != "root" && c.Username != "openhands" && (c.RuntimeUsername == "" || c.Username != c.RuntimeUsername) {
		s.disabled = fmt.Sprintf("username %s is not allowed to run VSCode", c.Username)
		c.Logf("%s; VSCode plugin will be disabled.", s.disabled)
		return
	}
	if err := writeSettings(c.WorkspaceBase); err != nil {
		// The reference crashes here; a missing settings file is not worth a dead server.
		c.Logf("VSCode settings: %v", err)
	}
	if c.Port <= 0 {
		s.disabled = "VSCODE_PORT environment variable not set or invalid"
		c.Logf("%s. VSCode plugin will be disabled.", s.disabled)
		return
	}
	s.token = uuid4()
	if !portFree(c.Port) {
		// As in the reference the token stays set although the server does not run.
		s.disabled = fmt.Sprintf("Port %d is not available", c.Port)
		c.Logf("%s. VSCode plugin will be disabled.", s.disabled)
		return
	}
	s.base = BasePath(c.BasePath, c.RuntimeURL, c.RuntimeID)
}

// BasePath is the --server-base-path the reference computes: the explicit one (with a leading
// and without a trailing slash), else /<runtime id>/vscode when the runtime URL's path starts
// with /<runtime id>.
func BasePath(explicit, runtimeURL, runtimeID string) string {
	if explicit != "" {
		if !strings.HasPrefix(explicit, "/") {
			explicit = "/" + explicit
		}
		return strings.TrimRight(explicit, "/")
	}
	if runtimeURL == "" || runtimeID == "" {
		return ""
	}
	u, err := url.Parse(runtimeURL)
	if err != nil {
		return ""
	}
	p := u.Path
	if p == "" {
		p = "/"
	}
	if strings.HasPrefix(p, "/"+runtimeID) {
		return "/" + runtimeID + "/vscode"
	}
	return ""
}

// Name is the plugin name.
func (s *Server) Name() string { return "vscode" }

// Token is the connection token, "" when the plugin never got a port.
func (s *Server) Token() string { return s.token }

// Command builds the server process, nil when the plugin is disabled.
func (s *Server) Command() (*exec.Cmd, error) {
	if s.disabled != "" {
		return nil, nil
	}
	exe := filepath.Join(s.cfg.Root, "bin", "openvscode-server")
	if fi, err := os.Stat(exe); err != nil || fi.IsDir() {
		return nil, fmt.Errorf("openvscode-server not found at %s (set OPENVSCODE_SERVER_ROOT)", exe)
	}
	if s.cfg.User.Switch {
		// The reference chowns the server's install to the user (it writes there).
		s.once.Do(func() {
			_ = filepath.WalkDir(s.cfg.Root, func(p string, _ os.DirEntry, err error) error {
				if err == nil {
					_ = os.Lchown(p, s.cfg.User.UID, s.cfg.User.GID)
				}
				return nil
			})
		})
	}
	args := []string{"--host", "0.0.0.0", "--connection-token", s.token, "--port", strconv.Itoa(s.cfg.Port),
		"--disable-workspace-trust"}
	if s.base != "" {
		args = append(args, "--server-base-path", s.base)
	}
	cmd := exec.Command(exe, args...)
	cmd.Dir = s.cfg.WorkspaceMount
	if fi, err := os.Stat(cmd.Dir); err != nil || !fi.IsDir() {
		cmd.Dir = s.cfg.User.Home // `cd` failed in the reference's script: the login dir stays
	}
	cmd.Env = proc.Env(proc.BaseEnv(), s.cfg.User)
	proc.Prepare(cmd, s.cfg.User)
	return cmd, nil
}

// Ready polls the server's HTTP port until it answers (any status: / needs the token).
func (s *Server) Ready(ctx context.Context) error {
	u := "http://127.0.0.1:" + strconv.Itoa(s.cfg.Port) + s.base + "/version"
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		if resp, err := s.httpc.Do(req); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// Detail is the plugin's part of the status page.
func (s *Server) Detail() map[string]any {
	d := map[string]any{"port": s.cfg.Port}
	if s.base != "" {
		d["base_path"] = s.base
	}
	if s.disabled != "" {
		d["reason"] = s.disabled
	}
	return d
}

func writeSettings(base string) error {
	dir := filepath.Join(base, ".vscode")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	p := filepath.Join(dir, "settings.json")
	tmp, err := os.CreateTemp(dir, ".settings-*.json")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(Settings); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	// Readable and writable by all users, as the reference makes it.
	if err := os.Chmod(tmp.Name(), 0o666); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// portFree is the reference's check_port_available: can we bind the port on all interfaces?
func portFree(port int) bool {
	l, err := net.Listen("tcp", "0.0.0.0:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

func uuid4() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
