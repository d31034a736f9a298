package plugins

import (
	"testing"
	"time"
)

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		env   map[string]string
		check func(Config) bool
	}{
		{"defaults", nil, func(c Config) bool {
			return c.InitTimeout == 120*time.Second && c.VSCodePort == 0 && c.WorkspaceBase == "/workspace" &&
				c.WorkspaceMount == "/workspace" && c.OpenVSCodeRoot == "/openhands/.openvscode-server" && !c.LocalRuntime
		}},
		{"init timeout float", map[string]string{"INIT_PLUGIN_TIMEOUT": "2.5"}, func(c Config) bool { return c.InitTimeout == 2500*time.Millisecond }},
		{"init timeout junk", map[string]string{"INIT_PLUGIN_TIMEOUT": "soon"}, func(c Config) bool { return c.InitTimeout == 120*time.Second }},
		{"vscode port", map[string]string{"VSCODE_PORT": " 3000 "}, func(c Config) bool { return c.VSCodePort == 3000 }},
		{"vscode port underscores", map[string]string{"VSCODE_PORT": "3_000"}, func(c Config) bool { return c.VSCodePort == 3000 }},
		{"vscode port invalid", map[string]string{"VSCODE_PORT": "abc"}, func(c Config) bool { return c.VSCodePort == 0 }},
		{"vscode port out of range", map[string]string{"VSCODE_PORT": "70000"}, func(c Config) bool { return c.VSCodePort == 0 }},
		{"paths", map[string]string{"WORKSPACE_BASE": "/b", "WORKSPACE_MOUNT_PATH_IN_SANDBOX": "/m", "OPENVSCODE_SERVER_ROOT": "/o",
			"OPENVSCODE_SERVER_BASE_PATH": "x", "RUNTIME_URL": "http://h/id", "RUNTIME_ID": "id", "LOCAL_RUNTIME_MODE": "1", "GOHANDS_JUPYTER": "/j"},
			func(c Config) bool {
				return c.WorkspaceBase == "/b" && c.WorkspaceMount == "/m" && c.OpenVSCodeRoot == "/o" && c.OpenVSCodeBasePath == "x" &&
					c.RuntimeURL == "http://h/id" && c.RuntimeID == "id" && c.LocalRuntime && c.Jupyter == "/j"
			}},
	}
	for _, c := range cases {
		got := ConfigFromEnv([]string{"jupyter"}, func(k string) string { return c.env[k] })
		if !c.check(got) {
			t.Errorf("%s: %+v", c.name, got)
		}
		if !got.Has("jupyter") || got.Has("vscode") {
			t.Errorf("%s: Has", c.name)
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	if err := Validate([]string{"jupyter", "agent_skills", "vscode"}); err != nil {
		t.Fatal(err)
	}
	if err := Validate([]string{"jupyter", "browser"}); err == nil || err.Error() != "Plugin browser not found" {
		t.Fatalf("got %v", err)
	}
}
