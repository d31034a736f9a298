package swerex

import (
	"testing"

	"github.com/gohands/gohands/internal/openapi"
)

// TestOpenAPIMatchesRoutes: docs/openapi-swerex.yaml documents exactly the routes this server
// answers.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	doc, err := openapi.Paths("../docs/openapi-swerex.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for p, r := range routes {
		d := doc[p]
		if d == nil || !d.Methods[r.method] || len(d.Methods) != 1 {
			t.Errorf("served as %s %s, documented as %+v", r.method, p, d)
		}
	}
	for p := range doc {
		if _, ok := routes[p]; !ok {
			t.Errorf("documented but not served: %s", p)
		}
	}
}
