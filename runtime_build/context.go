package runtime_build

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Context is a prepared build folder:
//
//	Dockerfile     Dockerfile.runtime rendered for the mode
//	src/           go.mod, go.sum, the server's Go sources, vendor/ (every module, so the
//	               compile stage needs no network)
//	image/         files copied into /openhands/bin (the micromamba shim)
type Context struct {
	Dir        string
	Dockerfile []byte
}

// PrepareOptions says how to prepare a build folder.
type PrepareOptions struct {
	Render RenderSpec
	Files  []string // Source.SourceFiles()
	// NoVendor leaves vendor/ out: the compile stage then downloads modules.
	NoVendor bool
}

// Prepare fills dir (created when missing; must be empty or absent) with the build context.
func (s Source) Prepare(dir string, po PrepareOptions) (*Context, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("build folder: %w", err)
	}
	if ents, err := os.ReadDir(dir); err != nil {
		return nil, fmt.Errorf("build folder: %w", err)
	} else if len(ents) > 0 {
		return nil, fmt.Errorf("build folder %s is not empty", dir)
	}
	tmpl, err := os.ReadFile(filepath.Join(s.Root, DockerfileName))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", DockerfileName, err)
	}
	df, err := RenderDockerfile(tmpl, po.Render)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), df, 0o644); err != nil {
		return nil, err
	}
	src := filepath.Join(dir, "src")
	for _, rel := range append([]string{"go.mod", "go.sum"}, po.Files...) {
		to := filepath.Join(src, filepath.FromSlash(rel))
		if after, ok := strings.CutPrefix(rel, ImageFilesDir+"/"); ok {
			to = filepath.Join(dir, "image", filepath.FromSlash(after))
		}
		if err := copyFile(filepath.Join(s.Root, filepath.FromSlash(rel)), to); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "image"), 0o755); err != nil {
		return nil, err
	}
	if !po.NoVendor {
		if err := s.vendor(filepath.Join(src, "vendor")); err != nil {
			return nil, err
		}
	}
	return &Context{Dir: dir, Dockerfile: df}, nil
}

// vendor writes every module the main module needs into to (`go mod vendor -o`), from the
// local module cache.
func (s Source) vendor(to string) error {
	goCmd := s.Go
	if goCmd == "" {
		goCmd = "go"
	}
	cmd := exec.Command(goCmd, "mod", "vendor", "-o", to)
	cmd.Dir = s.Root
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go mod vendor: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// copyFile copies one regular file, keeping its permission bits (the shim must stay executable).
func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", from, err)
	}
	return out.Close()
}
