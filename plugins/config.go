// Package plugins starts and supervises the optional in-sandbox services (Jupyter,
// VS Code, agent skills).
package plugins

import (
	"fmt"
	"strconv"
	"time"
)

// Known lists the plugin names the reference accepts.
var Known = []string{"jupyter", "agent_skills", "vscode"}

// Config holds the plugin settings taken from the command line and the environment.
type Config struct {
	Names       []string
	InitTimeout time.Duration // INIT_PLUGIN_TIMEOUT
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
	return c
}
