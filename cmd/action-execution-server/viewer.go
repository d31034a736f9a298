package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/gohands/gohands/browser"
	"github.com/gohands/gohands/executor"
)

// startFileViewer starts the reference's loopback-only file viewer on the first free port
// after the server's (port+1 … port+1024) and writes its URL to cfg.ServerURLFile
// (/tmp/oh-server-url), where the agent reads it.
func startFileViewer(cfg executor.Config) (func(), error) {
	var ln net.Listener
	var err error
	if cfg.Port == 0 {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	} else {
		last := min(cfg.Port+1024, 65535)
		for p := cfg.Port + 1; p <= last; p++ {
			if ln, err = net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p)); err == nil {
				break
			}
		}
	}
	if ln == nil {
		return nil, fmt.Errorf("no free port for the file viewer: %v", err)
	}
	url := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	if f := cfg.ServerURLFile; f != "" {
		err := os.MkdirAll(filepath.Dir(f), 0o755)
		if err == nil {
			err = os.WriteFile(f, []byte(url), 0o644)
		}
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("write %s: %w", f, err)
		}
	}
	srv := &http.Server{Handler: browser.NewViewer(browser.ViewerConfig{PDFJSDir: cfg.PDFJSDir}),
		ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	log.Printf("file viewer server at %s", url)
	return func() { _ = srv.Close() }, nil
}
