package executor

import (
	"sort"
	"strings"
	"testing"

	"github.com/gohands/gohands/internal/openapi"
)

// TestOpenAPIMatchesRoutes: docs/openapi.yaml documents exactly the routes the server
// registers (CI fails when a route is added or removed without the document).
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	doc, err := openapi.Paths("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	served := map[string]map[string]bool{}
	for _, r := range NewHTTP(New(Config{})).Routes() {
		p := r.Path
		// echo's :name and * are OpenAPI's {name} and (here) {path}.
		parts := strings.Split(p, "/")
		for i, s := range parts {
			if strings.HasPrefix(s, ":") {
				parts[i] = "{" + s[1:] + "}"
			} else if s == "*" {
				parts[i] = "{path}"
			}
		}
		p = strings.Join(parts, "/")
		if served[p] == nil {
			served[p] = map[string]bool{}
		}
		served[p][r.Method] = true
	}
	var problems []string
	for p, methods := range served {
		d := doc[p]
		if d == nil {
			problems = append(problems, "served but not documented: "+p)
			continue
		}
		if d.AnyMethod {
			if len(methods) < 8 {
				problems = append(problems, "documented as any method but served for only some: "+p)
			}
			continue
		}
		for m := range methods {
			if !d.Methods[m] {
				problems = append(problems, "served but not documented: "+m+" "+p)
			}
		}
		for m := range d.Methods {
			if !methods[m] {
				problems = append(problems, "documented but not served: "+m+" "+p)
			}
		}
	}
	for p := range doc {
		if served[p] == nil {
			problems = append(problems, "documented but not served: "+p)
		}
	}
	sort.Strings(problems)
	if len(problems) > 0 {
		t.Fatalf("docs/openapi.yaml and the routes differ:\n%s", strings.Join(problems, "\n"))
	}
}
