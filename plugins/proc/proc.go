// Package proc holds what every plugin process shares: who it runs as, its environment, and
// the process-group handling that keeps no orphan behind.
package proc

import (
	"os"
	"strings"
)

// User is the sandbox user a plugin process runs as. Switch is false when the server already
// runs as that user (or must not switch: SU_TO_USER off, local runtime mode).
type User struct {
	Name   string
	UID    int
	GID    int
	Home   string
	Groups []uint32
	Switch bool
}

// Env returns base with the user's login variables (HOME, USER, LOGNAME, SHELL) set, as `su -`
// would give them, followed by extra (KEY=VALUE, later entries win).
func Env(base []string, u User, extra ...string) []string {
	set := map[string]string{}
	var order []string
	add := func(kv string) {
		k, _, ok := strings.Cut(kv, "=")
		if !ok {
			return
		}
		if _, seen := set[k]; !seen {
			order = append(order, k)
		}
		set[k] = kv
	}
	for _, kv := range base {
		add(kv)
	}
	if u.Switch {
		if u.Home != "" {
			add("HOME=" + u.Home)
		}
		if u.Name != "" {
			add("USER=" + u.Name)
			add("LOGNAME=" + u.Name)
		}
		add("SHELL=/bin/bash")
	}
	for _, kv := range extra {
		add(kv)
	}
	out := make([]string, 0, len(order))
	for _, k := range order {
		out = append(out, set[k])
	}
	return out
}

// BaseEnv is the server's environment without the variables no plugin process should inherit
// (the session key is passed on explicitly where a plugin needs it).
func BaseEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "SESSION_API_KEY=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}
