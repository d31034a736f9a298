package runtime_build

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
)

// RenderSpec is what Dockerfile.runtime is rendered with.
type RenderSpec struct {
	Mode Mode   // scratch, versioned or lock
	From string // the final stage's FROM image
	Args map[string]string
	// CrossCompile puts the compile stage on the build platform (buildx, multi-platform).
	CrossCompile bool
	// CacheMount keeps Go's build cache across builds (BuildKit and buildah; not the classic
	// Docker builder, which rejects RUN --mount).
	CacheMount bool
}

// RenderDockerfile renders the Dockerfile.runtime template.
func RenderDockerfile(tmpl []byte, spec RenderSpec) ([]byte, error) {
	switch spec.Mode {
	case ModeScratch, ModeVersioned, ModeLock:
	default:
		return nil, fmt.Errorf("render %s: no Dockerfile for mode %q", DockerfileName, spec.Mode)
	}
	if _, err := ParseReference(spec.From); err != nil {
		return nil, fmt.Errorf("render %s: FROM: %w", DockerfileName, err)
	}
	funcs := template.FuncMap{
		"arg": func(name string) (string, error) {
			v, ok := spec.Args[name]
			if !ok {
				return "", fmt.Errorf("no value for build argument %s", name)
			}
			return quoteArg(v)
		},
	}
	t, err := template.New(DockerfileName).Funcs(funcs).Option("missingkey=error").Parse(string(tmpl))
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", DockerfileName, err)
	}
	var out bytes.Buffer
	if err := t.Execute(&out, spec); err != nil {
		return nil, fmt.Errorf("render %s: %w", DockerfileName, err)
	}
	return out.Bytes(), nil
}

// quoteArg writes a value as a double-quoted Dockerfile word: backslash, quote and '$' are
// escaped so the value reaches the build exactly (no variable expansion at ARG time).
func quoteArg(v string) (string, error) {
	if strings.ContainsAny(v, "\n\r") {
		return "", fmt.Errorf("newline in build argument value %q", v)
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`)
	return `"` + r.Replace(v) + `"`, nil
}
