package runtime_build

import (
	"context"
	"fmt"
	"os"
	"time"
)

// Request is one runtime image build.
type Request struct {
	Source       Source
	BaseImage    string
	Repo         string // "" = RepoFromEnv
	Version      string // "" = Version
	Options      Options
	BuildFolder  string // "" = a temporary folder, removed afterwards; else kept
	ForceRebuild bool
	DryRun       bool // compute tags and the decision, prepare the folder if one is given, build nothing
	Push         bool
	Platform     string
	Progress     *Progress
}

// Result says what happened.
type Result struct {
	Tags     Tags
	Decision Decision
	Image    string // repo:source tag, the image to run
	Folder   string // the build folder when kept
	Built    bool
	Elapsed  time.Duration
}

// Plan computes the tags and the reuse decision (it looks at existing images through b).
func Plan(ctx context.Context, b Builder, req Request) (Tags, Decision, []string, error) {
	if err := req.Options.Validate(); err != nil {
		return Tags{}, Decision{}, nil, err
	}
	if _, err := ParseReference(req.BaseImage); err != nil {
		return Tags{}, Decision{}, nil, fmt.Errorf("base image: %w", err)
	}
	repo, version := req.Repo, req.Version
	if repo == "" {
		repo = RepoFromEnv(nil)
	}
	if version == "" {
		version = Version
	}
	lock, source, files, err := req.Source.Hashes(req.BaseImage, req.Options)
	if err != nil {
		return Tags{}, Decision{}, nil, err
	}
	tags, err := ComputeTags(repo, version, req.BaseImage, lock, source)
	if err != nil {
		return Tags{}, Decision{}, nil, err
	}
	req.Progress.Printf("Building image: %s", tags.Image(tags.Source))
	var have Existing
	if !req.ForceRebuild {
		// Looked up in order, stopping at the first hit, as the reference does. Every tag is
		// looked up in the registry too: CI pushes all three (the reference never looked for
		// the source tag there).
		for _, c := range []struct {
			tag string
			hit *bool
		}{{tags.Source, &have.Source}, {tags.Lock, &have.Lock}, {tags.Versioned, &have.Versioned}} {
			ok, err := b.ImageExists(ctx, tags.Image(c.tag), remoteRepo(repo))
			if err != nil {
				return tags, Decision{}, nil, fmt.Errorf("look up %s: %w", tags.Image(c.tag), err)
			}
			*c.hit = ok
			if ok {
				break
			}
		}
	}
	return tags, Decide(tags, req.BaseImage, have, req.ForceRebuild), files, nil
}

// BuildRuntimeImage plans, prepares the build folder and builds (unless dry-run).
func BuildRuntimeImage(ctx context.Context, b Builder, req Request) (Result, error) {
	start := time.Now()
	tags, dec, files, err := Plan(ctx, b, req)
	res := Result{Tags: tags, Decision: dec, Image: tags.Image(tags.Source)}
	if err != nil {
		return res, err
	}
	req.Progress.Printf("Decision: %s", dec)
	if dec.Mode == ModeNone {
		if req.Push && !req.DryRun {
			if err := b.Push(ctx, res.Image); err != nil {
				return res, err
			}
		}
		res.Elapsed = time.Since(start)
		return res, nil
	}
	if req.DryRun && req.BuildFolder == "" {
		res.Elapsed = time.Since(start)
		return res, nil
	}
	folder := req.BuildFolder
	if folder == "" {
		if folder, err = os.MkdirTemp("", "gohands-runtime-build-"); err != nil {
			return res, err
		}
		defer os.RemoveAll(folder)
	} else {
		res.Folder = folder
	}
	f := b.Features()
	_, err = req.Source.Prepare(folder, PrepareOptions{
		Files: files,
		Render: RenderSpec{Mode: dec.Mode, From: dec.From, Args: req.Options.BuildArgs(),
			CrossCompile: f.CrossCompile, CacheMount: f.CacheMount},
	})
	if err != nil {
		return res, err
	}
	if req.DryRun {
		req.Progress.Printf("Build folder prepared: %s (dry run: not built)", folder)
		res.Elapsed = time.Since(start)
		return res, nil
	}
	req.Progress.Printf("Building with %s", b.Name())
	err = b.Build(ctx, BuildRequest{
		Dir: folder, Tags: dec.Tags, Platform: req.Platform, Push: req.Push && f.PushesInBuild,
		Labels: map[string]string{
			"io.gohands.runtime.version":    tagsVersion(req),
			"io.gohands.runtime.base-image": req.BaseImage,
			"io.gohands.runtime.build-mode": string(dec.Mode),
		},
	})
	if err != nil {
		return res, fmt.Errorf("build failed for image %s: %w", res.Image, err)
	}
	res.Built = true
	if req.Push && !f.PushesInBuild {
		for _, t := range dec.Tags {
			if err := b.Push(ctx, t); err != nil {
				return res, err
			}
		}
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// remoteRepo reports whether the repository can be in a registry: "localhost/…" is podman's
// name for images that exist only locally.
func remoteRepo(repo string) bool { return registryHost(repo) != "localhost" }

func tagsVersion(req Request) string {
	if req.Version != "" {
		return req.Version
	}
	return Version
}
