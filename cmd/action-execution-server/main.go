// Command action-execution-server is the in-sandbox server of the OpenHands runtime: the
// same command line, environment and HTTP API as the Python reference.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gohands/gohands/executor"
)

func main() {
	// The same binary is SWE-ReX's server: by the name it is called with, or as a subcommand.
	if filepath.Base(os.Args[0]) == "swerex-remote" {
		os.Exit(swerexMain("swerex-remote", os.Args[1:], os.Stdout, os.Stderr))
	}
	if len(os.Args) > 1 && os.Args[1] == "swerex-remote" {
		os.Exit(swerexMain("swerex-remote", os.Args[2:], os.Stdout, os.Stderr))
	}
	cfg, err := parseConfig(os.Args[1:], os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "action-execution-server:", err)
		os.Exit(2)
	}
	if err := run(cfg); err != nil {
		log.Printf("action-execution-server: %v", err)
		os.Exit(1)
	}
}

func run(cfg executor.Config) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	cfg.Logf = log.Printf
	x := executor.New(cfg)
	defer x.Close()
	if err := x.Start(ctx); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	// The port opens only now, once bash and the plugins are ready: the backend's /alive
	// poll relies on a refused connection until then.
	ln, err := net.Listen("tcp", fmt.Sprintf("0.0.0.0:%d", cfg.Port))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: executor.NewHTTP(x), ReadHeaderTimeout: 30 * time.Second}
	srv.RegisterOnShutdown(x.CloseStreams) // SSE streams would hold Shutdown for its whole grace
	log.Printf("action-execution-server listening on %s (working dir %s)", ln.Addr(), cfg.WorkingDir)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
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
