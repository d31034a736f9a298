// Package openapi reads the paths and methods of the repository's OpenAPI documents, so that
// each server's tests can compare them with the routes it registers. It reads the layout the
// documents keep (paths two spaces in under `paths:`, methods four spaces in) rather than all
// of YAML.
package openapi

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// Path is one documented path.
type Path struct {
	Methods   map[string]bool // upper case
	AnyMethod bool            // x-gohands-any-method: true
}

var methods = map[string]bool{"get": true, "post": true, "put": true, "delete": true, "patch": true,
	"head": true, "options": true, "trace": true}

// Paths reads the paths of the OpenAPI document at file.
func Paths(file string) (map[string]*Path, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]*Path{}
	in := false
	var cur *Path
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		if indent == 0 {
			in = strings.HasPrefix(line, "paths:")
			cur = nil
			continue
		}
		if !in {
			continue
		}
		key, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
		switch {
		case indent == 2:
			if !ok || !strings.HasPrefix(key, "/") || strings.TrimSpace(rest) != "" {
				return nil, fmt.Errorf("%s:%d: want a path key, got %q", file, n, line)
			}
			if out[key] != nil {
				return nil, fmt.Errorf("%s:%d: path %s twice", file, n, key)
			}
			cur = &Path{Methods: map[string]bool{}}
			out[key] = cur
		case indent == 4 && cur != nil && ok:
			if methods[key] {
				cur.Methods[strings.ToUpper(key)] = true
			}
			if key == "x-gohands-any-method" && strings.TrimSpace(rest) == "true" {
				cur.AnyMethod = true
			}
		}
	}
	return out, sc.Err()
}
