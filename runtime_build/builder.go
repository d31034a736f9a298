package runtime_build

import "context"

// Builder builds images from a prepared build folder and answers whether images exist.
type Builder interface {
	// Name is shown to the user ("docker engine api (podman 4.3.1)", "docker buildx").
	Name() string
	// Features say how to render the Dockerfile for this builder.
	Features() Features
	// ImageExists looks locally first, then (when remote) in the registry.
	ImageExists(ctx context.Context, image string, remote bool) (bool, error)
	// Build builds dir with every tag in req.Tags (the first is the primary name).
	Build(ctx context.Context, req BuildRequest) error
	// Push sends a local image to its registry.
	Push(ctx context.Context, image string) error
}

// Features of a builder.
type Features struct {
	CrossCompile  bool // the compile stage can run on the build platform ($BUILDPLATFORM)
	CacheMount    bool // RUN --mount=type=cache works
	MultiPlatform bool // several platforms in one build (needs Push)
	PushesInBuild bool // Build pushes by itself when req.Push
}

// BuildRequest is one build.
type BuildRequest struct {
	Dir      string
	Tags     []string
	Platform string // "" = the engine's; "linux/amd64,linux/arm64" needs MultiPlatform
	Push     bool
	Labels   map[string]string
}
