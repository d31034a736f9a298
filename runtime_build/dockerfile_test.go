package runtime_build

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func readTemplate(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", DockerfileName))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// finalStage returns the part after the last FROM.
func finalStage(df string) string {
	i := strings.LastIndex(df, "\nFROM ")
	return df[i:]
}

func TestRenderDockerfileModes(t *testing.T) {
	t.Parallel()
	tmpl := readTemplate(t)
	args := DefaultOptions().BuildArgs()
	for _, c := range []struct {
		mode              Mode
		from              string
		system, optionals bool
	}{
		{ModeScratch, "debian:bookworm", true, true},
		{ModeVersioned, "r:oh_v0.1.0_debian_t_bookworm", false, true},
		{ModeLock, "r:oh_v0.1.0_lock", false, false},
	} {
		t.Run(string(c.mode), func(t *testing.T) {
			t.Parallel()
			out, err := RenderDockerfile(tmpl, RenderSpec{Mode: c.mode, From: c.from, Args: args})
			if err != nil {
				t.Fatal(err)
			}
			df := string(out)
			final := finalStage(df)
			if !strings.HasPrefix(final, "\nFROM "+c.from+"\n") {
				t.Errorf("final stage starts %q", final[:40])
			}
			if got := strings.Contains(final, "useradd"); got != c.system {
				t.Errorf("system section present=%v, want %v", got, c.system)
			}
			if got := strings.Contains(final, "python3 -m venv"); got != c.optionals {
				t.Errorf("optional section present=%v, want %v", got, c.optionals)
			}
			// A lock build only copies the binary: no RUN in the final stage.
			if c.mode == ModeLock && strings.Contains(final, "\nRUN ") {
				t.Errorf("lock-mode final stage runs commands:\n%s", final)
			}
			if !strings.Contains(final, "COPY --from=build /out/bin/ /openhands/bin/") {
				t.Error("the binary is not copied")
			}
			if strings.Contains(df, "{{") || strings.Contains(df, "--platform=$BUILDPLATFORM") || strings.Contains(df, "--mount=") {
				t.Errorf("unexpected template text or builder feature:\n%s", df)
			}
			if !strings.Contains(df, `ARG JUPYTER_PACKAGES="jupyter_kernel_gateway==3.0.1 ipykernel==6.29.5"`) {
				t.Error("pins not rendered as ARG defaults")
			}
		})
	}
}

func TestRenderDockerfileFeaturesAndQuoting(t *testing.T) {
	t.Parallel()
	tmpl := readTemplate(t)
	o := DefaultOptions()
	o.ExtraDeps = `echo "a b" \ $HOME 'x'`
	out, err := RenderDockerfile(tmpl, RenderSpec{Mode: ModeScratch, From: "debian", Args: o.BuildArgs(), CrossCompile: true, CacheMount: true})
	if err != nil {
		t.Fatal(err)
	}
	df := string(out)
	for _, want := range []string{
		"FROM --platform=$BUILDPLATFORM ${GO_IMAGE} AS build",
		"RUN --mount=type=cache,target=/root/.cache/go-build ",
		`ARG EXTRA_DEPS="echo \"a b\" \\ \$HOME 'x'"`,
		`ARG GO_IMAGE="golang:1.26-bookworm"`,
	} {
		if !strings.Contains(df, want) {
			t.Errorf("missing %q in\n%s", want, df)
		}
	}
	for _, bad := range []RenderSpec{
		{Mode: ModeNone, From: "debian", Args: o.BuildArgs()},
		{Mode: ModeScratch, From: "not valid", Args: o.BuildArgs()},
		{Mode: ModeScratch, From: "debian", Args: map[string]string{}},
		{Mode: ModeScratch, From: "debian", Args: map[string]string{"GO_IMAGE": "a\nRUN evil"}},
	} {
		if _, err := RenderDockerfile(tmpl, bad); err == nil {
			t.Errorf("RenderDockerfile(%+v) gave no error", bad)
		}
	}
}

// Every ARG of the final stage is an option (so it feeds the lock hash), and every option is an ARG.
func TestDockerfileArgsAreOptions(t *testing.T) {
	t.Parallel()
	tmpl := string(readTemplate(t))
	re := regexp.MustCompile(`(?m)^ARG ([A-Z_]+)=\{\{arg "([A-Z_]+)"\}\}$`)
	found := map[string]bool{}
	for _, m := range re.FindAllStringSubmatch(tmpl, -1) {
		if m[1] != m[2] {
			t.Errorf("ARG %s takes the value of %s", m[1], m[2])
		}
		found[m[1]] = true
	}
	for k := range DefaultOptions().BuildArgs() {
		if !found[k] {
			t.Errorf("option %s is not an ARG of %s", k, DockerfileName)
		}
		delete(found, k)
	}
	for k := range found {
		t.Errorf("ARG %s is not an option (it would not feed the lock hash)", k)
	}
}

func TestShimRunsTheBackendCommand(t *testing.T) {
	t.Parallel()
	shim, err := os.ReadFile("image/micromamba-shim")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := strings.ReplaceAll(string(shim), "/openhands/bin/action-execution-server", "echo SERVER")
	script = strings.ReplaceAll(script, "/openhands/jupyter/bin/python", filepath.Join(dir, "none"))
	p := filepath.Join(dir, "micromamba")
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "-n", "openhands", "poetry", "run", "python", "-u", "-m", "openhands.runtime.action_execution_server", "30001", "--working-dir", "/workspace", "--plugins", "jupyter", "vscode", "--username", "openhands", "--user-id", "1000"},
			"SERVER 30001 --working-dir /workspace --plugins jupyter vscode --username openhands --user-id 1000\n"},
		{[]string{"run", "-n", "openhands", "echo", "a b"}, "a b\n"},
		{[]string{"run", "-n", "openhands", "sh", "-c", "echo $0", "x"}, "x\n"},
	} {
		out, err := exec.Command("sh", append([]string{p}, c.args...)...).CombinedOutput()
		if err != nil || string(out) != c.want {
			t.Errorf("micromamba %q = %q, %v; want %q", c.args, out, err, c.want)
		}
	}
	if out, err := exec.Command("sh", p, "install", "x").CombinedOutput(); err == nil {
		t.Errorf("micromamba install succeeded: %s", out)
	}
}
