package runtime_build

import (
	"fmt"
	"sort"
	"strings"
)

// Options are the build arguments of Dockerfile.runtime's final stage: each optional part of
// the image is switched by one. All of them feed the lock hash.
type Options struct {
	GoImage               string // GO_IMAGE: the toolchain image of the compile stage
	InstallSystemPackages bool   // INSTALL_SYSTEM_PACKAGES: apt/apk/dnf install of SystemPackages
	SystemPackages        string // SYSTEM_PACKAGES
	EnableJupyter         bool   // ENABLE_JUPYTER: kernel gateway + ipykernel in /openhands/jupyter
	JupyterPackages       string // JUPYTER_PACKAGES: pip requirement specifiers, pinned
	EnableVSCode          bool   // ENABLE_VSCODE: openvscode-server at /openhands/.openvscode-server
	OpenVSCodeRelease     string // OPENVSCODE_RELEASE: release tag of gitpod-io/openvscode-server
	OpenVSCodeURL         string // OPENVSCODE_URL: where release tarballs are downloaded from
	ExtraDeps             string // EXTRA_DEPS: shell run as the openhands user (the reference's extra_deps)
	EnableBrowser         bool   // ENABLE_BROWSER: Chromium, a font and pdf.js for browse actions and the file viewer
}

// DefaultOptions is the full image: the same defaults as the ARG lines of Dockerfile.runtime
// (a test keeps the two in step).
func DefaultOptions() Options {
	return Options{
		GoImage:               "golang:1.26-bookworm",
		InstallSystemPackages: true,
		SystemPackages:        "bash ca-certificates curl git sudo tmux",
		EnableJupyter:         true,
		JupyterPackages:       "jupyter_kernel_gateway==3.0.1 ipykernel==6.29.5",
		EnableVSCode:          true,
		OpenVSCodeRelease:     "openvscode-server-v1.98.2",
		OpenVSCodeURL:         "https://github.com/gitpod-io/openvscode-server/releases/download",
		EnableBrowser:         true,
	}
}

// MinimalOptions is the image that needs no network while it builds: only the server, its
// user and directories on top of the base image (which must provide bash).
func MinimalOptions() Options {
	o := DefaultOptions()
	o.InstallSystemPackages = false
	o.EnableJupyter = false
	o.EnableVSCode = false
	o.EnableBrowser = false
	return o
}

// BuildArgs returns the options as Dockerfile.runtime's build arguments.
func (o Options) BuildArgs() map[string]string {
	b := func(v bool) string {
		if v {
			return "true"
		}
		return "false"
	}
	return map[string]string{
		"GO_IMAGE":                o.GoImage,
		"INSTALL_SYSTEM_PACKAGES": b(o.InstallSystemPackages),
		"SYSTEM_PACKAGES":         o.SystemPackages,
		"ENABLE_JUPYTER":          b(o.EnableJupyter),
		"JUPYTER_PACKAGES":        o.JupyterPackages,
		"ENABLE_VSCODE":           b(o.EnableVSCode),
		"OPENVSCODE_RELEASE":      o.OpenVSCodeRelease,
		"OPENVSCODE_URL":          o.OpenVSCodeURL,
		"EXTRA_DEPS":              o.ExtraDeps,
		"ENABLE_BROWSER":          b(o.EnableBrowser),
	}
}

// Validate rejects values that cannot be rendered into a Dockerfile ARG line.
func (o Options) Validate() error {
	args := o.BuildArgs()
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.ContainsAny(args[k], "\n\r") {
			return fmt.Errorf("build argument %s: newlines are not allowed", k)
		}
	}
	if _, err := ParseReference(o.GoImage); err != nil {
		return fmt.Errorf("GO_IMAGE: %w", err)
	}
	return nil
}
