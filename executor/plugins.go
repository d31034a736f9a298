package executor

import (
	"context"

	"github.com/gohands/gohands/plugins"
)

// startPlugins brings up the requested plugins concurrently. Jupyter's readiness includes the
// reference's post-init cells: os.chdir to bash's cwd, then the agent-skills import when both
// plugins are loaded.
func (x *Executor) startPlugins(ctx context.Context) error {
	if len(x.cfg.Plugins.Names) == 0 {
		return nil
	}
	x.plugins = plugins.NewManager(x.cfg.Plugins)
	return x.plugins.Start(ctx, plugins.Env{
		User:          x.user,
		Username:      x.cfg.Username,
		WorkingDir:    x.cfg.WorkingDir,
		Cwd:           x.cwd,
		ServerPort:    x.cfg.Port,
		SessionAPIKey: x.cfg.SessionAPIKey,
	})
}

// stopPlugins kills every plugin process; nothing outlives the server.
func (x *Executor) stopPlugins() {
	if x.plugins != nil {
		x.plugins.Stop()
	}
}

// pluginStatus is the "plugins" key of /server_info (absent without plugins).
func (x *Executor) pluginStatus() any {
	if x.plugins == nil {
		return nil
	}
	if st := x.plugins.Status(); st != nil {
		return st
	}
	return nil
}
