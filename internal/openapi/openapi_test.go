package openapi

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPaths(t *testing.T) {
	t.Parallel()
	doc := `openapi: 3.1.0
info:
  title: x
paths:
  /a:
    get:
      summary: "get: not a path"
    post: {}
  /b/{id}:
    x-gohands-any-method: true
    parameters: []
components:
  schemas:
    X:
      get: {}
`
	f := filepath.Join(t.TempDir(), "o.yaml")
	if err := os.WriteFile(f, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Paths(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != 2 || !p["/a"].Methods["GET"] || !p["/a"].Methods["POST"] || len(p["/a"].Methods) != 2 ||
		!p["/b/{id}"].AnyMethod || len(p["/b/{id}"].Methods) != 0 {
		t.Fatalf("%+v", p)
	}
	if err := os.WriteFile(f, []byte("paths:\n  /a:\n  /a:\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Paths(f); err == nil {
		t.Fatal("a path twice accepted")
	}
}
