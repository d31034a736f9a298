package main

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{name: "backend command line", args: strings.Fields("8000 --working-dir /workspace --plugins agent_skills jupyter --username openhands --user-id 1000 --no-enable-browser")},
		{name: "equals form", args: []string{"8000", "--working-dir=/w", "--user-id=5"}},
		{name: "unknown plugin", args: strings.Fields("8000 --plugins jupyter browser"), wantErr: "Plugin browser not found"},
		{name: "no port", args: strings.Fields("--working-dir /w"), wantErr: "the following arguments are required: port"},
		{name: "bad port", args: strings.Fields("eighty"), wantErr: "argument port: invalid int value"},
		{name: "bad uid", args: strings.Fields("80 --user-id x"), wantErr: "argument --user-id: invalid int value"},
		{name: "unknown flag", args: strings.Fields("80 --frobnicate"), wantErr: "unrecognized arguments: --frobnicate"},
		{name: "eval env without browser", args: strings.Fields("80 --no-enable-browser --browsergym-eval-env x"), wantErr: "Browser environment is not enabled"},
		{name: "eval env refused", args: strings.Fields("80 --browsergym-eval-env webarena.1"), wantErr: "argument --browsergym-eval-env: \"webarena.1\" is not supported"},
		{name: "empty plugins", args: strings.Fields("80 --plugins"), wantErr: "expected at least one argument"},
		{name: "bad upload limit", args: strings.Fields("80"), env: map[string]string{"GOHANDS_MAX_UPLOAD_BYTES": "lots"}, wantErr: "GOHANDS_MAX_UPLOAD_BYTES"},
		{name: "bad zip bytes", args: strings.Fields("80"), env: map[string]string{"GOHANDS_MAX_ZIP_BYTES": "1e9"}, wantErr: "GOHANDS_MAX_ZIP_BYTES"},
		{name: "bad zip entries", args: strings.Fields("80"), env: map[string]string{"GOHANDS_MAX_ZIP_ENTRIES": "many"}, wantErr: "GOHANDS_MAX_ZIP_ENTRIES"},
		{name: "bad mcp init timeout", args: strings.Fields("80"), env: map[string]string{"GOHANDS_MCP_INIT_TIMEOUT": "-1"}, wantErr: "GOHANDS_MCP_INIT_TIMEOUT"},
		{name: "bad no-change", args: strings.Fields("80"), env: map[string]string{"NO_CHANGE_TIMEOUT_SECONDS": "abc"}, wantErr: "NO_CHANGE_TIMEOUT_SECONDS"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseConfig(c.args, env(c.env))
			if c.wantErr == "" && err != nil {
				t.Fatal(err)
			}
			if c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("err %v, want %q", err, c.wantErr)
			}
		})
	}
	cfg, err := parseConfig(strings.Fields("8000 --working-dir /workspace --plugins agent_skills jupyter --username oh --user-id 42 --no-enable-browser"),
		env(map[string]string{"SESSION_API_KEY": "k", "NO_CHANGE_TIMEOUT_SECONDS": "1", "SU_TO_USER": "false", "INIT_PLUGIN_TIMEOUT": "5", "SANDBOX_GROUP_ID": "g", "GOHANDS_MAX_UPLOAD_BYTES": "1024", "GOHANDS_MAX_ZIP_BYTES": "2048", "GOHANDS_MAX_ZIP_ENTRIES": "7", "GOHANDS_MCP_INIT_TIMEOUT": "2.5"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Port != 8000 || cfg.WorkingDir != "/workspace" || cfg.Username != "oh" || cfg.UserID != 42 || cfg.EnableBrowser ||
		cfg.SessionAPIKey != "k" || cfg.NoChangeTimeout != time.Second || cfg.SUToUser || cfg.SandboxGroup != "g" ||
		strings.Join(cfg.Plugins.Names, ",") != "agent_skills,jupyter" || cfg.Plugins.InitTimeout != 5*time.Second || cfg.Files.MaxUploadBytes != 1024 ||
		cfg.Files.MaxZipBytes != 2048 || cfg.Files.MaxZipEntries != 7 || cfg.MCP.InitTimeout != 2500*time.Millisecond {
		t.Fatalf("%+v", cfg)
	}
	def, _ := parseConfig([]string{"1"}, env(nil))
	if def.Username != "openhands" || def.UserID != 1000 || !def.EnableBrowser || def.NoChangeTimeout != 10*time.Second || !def.SUToUser {
		t.Fatalf("defaults %+v", def)
	}
}

func TestParseTelemetryConfig(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cfg, err := parseConfig(strings.Fields("80"), env(nil))
	if err != nil || cfg.TelemetryOff || cfg.InputWaitReturn || !cfg.Telemetry.Cgroups || len(cfg.Telemetry.Files.Roots) != 0 {
		t.Fatalf("defaults: %+v %v", cfg, err)
	}
	if cfg.TelemetryMetadata {
		t.Fatal("telemetry metadata on by default")
	}
	cfg, err = parseConfig(strings.Fields("80 --input-wait-return --telemetry-metadata --telemetry-root /a --telemetry-root=/b"),
		env(map[string]string{"GOHANDS_TELEMETRY_ROOTS": "/c::/d", "GOHANDS_TELEMETRY_CGROUPS": "0"}))
	if err != nil || !cfg.InputWaitReturn || !cfg.TelemetryMetadata || cfg.Telemetry.Cgroups || strings.Join(cfg.Telemetry.Files.Roots, ",") != "/a,/b,/c,/d" {
		t.Fatalf("flags: %+v %v", cfg.Telemetry, err)
	}
	cfg, err = parseConfig(strings.Fields("80"), env(map[string]string{"GOHANDS_TELEMETRY": "off", "GOHANDS_INPUT_WAIT_RETURN": "true"}))
	if err != nil || !cfg.TelemetryOff || !cfg.InputWaitReturn {
		t.Fatalf("env: %+v %v", cfg, err)
	}
	for _, k := range []string{"GOHANDS_TELEMETRY", "GOHANDS_TELEMETRY_CGROUPS", "GOHANDS_INPUT_WAIT_RETURN", "GOHANDS_TELEMETRY_METADATA"} {
		if _, err := parseConfig(strings.Fields("80"), env(map[string]string{k: "maybe"})); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=maybe: %v", k, err)
		}
	}
	if _, err := parseConfig(strings.Fields("80 --telemetry-root"), env(nil)); err == nil {
		t.Error("--telemetry-root without a value accepted")
	}
}

func TestParseConfigBrowser(t *testing.T) {
	t.Parallel()
	env := map[string]string{"GOHANDS_CHROMIUM": "/opt/chrome", "GOHANDS_SERVER_URL_FILE": "/tmp/x/url", "GOHANDS_PDFJS_DIR": "/p"}
	cfg, err := parseConfig(strings.Fields("8000 --browser-prewarm"), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.EnableBrowser || !cfg.BrowserPrewarm || cfg.Chromium != "/opt/chrome" || cfg.ServerURLFile != "/tmp/x/url" || cfg.PDFJSDir != "/p" {
		t.Fatalf("%+v", cfg)
	}
	def, err := parseConfig([]string{"1"}, func(string) string { return "" })
	if err != nil || def.BrowserPrewarm || def.ServerURLFile != "/tmp/oh-server-url" || !def.EnableBrowser {
		t.Fatalf("%+v %v", def, err)
	}
}

// -h/--help is not an error: main prints the help to stdout and exits 0, as argparse does
// (it printed the usage line alone to stderr, exit 2, without gohands' own flags). Every
// flag parseConfig accepts is in the help.
func TestHelp(t *testing.T) {
	for _, a := range []string{"-h", "--help"} {
		if _, err := parseConfig([]string{a}, func(string) string { return "" }); !errors.Is(err, errHelp) {
			t.Errorf("%s: %v", a, err)
		}
	}
	src, err := os.ReadFile("config.go")
	if err != nil {
		t.Fatal(err)
	}
	flags := regexp.MustCompile(`"(--?[a-z][a-z-]*)"`).FindAllStringSubmatch(string(src), -1)
	if len(flags) < 10 {
		t.Fatalf("found only %d flags in config.go", len(flags))
	}
	for _, f := range flags {
		if !strings.Contains(helpText, f[1]+" ") && !strings.Contains(helpText, f[1]+",") && !strings.Contains(helpText, f[1]+"]") {
			t.Errorf("%s is not in the help:\n%s", f[1], helpText)
		}
	}
}
