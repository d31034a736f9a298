package vscode

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gohands/gohands/plugins/proc"
)

func TestBasePath(t *testing.T) {
	t.Parallel()
	cases := []struct{ explicit, url, id, want string }{
		{"", "", "", ""},
		{"", "https://rt.example/abc123/", "abc123", "/abc123/vscode"},
		{"", "https://rt.example/abc123", "abc123", "/abc123/vscode"},
		{"", "https://abc123.rt.example/", "abc123", ""},
		{"", "https://rt.example/other/abc123", "abc123", ""},
		{"", "https://rt.example/abc123", "", ""},
		{"custom", "", "", "/custom"},
		{"/custom/path/", "https://rt.example/abc123", "abc123", "/custom/path"},
		{"/", "", "", ""},
	}
	for _, c := range cases {
		if got := BasePath(c.explicit, c.url, c.id); got != c.want {
			t.Errorf("BasePath(%q, %q, %q) = %q, want %q", c.explicit, c.url, c.id, got, c.want)
		}
	}
}

func FuzzBasePath(f *testing.F) {
	f.Add("", "https://rt.example/abc/", "abc")
	f.Add("x//", "", "")
	f.Add("", "http://[::1", "id")
	f.Fuzz(func(t *testing.T, explicit, url, id string) {
		got := BasePath(explicit, url, id)
		if got != "" && (!strings.HasPrefix(got, "/") || strings.HasSuffix(got, "/")) {
			t.Fatalf("BasePath(%q, %q, %q) = %q", explicit, url, id, got)
		}
		if explicit == "" && got != "" && got != "/"+id+"/vscode" {
			t.Fatalf("implicit base %q for id %q", got, id)
		}
	})
}

func TestNewDisabled(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := busy.Addr().(*net.TCPAddr).Port
	cases := []struct {
		name      string
		cfg       Config
		token     bool
		settings  bool
		runs      bool
		reasonHas string
	}{
		{name: "no port", cfg: Config{Username: "root"}, settings: true, reasonHas: "VSCODE_PORT"},
		{name: "user not allowed", cfg: Config{Username: "alice", Port: 1}, reasonHas: "alice"},
		{name: "runtime user allowed", cfg: Config{Username: "alice", RuntimeUsername: "alice"}, settings: true, reasonHas: "VSCODE_PORT"},
		{name: "port busy", cfg: Config{Username: "openhands", Port: busyPort}, token: true, settings: true, reasonHas: "not available"},
	}
	for _, c := range cases {
		base := t.TempDir()
		c.cfg.WorkspaceBase = base
		c.cfg.User = proc.User{Name: c.cfg.Username}
		s := New(c.cfg)
		if (s.Token() != "") != c.token {
			t.Errorf("%s: token %q", c.name, s.Token())
		}
		_, err := os.Stat(filepath.Join(base, ".vscode", "settings.json"))
		if (err == nil) != c.settings {
			t.Errorf("%s: settings written: %v", c.name, err == nil)
		}
		cmd, err := s.Command()
		if cmd != nil || err != nil {
			t.Errorf("%s: Command = %v, %v", c.name, cmd, err)
		}
		if r, _ := s.Detail()["reason"].(string); !strings.Contains(r, c.reasonHas) {
			t.Errorf("%s: reason %q", c.name, r)
		}
	}
}

func TestSettingsFile(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	if err := os.MkdirAll(filepath.Join(base, ".vscode"), 0o755); err != nil {
		t.Fatal(err)
	}
	// An existing file is replaced.
	if err := os.WriteFile(filepath.Join(base, ".vscode", "settings.json"), []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeSettings(base); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(base, ".vscode", "settings.json"))
	if err != nil || fi.Mode().Perm() != 0o666 {
		t.Fatalf("mode %v %v", fi.Mode(), err)
	}
	b, _ := os.ReadFile(filepath.Join(base, ".vscode", "settings.json"))
	if string(b) != Settings {
		t.Fatalf("content %q", b)
	}
}

func TestCommandFlags(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "bin", "openvscode-server"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	mount := t.TempDir()
	s := New(Config{Username: "root", Port: port, Root: root, WorkspaceBase: t.TempDir(), WorkspaceMount: mount,
		RuntimeURL: "https://h/rt/", RuntimeID: "rt"})
	cmd, err := s.Command()
	if err != nil || cmd == nil {
		t.Fatalf("Command = %v, %v", cmd, err)
	}
	want := []string{filepath.Join(root, "bin", "openvscode-server"), "--host", "0.0.0.0", "--connection-token", s.Token(),
		"--port", itoa(port), "--disable-workspace-trust", "--server-base-path", "/rt/vscode"}
	if strings.Join(cmd.Args, " ") != strings.Join(want, " ") || cmd.Dir != mount {
		t.Fatalf("args %q dir %s", cmd.Args, cmd.Dir)
	}
	if cmd.SysProcAttr == nil || !cmd.SysProcAttr.Setpgid {
		t.Fatal("not in its own process group")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
