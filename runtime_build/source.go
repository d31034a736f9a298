package runtime_build

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// ServerPackage is the main package of the binary the image carries.
const ServerPackage = "./cmd/action-execution-server"

// ImageFilesDir holds the files copied into the image besides the binary (relative to the
// source root).
const ImageFilesDir = "runtime_build/image"

// DockerfileName is the Dockerfile template at the source root.
const DockerfileName = "Dockerfile.runtime"

// Source is a gohands source tree.
type Source struct {
	Root string // the module root (holds go.mod and Dockerfile.runtime)
	Go   string // the go command; "go" when empty
}

// FindSourceRoot walks up from dir to the directory whose go.mod declares the gohands module.
func FindSourceRoot(dir string) (string, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module github.com/gohands/gohands\n")) {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no gohands source tree (go.mod of github.com/gohands/gohands) at or above %s", dir)
		}
		d = parent
	}
}

// SourceFiles lists, relative to the root and slash-separated, the files that make the
// server binary and the image's other files: every non-test Go file of the main module's
// packages that the server imports (including files for other platforms), their embedded
// files, and everything under ImageFilesDir. go.mod and go.sum are not listed: they are lock
// inputs. The listing is for GOOS=linux with cgo off, whatever machine runs it, so that every
// machine computes the same source hash.
func (s Source) SourceFiles() ([]string, error) {
	goCmd := s.Go
	if goCmd == "" {
		goCmd = "go"
	}
	cmd := exec.Command(goCmd, "list", "-deps", "-json=Dir,ImportPath,Module,GoFiles,IgnoredGoFiles,EmbedFiles,Standard", ServerPackage)
	cmd.Dir = s.Root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0", "GOFLAGS=-mod=readonly", "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s in %s: %w: %s", ServerPackage, s.Root, err, strings.TrimSpace(stderr.String()))
	}
	type pkg struct {
		Dir            string
		Module         *struct{ Main bool }
		Standard       bool
		GoFiles        []string
		IgnoredGoFiles []string
		EmbedFiles     []string
	}
	seen := map[string]bool{}
	var files []string
	add := func(rel string) {
		if !seen[rel] {
			seen[rel] = true
			files = append(files, rel)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list output: %w", err)
		}
		if p.Standard || p.Module == nil || !p.Module.Main {
			continue
		}
		rel, err := filepath.Rel(s.Root, p.Dir)
		if err != nil {
			return nil, err
		}
		for _, f := range append(append(append([]string{}, p.GoFiles...), p.IgnoredGoFiles...), p.EmbedFiles...) {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			add(path.Join(filepath.ToSlash(rel), f))
		}
	}
	err = filepath.WalkDir(filepath.Join(s.Root, filepath.FromSlash(ImageFilesDir)), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(s.Root, p)
			add(filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", ImageFilesDir, err)
	}
	sort.Strings(files)
	return files, nil
}

// Hashes computes the lock and source hashes of this tree for a base image and options.
func (s Source) Hashes(baseImage string, opts Options) (lock, source string, files []string, err error) {
	read := func(name string) ([]byte, error) {
		b, err := os.ReadFile(filepath.Join(s.Root, name))
		if err != nil {
			return nil, fmt.Errorf("lock input: %w", err)
		}
		return b, nil
	}
	var in LockInputs
	in.BaseImage = baseImage
	if in.GoMod, err = read("go.mod"); err != nil {
		return
	}
	if in.GoSum, err = read("go.sum"); err != nil {
		return
	}
	if in.Dockerfile, err = read(DockerfileName); err != nil {
		return
	}
	in.BuildArgs = opts.BuildArgs()
	lock = LockHash(in)
	if files, err = s.SourceFiles(); err != nil {
		return
	}
	sum, err := DirHash(s.Root, files)
	if err != nil {
		return "", "", nil, err
	}
	source, err = TruncateHash(sum)
	return lock, source, files, err
}
