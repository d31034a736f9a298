package runtime_build

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strings"
	"sync"
)

// BuildxBuilder runs `docker buildx build` (the reference's builder): BuildKit, cross-compiling
// compile stage, several platforms at once with --push. Local existence checks go through the
// engine when there is one; registry checks use `docker buildx imagetools inspect`, which
// downloads nothing.
type BuildxBuilder struct {
	Docker   string  // the docker CLI; "docker" when empty
	Engine   *Engine // may be nil (no local engine, e.g. a remote BuildKit)
	Progress *Progress
}

// BuildxAvailable reports whether `docker buildx version` works.
func BuildxAvailable(ctx context.Context, docker string) bool {
	if docker == "" {
		docker = "docker"
	}
	return exec.CommandContext(ctx, docker, "buildx", "version").Run() == nil
}

func (b *BuildxBuilder) docker() string {
	if b.Docker == "" {
		return "docker"
	}
	return b.Docker
}

// Name implements Builder.
func (b *BuildxBuilder) Name() string { return "docker buildx" }

// Features implements Builder.
func (b *BuildxBuilder) Features() Features {
	return Features{CrossCompile: true, CacheMount: true, MultiPlatform: true, PushesInBuild: true}
}

// ImageExists implements Builder.
func (b *BuildxBuilder) ImageExists(ctx context.Context, image string, remote bool) (bool, error) {
	if b.Engine != nil {
		ok, err := b.Engine.ImageExistsLocal(ctx, image)
		if err != nil || ok {
			return ok, err
		}
	}
	if !remote {
		return false, nil
	}
	out, err := exec.CommandContext(ctx, b.docker(), "buildx", "imagetools", "inspect", image).CombinedOutput()
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		b.Progress.Printf("%s: not in the registry (%s)", image, firstLine(strings.TrimSpace(string(out))))
		return false, nil
	}
	return true, nil
}

// buildxArgs is the command line (tested on its own).
func buildxArgs(req BuildRequest, progress string) []string {
	args := []string{"buildx", "build", "--progress=" + progress}
	for _, t := range req.Tags {
		args = append(args, "--tag="+t)
	}
	if req.Platform != "" {
		args = append(args, "--platform="+req.Platform)
	}
	keys := make([]string, 0, len(req.Labels))
	for k := range req.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "--label="+k+"="+req.Labels[k])
	}
	if req.Push {
		args = append(args, "--push", "--provenance=false")
	} else {
		args = append(args, "--load")
	}
	return append(args, req.Dir)
}

// Build implements Builder. All tags are applied (the reference applied two of three).
func (b *BuildxBuilder) Build(ctx context.Context, req BuildRequest) error {
	if len(req.Tags) == 0 {
		return errors.New("build: no tags")
	}
	if strings.Contains(req.Platform, ",") && !req.Push {
		return fmt.Errorf("build: several platforms (%s) cannot be loaded into the local engine; use --push", req.Platform)
	}
	progress := "plain"
	if b.Progress != nil && b.Progress.TTY && !b.Progress.Quiet {
		progress = "tty"
	}
	cmd := exec.CommandContext(ctx, b.docker(), buildxArgs(req, progress)...)
	return b.run(cmd)
}

// run streams the command's output through Progress and keeps its tail for the error.
func (b *BuildxBuilder) run(cmd *exec.Cmd) error {
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			b.Progress.Printf("%s", sc.Text())
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	err := cmd.Run()
	pw.Close()
	wg.Wait()
	if err != nil {
		return &StreamError{Message: fmt.Sprintf("%s: %v", strings.Join(cmd.Args, " "), err), Tail: b.Progress.Tail()}
	}
	return nil
}

// Push implements Builder.
func (b *BuildxBuilder) Push(ctx context.Context, image string) error {
	return b.run(exec.CommandContext(ctx, b.docker(), "push", image))
}
