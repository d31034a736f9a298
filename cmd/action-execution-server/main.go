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
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gohands/gohands/executor"
	"github.com/gohands/gohands/plugins/proc"
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
	if errors.Is(err, errHelp) {
		fmt.Print(helpText)
		os.Exit(0)
	}
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
	// Every process the server starts inherits the mark: shutdown finds by it the jobs that
	// left bash's session and were orphaned (`setsid cmd &`), besides its descendants.
	mark, err := proc.NewMark()
	if err != nil {
		return err
	}
	k, v, _ := strings.Cut(mark, "=")
	if err := os.Setenv(k, v); err != nil {
		return err
	}
	// The file viewer starts first, as in the reference, browser or not.
	stopViewer, err := startFileViewer(cfg)
	if err != nil {
		return fmt.Errorf("file viewer: %w", err)
	}
	defer stopViewer()
	x := executor.New(cfg)
	defer func() {
		x.Close()
		if n, err := proc.KillAll(mark, os.Getpid(), 5*time.Second); err != nil || n > 0 {
			log.Printf("shutdown: killed %d leftover processes (%v)", n, err)
		}
	}()
	if err := x.Start(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // told to stop while starting
		}
		return fmt.Errorf("start: %w", err)
	}
	// The port opens only now, once bash and the plugins are ready: the backend's /alive
	// poll relies on a refused connection until then.
	ln, err := net.Listen("tcp", fmt.Sprintf("0.0.0.0:%d", cfg.Port))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	// Requests' contexts end when the server is told to stop, so in-flight actions return
	// (their commands are killed with the session) instead of holding Shutdown.
	reqCtx, cancelRequests := context.WithCancel(context.Background())
	defer cancelRequests()
	// Handlers are counted so that shutdown can wait for their cleanup (an upload removes its
	// temp file when its body read fails) before the process exits.
	var handlers sync.WaitGroup
	h := executor.NewHTTP(x)
	srv := &http.Server{ReadHeaderTimeout: 30 * time.Second,
		BaseContext: func(net.Listener) context.Context { return reqCtx },
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			handlers.Add(1)
			defer handlers.Done()
			h.ServeHTTP(w, r)
		})}
	srv.RegisterOnShutdown(x.CloseStreams) // SSE streams would hold Shutdown for its whole grace
	srv.RegisterOnShutdown(x.CloseEventStreams)
	log.Printf("action-execution-server listening on %s (working dir %s)", ln.Addr(), cfg.WorkingDir)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		cancelRequests()
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			// A handler still blocks, e.g. reading an upload's body the client trickles:
			// closing its connection makes the read fail.
			_ = srv.Close()
		}
		idle := make(chan struct{})
		go func() { handlers.Wait(); close(idle) }()
		select {
		case <-idle:
		case <-time.After(3 * time.Second):
			log.Printf("shutdown: a request handler did not return")
		}
		return nil
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}
