// Command runtime-build builds the gohands runtime image for a base image: it prints the three
// tags and the reuse decision, and builds (and pushes) what is missing.
//
//	runtime-build --base-image debian:bookworm [--build-folder DIR] [--force-rebuild]
//	              [--platform linux/amd64] [--dry-run] [--push] [--minimal] ...
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	rb "github.com/gohands/gohands/runtime_build"
)

// defaultBaseImage is the reference's default base image.
const defaultBaseImage = "nikolaik/python-nodejs:python3.12-nodejs22"

type config struct {
	req     rb.Request
	builder string // auto, engine, buildx
	host    string
	quiet   bool
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("runtime-build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := rb.DefaultOptions()
	var minimal, noJupyter, noVSCode, noSystem, noBrowser bool
	var sourceDir string
	fs.StringVar(&c.req.BaseImage, "base-image", defaultBaseImage, "base image to build on")
	fs.StringVar(&c.req.BuildFolder, "build-folder", "", "prepare the build context in this folder and keep it (default: a temporary folder)")
	fs.BoolVar(&c.req.ForceRebuild, "force-rebuild", false, "build from the base image even when an image exists; apply all three tags")
	fs.StringVar(&c.req.Platform, "platform", "", "target platform(s), e.g. linux/amd64 or linux/amd64,linux/arm64 (several need buildx and --push)")
	fs.BoolVar(&c.req.DryRun, "dry-run", false, "print the three tags and the decision; build nothing")
	fs.BoolVar(&c.req.Push, "push", false, "push the built tags to the registry")
	fs.StringVar(&sourceDir, "source-dir", "", "gohands source tree (default: the one around the current directory)")
	fs.StringVar(&c.builder, "builder", "auto", "auto (buildx when present, else the engine API), engine or buildx")
	fs.StringVar(&c.host, "host", "", "engine API address (default: $DOCKER_HOST, else unix:///var/run/docker.sock)")
	fs.BoolVar(&c.quiet, "quiet", false, "no build progress (for logs); errors still show the failing output")
	fs.BoolVar(&minimal, "minimal", false, "only the server, its user and directories: no system packages, Jupyter or VS Code (needs no network)")
	fs.BoolVar(&noSystem, "no-system-packages", false, "do not install SYSTEM_PACKAGES")
	fs.BoolVar(&noJupyter, "no-jupyter", false, "no Jupyter kernel gateway")
	fs.BoolVar(&noVSCode, "no-vscode", false, "no openvscode-server")
	fs.BoolVar(&noBrowser, "no-browser", false, "no Chromium (browse actions answer that the browser is unavailable)")
	fs.StringVar(&o.SystemPackages, "system-packages", o.SystemPackages, "system packages to install")
	fs.StringVar(&o.JupyterPackages, "jupyter-packages", o.JupyterPackages, "pinned pip requirements of the Jupyter environment")
	fs.StringVar(&o.OpenVSCodeRelease, "openvscode-release", o.OpenVSCodeRelease, "openvscode-server release tag")
	fs.StringVar(&o.OpenVSCodeURL, "openvscode-url", o.OpenVSCodeURL, "where openvscode-server release tarballs are downloaded from")
	fs.StringVar(&o.GoImage, "go-image", o.GoImage, "Go toolchain image of the compile stage")
	fs.StringVar(&o.ExtraDeps, "extra-deps", o.ExtraDeps, "shell commands run as the openhands user at the end (the reference's runtime_extra_deps)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if minimal {
		noSystem, noJupyter, noVSCode, noBrowser = true, true, true, true
	}
	o.InstallSystemPackages = o.InstallSystemPackages && !noSystem
	o.EnableJupyter = o.EnableJupyter && !noJupyter
	o.EnableVSCode = o.EnableVSCode && !noVSCode
	o.EnableBrowser = o.EnableBrowser && !noBrowser
	c.req.Options = o
	switch c.builder {
	case "auto", "engine", "buildx":
	default:
		return c, fmt.Errorf("--builder: want auto, engine or buildx, got %q", c.builder)
	}
	if c.host == "" {
		c.host = rb.DefaultEngineHost(getenv)
	}
	if sourceDir == "" {
		sourceDir = "."
	}
	root, err := rb.FindSourceRoot(sourceDir)
	if err != nil {
		return c, err
	}
	c.req.Source = rb.Source{Root: root}
	c.req.Repo = rb.RepoFromEnv(getenv)
	return c, nil
}

func main() {
	c, err := parseFlags(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "runtime-build:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, c, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "runtime-build:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config, stdout, stderr io.Writer) error {
	p := rb.NewProgress(stderr, c.quiet)
	c.req.Progress = p
	b, err := chooseBuilder(ctx, c, p)
	var offline *rb.NoEngine
	if err != nil {
		if !c.req.DryRun {
			return err
		}
		// A dry run needs no engine: the tags come from the files; only the lookups of
		// existing images are skipped, and the output says so.
		offline = &rb.NoEngine{Reason: err}
		b = offline
	}
	res, err := rb.BuildRuntimeImage(ctx, b, c.req)
	if res.Tags.Source != "" {
		fmt.Fprintf(stdout, "source: %s\nlock: %s\nversioned: %s\n",
			res.Tags.Image(res.Tags.Source), res.Tags.Image(res.Tags.Lock), res.Tags.Image(res.Tags.Versioned))
	}
	if err != nil {
		return err
	}
	from := ""
	if res.Decision.From != "" {
		from = " from " + res.Decision.From
	}
	fmt.Fprintf(stdout, "decision: %s%s\n", res.Decision.Mode, from)
	if offline != nil {
		fmt.Fprintf(stdout, "engine: none (%v)\n", offline.Reason)
		if len(offline.Skipped) > 0 {
			fmt.Fprintf(stdout, "skipped: the existence checks of %s; the decision assumes none of them exists\n",
				strings.Join(offline.Skipped, ", "))
		}
	}
	if res.Folder != "" {
		fmt.Fprintf(stdout, "build-folder: %s\n", res.Folder)
	}
	if res.Built {
		fmt.Fprintf(stdout, "built: %s (%s)\n", strings.Join(res.Decision.Tags, " "), res.Elapsed.Round(100*time.Millisecond))
	}
	fmt.Fprintf(stdout, "image: %s\n", res.Image)
	return nil
}

// chooseBuilder: buildx when present (as the reference), else the engine API.
func chooseBuilder(ctx context.Context, c config, p *rb.Progress) (rb.Builder, error) {
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	engine, engineErr := rb.NewEngine(cctx, c.host)
	useBuildx := c.builder == "buildx" || c.builder == "auto" && rb.BuildxAvailable(cctx, "")
	if useBuildx {
		if engineErr != nil {
			engine = nil
		}
		return &rb.BuildxBuilder{Engine: engine, Progress: p}, nil
	}
	if engineErr != nil {
		return nil, fmt.Errorf("no image builder: docker buildx is not available and %w (set DOCKER_HOST, e.g. to podman's service: podman system service --time=0 unix:///tmp/podman.sock)", engineErr)
	}
	return &rb.EngineBuilder{Engine: engine, Progress: p}, nil
}
