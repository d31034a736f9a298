// Package proc holds what every plugin process shares: who it runs as, its environment, and
// the process-group handling that keeps no orphan behind.
package proc

import (
	"os"
	"strings"

	"github.com/gohands/gohands/sandbox"
)

// User is the sandbox user a plugin process runs as: the same user bash runs as.
type User = sandbox.User

// Env returns base with the user's login variables set, as `su - user` sets them for the
// reference's plugin processes, followed by extra; see sandbox.LoginEnv.
func Env(base []string, u User, extra ...string) []string { return sandbox.LoginEnv(base, u, extra...) }

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
