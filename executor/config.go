package executor

import (
	"time"

	"github.com/gohands/gohands/files"
	"github.com/gohands/gohands/mcp"
	"github.com/gohands/gohands/plugins"
	"github.com/gohands/gohands/telemetry"
)

// Config is everything the server needs, built by cmd/action-execution-server from the
// command line and the environment. Nothing below reads flags or env on its own.
type Config struct {
	Port              int
	WorkingDir        string
	Username          string
	UserID            int
	SandboxGroup      string // SANDBOX_GROUP_ID: group for the chown of the working dir
	EnableBrowser     bool
	BrowsergymEvalEnv string
	Chromium          string // GOHANDS_CHROMIUM: the browser binary; empty means PATH
	BrowserPrewarm    bool   // --browser-prewarm: start Chromium at boot instead of on first use
	ServerURLFile     string // GOHANDS_SERVER_URL_FILE: where the file viewer's URL goes (/tmp/oh-server-url)
	PDFJSDir          string // GOHANDS_PDFJS_DIR: Debian's pdf.js for the file viewer
	Logf              func(format string, args ...any)
	SessionAPIKey     string        // SESSION_API_KEY; empty disables auth
	NoChangeTimeout   time.Duration // NO_CHANGE_TIMEOUT_SECONDS
	SUToUser          bool          // SU_TO_USER
	RuntimeUsername   string        // RUNTIME_USERNAME
	ProcessUser       string        // $USER of the server process (LocalRuntime check)

	// Telemetry configures command records, file changes, usage and the event stream;
	// TelemetryOff turns all of it off. InputWaitReturn is the opt-in early return of a run
	// action whose command waits for terminal input (off: the reference's texts and timings).
	Telemetry       telemetry.Config
	TelemetryOff    bool
	InputWaitReturn bool
	// TelemetryMetadata puts a run's record into its observation's extras.metadata (key
	// "telemetry"). Off by default: the reference's observations stay byte for byte.
	TelemetryMetadata bool

	Plugins plugins.Config
	Files   files.Config
	MCP     mcp.Config // timeouts and limits; the user, dir, env and key are filled in by Start
}
