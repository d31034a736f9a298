package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

func TestParseFlags(t *testing.T) {
	t.Parallel()
	env := map[string]string{"OH_RUNTIME_RUNTIME_IMAGE_REPO": "localhost:5000/rt", "DOCKER_HOST": "unix:///tmp/x.sock"}
	getenv := func(k string) string { return env[k] }
	c, err := parseFlags([]string{"--base-image", "debian:bookworm", "--minimal", "--force-rebuild", "--dry-run",
		"--platform", "linux/arm64", "--push", "--build-folder", "/tmp/f", "--extra-deps", "echo hi"}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	r := c.req
	if r.BaseImage != "debian:bookworm" || !r.ForceRebuild || !r.DryRun || !r.Push || r.Platform != "linux/arm64" ||
		r.BuildFolder != "/tmp/f" || r.Repo != "localhost:5000/rt" || c.host != "unix:///tmp/x.sock" {
		t.Errorf("parsed %+v", c)
	}
	o := r.Options
	if o.InstallSystemPackages || o.EnableJupyter || o.EnableVSCode || o.ExtraDeps != "echo hi" {
		t.Errorf("--minimal options %+v", o)
	}
	if r.Source.Root == "" {
		t.Error("no source root")
	}

	c, err = parseFlags(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.req.BaseImage != defaultBaseImage || c.req.Repo != "ghcr.io/openhands/runtime" || !c.req.Options.EnableJupyter ||
		c.host != "unix:///var/run/docker.sock" || c.builder != "auto" {
		t.Errorf("defaults %+v", c)
	}
	for _, bad := range [][]string{{"--builder", "kaniko"}, {"extra"}, {"--nope"}} {
		if _, err := parseFlags(bad, getenv, io.Discard); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	_, err = parseFlags([]string{"--no-jupyter", "--no-vscode"}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseFlags([]string{"--source-dir", t.TempDir()}, getenv, io.Discard); err == nil || !strings.Contains(err.Error(), "no gohands source tree") {
		t.Errorf("source dir outside a checkout: %v", err)
	}
}

// TestDryRunWithoutEngine: a dry run with no engine prints the tags (computed from the files)
// and says which engine checks it skipped; a real build without an engine still fails.
func TestDryRunWithoutEngine(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DOCKER_HOST": "unix://" + t.TempDir() + "/none.sock"}
	getenv := func(k string) string { return env[k] }
	c, err := parseFlags([]string{"--base-image", "debian:bookworm-slim", "--builder", "engine", "--dry-run"}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := run(context.Background(), c, &out, io.Discard); err != nil {
		t.Fatalf("dry run without an engine: %v", err)
	}
	o := out.String()
	for _, want := range []string{"source: ghcr.io/openhands/runtime:oh_v", "lock: ghcr.io/openhands/runtime:oh_v",
		"versioned: ghcr.io/openhands/runtime:oh_v", "_debian_t_bookworm-slim\n", "decision: scratch from debian:bookworm-slim\n",
		"engine: none (", "skipped: the existence checks of ghcr.io/openhands/runtime:oh_v"} {
		if !strings.Contains(o, want) {
			t.Errorf("output lacks %q:\n%s", want, o)
		}
	}
	c.req.DryRun = false
	if err := run(context.Background(), c, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "none.sock") {
		t.Errorf("a build without an engine: %v", err)
	}
}
