package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gohands/gohands/files"
	"github.com/gohands/gohands/swerex"
)

// swerexVersion is the swe-rex release whose protocol the swerex-remote mode speaks; it is
// what `swerex-remote --version` prints, as the Python server prints its own version.
const swerexVersion = "1.4.0"

// swerexConfig is swerex-remote's command line (swerex/server.py main()).
type swerexConfig struct {
	Host, AuthToken string
	Port            int
	Version, Help   bool
}

// parseSwerexArgs parses argv as argparse does for swerex-remote: --host, --port,
// --auth-token (required), -v/--version (alone), -h/--help; "--opt=value" and unique
// prefixes of long options are accepted.
func parseSwerexArgs(prog string, args []string) (swerexConfig, error) {
	cfg := swerexConfig{Host: "0.0.0.0", Port: 8000}
	usage := fmt.Sprintf("usage: %s [-h] [--host HOST] [--port PORT] --auth-token AUTH_TOKEN", prog)
	fail := func(format string, a ...any) (swerexConfig, error) {
		return cfg, fmt.Errorf("%s\n%s: error: %s", usage, prog, fmt.Sprintf(format, a...))
	}
	var rest []string
	for _, a := range args {
		if a == "-v" || (len(a) >= 3 && strings.HasPrefix("--version", a)) {
			cfg.Version = true
			continue
		}
		rest = append(rest, a)
	}
	if cfg.Version {
		if len(rest) > 0 {
			return cfg, errVersionCombined
		}
		return cfg, nil
	}
	long := []string{"--help", "--host", "--port", "--auth-token"}
	haveToken := false
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "-h" {
			cfg.Help = true
			continue
		}
		name, val, hasVal := strings.Cut(a, "=")
		if !strings.HasPrefix(name, "--") {
			return fail("unrecognized arguments: %s", strings.Join(rest[i:], " "))
		}
		var match []string
		for _, l := range long {
			if l == name {
				match = []string{l}
				break
			}
			if strings.HasPrefix(l, name) {
				match = append(match, l)
			}
		}
		switch len(match) {
		case 0:
			return fail("unrecognized arguments: %s", a)
		case 1:
		default:
			return fail("ambiguous option: %s could match %s", name, strings.Join(match, ", "))
		}
		opt := match[0]
		if opt == "--help" {
			cfg.Help = true
			continue
		}
		if !hasVal {
			if i+1 >= len(rest) || (strings.HasPrefix(rest[i+1], "-") && len(rest[i+1]) > 1) {
				return fail("argument %s: expected one argument", opt)
			}
			i++
			val = rest[i]
		}
		switch opt {
		case "--host":
			cfg.Host = val
		case "--port":
			n, err := strconv.Atoi(strings.TrimSpace(val))
			if err != nil {
				return fail("argument --port: invalid int value: '%s'", val)
			}
			cfg.Port = n
		case "--auth-token":
			cfg.AuthToken, haveToken = val, true
		}
	}
	if cfg.Help {
		return cfg, nil
	}
	if !haveToken {
		return fail("the following arguments are required: --auth-token")
	}
	return cfg, nil
}

var errVersionCombined = errors.New("Error: --version cannot be combined with other arguments")

func swerexHelp(prog string) string {
	return fmt.Sprintf(`usage: %s [-h] [--host HOST] [--port PORT] --auth-token AUTH_TOKEN

Run the SWE-ReX server

options:
  -h, --help            show this help message and exit
  --host HOST           Host to bind the server to
  --port PORT           Port to run the server on
  --auth-token AUTH_TOKEN
                        token to authenticate requests
`, prog)
}

// swerexMain runs swerex-remote and returns the exit status.
func swerexMain(prog string, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseSwerexArgs(prog, args)
	if errors.Is(err, errVersionCombined) {
		fmt.Fprintln(stdout, err)
		return 1
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if cfg.Version {
		fmt.Fprintln(stdout, swerexVersion)
		return 0
	}
	if cfg.Help {
		fmt.Fprint(stdout, swerexHelp(prog))
		return 0
	}
	if err := runSwerex(cfg); err != nil {
		log.Printf("%s: %v", prog, err)
		return 1
	}
	return 0
}

func runSwerex(cfg swerexConfig) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	wd, err := os.Getwd()
	if err != nil {
		wd = "/"
	}
	rt := swerex.NewRuntime(swerex.Config{AuthToken: cfg.AuthToken, WorkDir: wd, Files: files.New(files.Config{WorkspaceRoot: wd})})
	defer rt.Close()
	ln, err := net.Listen("tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: swerex.NewHandler(rt), ReadHeaderTimeout: 30 * time.Second}
	log.Printf("swerex-remote (gohands, SWE-ReX %s protocol) listening on http://%s", swerexVersion, ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		// Sessions first: a request waiting on a command ends with it, so shutdown need not
		// wait out the command.
		rt.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		return nil
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}
