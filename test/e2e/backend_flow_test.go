package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackendConnectFlow replays what DockerRuntime sends on a fresh connect (spec §2.10)
// and the env-var and setup-script tests (test_env_vars.py, test_setup.py).
func TestBackendConnectFlow(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	s := startServer(t, serverOpts{Env: []string{"HOME=" + home, "NO_CHANGE_TIMEOUT_SECONDS=1"}})

	// add_env_vars: export line, then persist in ~/.bashrc. Values are JSON-encoded.
	vars := [][2]string{{"QUUX", `abc"def`}, {"FOOBAR", "BAZ"}}
	var exports, persist []string
	for i, kv := range vars {
		v, _ := json.Marshal(kv[1])
		exports = append(exports, "export "+kv[0]+"="+string(v))
		if i == 0 {
			// The reference's echo of a JSON value with a quote writes an unbalanced line into
			// ~/.bashrc (its own bug); persist only the plain value here.
			continue
		}
		persist = append(persist, `grep -q "^export `+kv[0]+`=" ~/.bashrc || echo "export `+kv[0]+`=`+string(v)+`" >> ~/.bashrc`)
	}
	if o := s.run(t, strings.Join(exports, "; ")+";", 0); o.exitCode() != 0 {
		t.Fatalf("export: %+v", o)
	}
	if o := s.run(t, "touch ~/.bashrc; "+strings.Join(persist, "; "), 0); o.exitCode() != 0 {
		t.Fatalf("bashrc: %+v", o)
	}
	if o := s.run(t, "echo $QUUX", 0); strings.Split(strings.TrimSpace(o.Content), "\r\n")[0] != `abc"def` {
		t.Fatalf("QUUX: %q", o.Content)
	}
	if o := s.run(t, "echo $FOOBAR", 0); o.Content != "BAZ" {
		t.Fatalf("FOOBAR: %q", o.Content)
	}
	// A fresh (static) shell reads ~/.bashrc and sees the persisted vars.
	if o := s.run(t, "echo $QUUX-$FOOBAR", 0, map[string]any{"is_static": true}); o.Content != `-BAZ` {
		t.Fatalf("static shell: %q", o.Content)
	}
	// An empty add_env_vars changes nothing.
	before := s.run(t, "env | sort | grep -v '^_='", 0).Content
	after := s.run(t, "env | sort | grep -v '^_='", 0).Content
	if before != after {
		t.Fatal("env changed between two reads")
	}
	// git identity, as set on connect.
	if o := s.run(t, `git config --global user.name "openhands" && git config --global user.email "openhands@all-hands.dev"`, 0); o.exitCode() != 0 {
		t.Fatalf("git config: %+v", o)
	}

	// test_setup.py: the setup script is written with FileWriteAction and run blocking and
	// hidden with a 600 s hard timeout; blocking ignores the 1 s no-change timeout.
	if o := s.act(t, "read", map[string]any{"path": ".openhands/setup.sh"}, 120); o.Observation != "error" {
		t.Fatalf("missing setup.sh should be an error: %+v", o)
	}
	script := "#!/bin/bash\nsleep 3\necho 'Hello World' > README.md\n"
	if o := s.act(t, "write", map[string]any{"path": ".openhands/setup.sh", "content": script}, 120); o.Observation != "write" {
		t.Fatalf("write: %+v", o)
	}
	o := s.act(t, "run", map[string]any{"command": "chmod +x .openhands/setup.sh && source .openhands/setup.sh",
		"blocking": true, "hidden": true}, 600)
	if o.exitCode() != 0 || o.Extras["hidden"] != true {
		t.Fatalf("setup run: %+v", o)
	}
	o = s.act(t, "read", map[string]any{"path": "README.md"}, 120)
	if o.Observation != "read" || o.Content != "Hello World\n" {
		t.Fatalf("README: %+v", o)
	}
	if b, err := os.ReadFile(filepath.Join(s.WorkDir, "README.md")); err != nil || string(b) != "Hello World\n" {
		t.Fatalf("on disk: %q %v", b, err)
	}
}
