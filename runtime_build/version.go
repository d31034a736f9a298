// Package runtime_build builds the runtime image: the user's base image with the gohands
// action-execution-server and its optional helpers (Jupyter, openvscode-server) on top. It
// names images with the reference's three tags, reuses what already exists, prepares the build
// context and drives an image builder (Docker Engine API, or docker buildx when present).
package runtime_build

import "os"

// Version is the gohands version that appears in every runtime image tag (`oh_v<Version>_…`).
// Bump it with each release: images of different versions never share tags.
const Version = "0.1.0"

// DefaultRepo is the image repository when OH_RUNTIME_RUNTIME_IMAGE_REPO is unset (the
// reference's default).
const DefaultRepo = "ghcr.io/openhands/runtime"

// RepoEnv names the environment variable that overrides the runtime image repository.
const RepoEnv = "OH_RUNTIME_RUNTIME_IMAGE_REPO"

// RepoFromEnv returns the runtime image repository from getenv (os.Getenv when nil).
func RepoFromEnv(getenv func(string) string) string {
	if getenv == nil {
		getenv = os.Getenv
	}
	if r := getenv(RepoEnv); r != "" {
		return r
	}
	return DefaultRepo
}
