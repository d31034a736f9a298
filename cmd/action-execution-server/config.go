package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gohands/gohands/executor"
	"github.com/gohands/gohands/plugins"
)

// helpText is what -h/--help prints: the reference's argparse help, then gohands' own flags.
const helpText = `usage: action-execution-server [-h] [--working-dir WORKING_DIR] [--plugins PLUGINS [PLUGINS ...]]
                               [--username USERNAME] [--user-id USER_ID]
                               [--enable-browser | --no-enable-browser]
                               [--browsergym-eval-env BROWSERGYM_EVAL_ENV] [--browser-prewarm]
                               [--input-wait-return] [--telemetry-metadata] [--telemetry-root DIR]
                               port

positional arguments:
  port                  Port to listen on

options:
  -h, --help            show this help message and exit
  --working-dir WORKING_DIR
                        Working directory
  --plugins PLUGINS [PLUGINS ...]
                        Plugins to initialize
  --username USERNAME   User to run as
  --user-id USER_ID     User ID to run as
  --enable-browser, --no-enable-browser
                        Enable the browser environment
  --browsergym-eval-env BROWSERGYM_EVAL_ENV
                        BrowserGym environment used for browser evaluation

gohands' own options (see README.md):
  --browser-prewarm     start Chromium at boot, not on the first browse action
  --input-wait-return   a run waiting for terminal input returns at once
                        (GOHANDS_INPUT_WAIT_RETURN=1)
  --telemetry-metadata  a run observation carries its command record in
                        extras.metadata.telemetry (GOHANDS_TELEMETRY_METADATA=1)
  --telemetry-root DIR  also record file changes under DIR (repeatable;
                        GOHANDS_TELEMETRY_ROOTS=a:b)
`

// errHelp is -h/--help: main prints helpText to stdout and exits 0, as argparse does.
var errHelp = errors.New("help requested")

// parseConfig reads argparse-style arguments (positional port, --opt value and --opt=value,
// --plugins taking one or more values) and the environment through getenv.
func parseConfig(args []string, getenv func(string) string) (executor.Config, error) {
	cfg := executor.Config{
		Username:      "openhands",
		UserID:        1000,
		EnableBrowser: true,
	}
	var pluginNames []string
	portSet := false
	takeValue := func(i *int, name string, inline *string) (string, error) {
		if inline != nil {
			return *inline, nil
		}
		if *i+1 >= len(args) || strings.HasPrefix(args[*i+1], "--") {
			return "", fmt.Errorf("argument %s: expected one argument", name)
		}
		*i++
		return args[*i], nil
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		var inline *string
		if strings.HasPrefix(a, "--") {
			if k, v, ok := strings.Cut(a, "="); ok {
				a, inline = k, &v
			}
		}
		switch a {
		case "-h", "--help":
			return cfg, errHelp
		case "--working-dir":
			v, err := takeValue(&i, a, inline)
			if err != nil {
				return cfg, err
			}
			cfg.WorkingDir = v
		case "--username":
			v, err := takeValue(&i, a, inline)
			if err != nil {
				return cfg, err
			}
			cfg.Username = v
		case "--user-id":
			v, err := takeValue(&i, a, inline)
			if err != nil {
				return cfg, err
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				return cfg, fmt.Errorf("argument --user-id: invalid int value: '%s'", v)
			}
			cfg.UserID = n
		case "--browsergym-eval-env":
			v, err := takeValue(&i, a, inline)
			if err != nil {
				return cfg, err
			}
			cfg.BrowsergymEvalEnv = v
		case "--browser-prewarm":
			cfg.BrowserPrewarm = true
		case "--input-wait-return":
			// gohands' own: a run action returns at once when its command waits for input.
			cfg.InputWaitReturn = true
		case "--telemetry-metadata":
			// gohands' own: a run observation carries its record in extras.metadata.telemetry.
			cfg.TelemetryMetadata = true
		case "--telemetry-root":
			// gohands' own: one more directory whose file changes the action records list.
			v, err := takeValue(&i, a, inline)
			if err != nil {
				return cfg, err
			}
			cfg.Telemetry.Files.Roots = append(cfg.Telemetry.Files.Roots, v)
		case "--enable-browser":
			cfg.EnableBrowser = true
		case "--no-enable-browser":
			cfg.EnableBrowser = false
		case "--plugins":
			if inline != nil {
				pluginNames = append(pluginNames, *inline)
			}
			for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				pluginNames = append(pluginNames, args[i])
			}
			if len(pluginNames) == 0 {
				return cfg, errors.New("argument --plugins: expected at least one argument")
			}
		default:
			if strings.HasPrefix(a, "-") {
				return cfg, fmt.Errorf("unrecognized arguments: %s", a)
			}
			if portSet {
				return cfg, fmt.Errorf("unrecognized arguments: %s", a)
			}
			n, err := strconv.Atoi(a)
			if err != nil || n < 0 || n > 65535 {
				return cfg, fmt.Errorf("argument port: invalid int value: '%s'", a)
			}
			cfg.Port, portSet = n, true
		}
	}
	if !portSet {
		return cfg, errors.New("the following arguments are required: port")
	}
	if err := plugins.Validate(pluginNames); err != nil {
		return cfg, err
	}
	if cfg.WorkingDir == "" {
		cfg.WorkingDir = "/workspace"
	}
	if !cfg.EnableBrowser && cfg.BrowsergymEvalEnv != "" {
		return cfg, errors.New("Browser environment is not enabled in config, but browsergym_eval_env is set")
	}
	if cfg.BrowsergymEvalEnv != "" {
		// Evaluation environments (WebArena, MiniWoB...) are Python BrowserGym task suites.
		return cfg, fmt.Errorf("argument --browsergym-eval-env: %q is not supported: gohands has no BrowserGym evaluation environments (see docs/compatibility.md)", cfg.BrowsergymEvalEnv)
	}

	cfg.SessionAPIKey = getenv("SESSION_API_KEY")
	cfg.NoChangeTimeout = 10 * time.Second
	if v := getenv("NO_CHANGE_TIMEOUT_SECONDS"); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return cfg, fmt.Errorf("NO_CHANGE_TIMEOUT_SECONDS: invalid int value: '%s'", v)
		}
		cfg.NoChangeTimeout = time.Duration(n) * time.Second
	}
	cfg.SUToUser = true
	if v, ok := lookup(getenv, "SU_TO_USER"); ok {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "1", "true", "t", "yes", "y", "on":
			cfg.SUToUser = true
		default:
			cfg.SUToUser = false
		}
	}
	cfg.Chromium = getenv("GOHANDS_CHROMIUM")
	cfg.ServerURLFile = "/tmp/oh-server-url"
	if v := getenv("GOHANDS_SERVER_URL_FILE"); v != "" {
		cfg.ServerURLFile = v
	}
	cfg.PDFJSDir = getenv("GOHANDS_PDFJS_DIR")
	cfg.RuntimeUsername = getenv("RUNTIME_USERNAME")
	cfg.SandboxGroup = getenv("SANDBOX_GROUP_ID")
	cfg.ProcessUser = getenv("USER")
	cfg.Plugins = plugins.ConfigFromEnv(pluginNames, getenv)
	// gohands' own: the largest upload (and total size a zip may extract to), in bytes.
	if v := getenv("GOHANDS_MAX_UPLOAD_BYTES"); v != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return cfg, fmt.Errorf("GOHANDS_MAX_UPLOAD_BYTES: invalid int value: '%s'", v)
		}
		cfg.Files.MaxUploadBytes = n
	}
	// What one zip upload may expand to: total bytes and member count (files.Config).
	if v := getenv("GOHANDS_MAX_ZIP_BYTES"); v != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return cfg, fmt.Errorf("GOHANDS_MAX_ZIP_BYTES: invalid int value: '%s'", v)
		}
		cfg.Files.MaxZipBytes = n
	}
	if v := getenv("GOHANDS_MAX_ZIP_ENTRIES"); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return cfg, fmt.Errorf("GOHANDS_MAX_ZIP_ENTRIES: invalid int value: '%s'", v)
		}
		cfg.Files.MaxZipEntries = n
	}
	// How long a stdio MCP server may take to start and answer initialize (seconds).
	if v := getenv("GOHANDS_MCP_INIT_TIMEOUT"); v != "" {
		n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || n <= 0 {
			return cfg, fmt.Errorf("GOHANDS_MCP_INIT_TIMEOUT: invalid value: '%s'", v)
		}
		cfg.MCP.InitTimeout = time.Duration(n * float64(time.Second))
	}
	if err := telemetryFromEnv(&cfg, getenv); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// telemetryFromEnv reads gohands' telemetry settings: GOHANDS_TELEMETRY=0 turns records, file
// watches and the event stream off; GOHANDS_TELEMETRY_CGROUPS=0 keeps bash out of a cgroup of
// its own; GOHANDS_TELEMETRY_ROOTS adds watched directories (colon-separated);
// GOHANDS_INPUT_WAIT_RETURN=1 is --input-wait-return; GOHANDS_TELEMETRY_METADATA=1 is
// --telemetry-metadata.
func telemetryFromEnv(cfg *executor.Config, getenv func(string) string) error {
	flag := func(k string, def bool) (bool, error) {
		switch strings.ToLower(strings.TrimSpace(getenv(k))) {
		case "":
			return def, nil
		case "1", "true", "yes", "on":
			return true, nil
		case "0", "false", "no", "off":
			return false, nil
		}
		return false, fmt.Errorf("%s: expected 1/true/yes/on or 0/false/no/off, got '%s'", k, getenv(k))
	}
	on, err := flag("GOHANDS_TELEMETRY", true)
	if err != nil {
		return err
	}
	cfg.TelemetryOff = !on
	if cfg.Telemetry.Cgroups, err = flag("GOHANDS_TELEMETRY_CGROUPS", true); err != nil {
		return err
	}
	early, err := flag("GOHANDS_INPUT_WAIT_RETURN", false)
	if err != nil {
		return err
	}
	cfg.InputWaitReturn = cfg.InputWaitReturn || early
	md, err := flag("GOHANDS_TELEMETRY_METADATA", false)
	if err != nil {
		return err
	}
	cfg.TelemetryMetadata = cfg.TelemetryMetadata || md
	for _, r := range strings.Split(getenv("GOHANDS_TELEMETRY_ROOTS"), ":") {
		if r = strings.TrimSpace(r); r != "" {
			cfg.Telemetry.Files.Roots = append(cfg.Telemetry.Files.Roots, r)
		}
	}
	return nil
}

func lookup(getenv func(string) string, k string) (string, bool) {
	v := getenv(k)
	return v, v != ""
}
