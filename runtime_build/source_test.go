package runtime_build

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// fakeModule writes a small gohands module (no dependencies, so go list needs no network).
func fakeModule(t *testing.T) Source {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"go.mod":                              "module github.com/gohands/gohands\n\ngo 1.22\n",
		"go.sum":                              "",
		"Dockerfile.runtime":                  "FROM {{.From}}\n",
		"cmd/action-execution-server/main.go": "package main\n\nimport \"github.com/gohands/gohands/lib\"\n\nfunc main() { lib.Hello() }\n",
		"cmd/action-execution-server/main_test.go": "package main\n",
		"lib/lib.go":                          "package lib\n\nimport _ \"embed\"\n\n//go:embed data.txt\nvar data string\n\nfunc Hello() { println(data) }\n",
		"lib/lib_windows.go":                  "package lib\n\nvar win = 1\n",
		"lib/data.txt":                        "hello\n",
		"lib/README.md":                       "not part of the binary\n",
		"unrelated/x.go":                      "package unrelated\n",
		"runtime_build/image/micromamba-shim": "#!/bin/sh\n",
	}
	for rel, data := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return Source{Root: root}
}

func TestSourceFiles(t *testing.T) {
	t.Parallel()
	s := fakeModule(t)
	got, err := s.SourceFiles()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"cmd/action-execution-server/main.go",
		"lib/data.txt",
		"lib/lib.go",
		"lib/lib_windows.go",
		"runtime_build/image/micromamba-shim",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SourceFiles =\n%q\nwant\n%q", got, want)
	}
}

func TestHashesStability(t *testing.T) {
	t.Parallel()
	opts := MinimalOptions()
	a, b := fakeModule(t), fakeModule(t)
	lockA, srcA, _, err := a.Hashes("debian:bookworm", opts)
	if err != nil {
		t.Fatal(err)
	}
	// The same inputs in another place give the same tags (nothing depends on the path).
	lockB, srcB, _, err := b.Hashes("debian:bookworm", opts)
	if err != nil || lockA != lockB || srcA != srcB {
		t.Fatalf("same tree elsewhere: %s %s vs %s %s (%v)", lockA, srcA, lockB, srcB, err)
	}
	edit := func(s Source, rel, data string) {
		if err := os.WriteFile(filepath.Join(s.Root, filepath.FromSlash(rel)), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name                    string
		change                  func(s Source)
		base                    string
		opts                    func(o *Options)
		lockChanges, srcChanges bool
	}{
		{name: "one Go file", change: func(s Source) {
			edit(s, "lib/lib.go", "package lib\n\nimport _ \"embed\"\n\n//go:embed data.txt\nvar data string\n\nfunc Hello() { println(data, 2) }\n")
		}, srcChanges: true},
		{name: "an embedded file", change: func(s Source) { edit(s, "lib/data.txt", "bye\n") }, srcChanges: true},
		{name: "a file copied into the image", change: func(s Source) { edit(s, "runtime_build/image/micromamba-shim", "#!/bin/sh\nexit 0\n") }, srcChanges: true},
		{name: "go.sum", change: func(s Source) { edit(s, "go.sum", "example.com/x v1.0.0 h1:abc=\n") }, lockChanges: true},
		{name: "go.mod", change: func(s Source) { edit(s, "go.mod", "module github.com/gohands/gohands\n\ngo 1.23\n") }, lockChanges: true},
		{name: "Dockerfile.runtime", change: func(s Source) { edit(s, "Dockerfile.runtime", "FROM {{.From}}\nRUN true\n") }, lockChanges: true},
		{name: "base image", base: "debian:trixie", lockChanges: true},
		{name: "an option", opts: func(o *Options) { o.EnableJupyter = true }, lockChanges: true},
		{name: "a pin", opts: func(o *Options) { o.OpenVSCodeRelease = "openvscode-server-v1.99.0" }, lockChanges: true},
		{name: "extra deps", opts: func(o *Options) { o.ExtraDeps = "echo hi" }, lockChanges: true},
		{name: "a test file", change: func(s Source) { edit(s, "cmd/action-execution-server/main_test.go", "package main\n// x\n") }},
		{name: "a package the server does not import", change: func(s Source) { edit(s, "unrelated/x.go", "package unrelated\n// x\n") }},
		{name: "a markdown file", change: func(s Source) { edit(s, "lib/README.md", "changed\n") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := fakeModule(t)
			base, o := "debian:bookworm", opts
			if c.change != nil {
				c.change(s)
			}
			if c.base != "" {
				base = c.base
			}
			if c.opts != nil {
				c.opts(&o)
			}
			lock, src, _, err := s.Hashes(base, o)
			if err != nil {
				t.Fatal(err)
			}
			if (lock != lockA) != c.lockChanges {
				t.Errorf("lock hash changed=%v, want %v", lock != lockA, c.lockChanges)
			}
			if (src != srcA) != c.srcChanges {
				t.Errorf("source hash changed=%v, want %v", src != srcA, c.srcChanges)
			}
		})
	}
}

func TestFindSourceRoot(t *testing.T) {
	t.Parallel()
	s := fakeModule(t)
	got, err := FindSourceRoot(filepath.Join(s.Root, "lib"))
	if err != nil || got != s.Root {
		t.Errorf("FindSourceRoot = %q, %v; want %q", got, err, s.Root)
	}
	if _, err := FindSourceRoot(t.TempDir()); err == nil {
		t.Error("found a source root in an empty directory")
	}
}
