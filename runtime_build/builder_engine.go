package runtime_build

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// EngineBuilder builds through the Docker Engine API (/build): Docker's classic builder, or
// podman's compat service (buildah underneath).
type EngineBuilder struct {
	Engine   *Engine
	Progress *Progress
}

// Name implements Builder.
func (b *EngineBuilder) Name() string {
	kind := "docker"
	if b.Engine.Podman {
		kind = "podman"
	}
	return fmt.Sprintf("docker engine api at %s (%s %s, api %s)", b.Engine.Host, kind, b.Engine.ServerVersion, b.Engine.APIVersion)
}

// Features implements Builder: buildah honours RUN --mount=type=cache; Docker's classic
// builder does not, and neither sets $BUILDPLATFORM.
func (b *EngineBuilder) Features() Features {
	return Features{CacheMount: b.Engine.Podman}
}

// ImageExists implements Builder. The registry check is a pull, as in the reference: a build
// on top of the image needs it locally anyway. A failed pull means "absent"; its reason is shown.
func (b *EngineBuilder) ImageExists(ctx context.Context, image string, remote bool) (bool, error) {
	ok, err := b.Engine.ImageExistsLocal(ctx, image)
	if err != nil || ok || !remote {
		return ok, err
	}
	b.Progress.Printf("Pulling %s", image)
	if err := b.Engine.Pull(ctx, image, "", b.Progress); err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		b.Progress.Printf("%s: not in the registry (%s)", image, firstLine(err.Error()))
		return false, nil
	}
	return b.Engine.ImageExistsLocal(ctx, image)
}

// Build implements Builder.
func (b *EngineBuilder) Build(ctx context.Context, req BuildRequest) error {
	if len(req.Tags) == 0 {
		return errors.New("build: no tags")
	}
	if strings.Contains(req.Platform, ",") {
		return fmt.Errorf("build: several platforms (%s) need docker buildx", req.Platform)
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(tarDir(req.Dir, pw)) }()
	id, err := b.Engine.Build(ctx, pr, EngineBuildOptions{Tags: req.Tags, Platform: req.Platform, Labels: req.Labels, NoLayers: b.Engine.Podman}, b.Progress)
	pr.Close()
	if err != nil {
		return err
	}
	// Some engines apply only the first t=; make sure every name is there.
	for _, t := range req.Tags {
		ok, err := b.Engine.ImageExistsLocal(ctx, t)
		if err != nil {
			return err
		}
		if ok {
			continue
		}
		src := id
		if src == "" {
			src = req.Tags[0]
		}
		if err := b.Engine.Tag(ctx, src, t); err != nil {
			return fmt.Errorf("tag %s: %w", t, err)
		}
	}
	if ok, err := b.Engine.ImageExistsLocal(ctx, req.Tags[0]); err != nil || !ok {
		return fmt.Errorf("build finished but %s is missing (%v)", req.Tags[0], err)
	}
	if err := b.Engine.PruneBuildStages(ctx); err != nil {
		b.Progress.Printf("could not remove the compile stage's image: %v", err)
	}
	return nil
}

// Push implements Builder.
func (b *EngineBuilder) Push(ctx context.Context, image string) error {
	b.Progress.Printf("Pushing %s", image)
	return b.Engine.Push(ctx, image, b.Progress)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
