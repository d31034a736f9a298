// Package sandbox is the sandbox user: who bash and the plugin processes run as, the login
// environment they get, and who owns the files and directories the server creates on the
// agent's behalf (one rule, used by every route that creates something).
package sandbox

import "strings"

// User is the sandbox user bash (and every plugin process) runs as. Switch is false when the
// server already runs as that user, or must not switch (SU_TO_USER off, local runtime mode).
type User struct {
	Name   string
	UID    int
	GID    int
	Home   string
	Groups []uint32
	Switch bool
}

// UserEnv is the environment of bash: base with the login variables (HOME, USER, LOGNAME,
// SHELL) set only when the server switches user, as `su user` does, followed by extra
// (KEY=VALUE; later entries win).
func UserEnv(base []string, u User, extra ...string) []string {
	return buildEnv(base, u, u.Switch, extra)
}

// LoginEnv is the environment of a process started the way `su - user` starts it (the
// reference's Jupyter and VS Code launchers): the login variables are always set.
func LoginEnv(base []string, u User, extra ...string) []string {
	return buildEnv(base, u, true, extra)
}

func buildEnv(base []string, u User, login bool, extra []string) []string {
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
	if login {
		if u.Home != "" {
			add("HOME=" + u.Home)
		}
		if u.Name != "" {
			add("USER=" + u.Name)
			add("LOGNAME=" + u.Name)
		}
		if u.Name != "" || u.Home != "" {
			add("SHELL=/bin/bash")
		}
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
