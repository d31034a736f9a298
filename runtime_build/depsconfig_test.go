package runtime_build

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDepsContainersConfig: scripts/deps.d/40-podman.sh writes the container tools' settings
// into the project's own directory (here a temp one) and leaves the machine's /etc/containers
// as it was (it used to overwrite storage.conf and containers.conf there).
func TestDepsContainersConfig(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the deps steps run as root")
	}
	if _, err := exec.LookPath("podman"); err != nil {
		t.Skip("podman is not installed (the step would install it)")
	}
	before := etcContainers(t)
	dir, store := t.TempDir(), filepath.Join(t.TempDir(), "storage")
	cmd := exec.Command("bash", filepath.Join("..", "scripts", "deps.d", "40-podman.sh"))
	cmd.Env = append(os.Environ(), "GOHANDS_CONTAINERS_DIR="+dir, "GOHANDS_CONTAINERS_STORE="+store)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("40-podman.sh: %v\n%s", err, out)
	}
	for name, want := range map[string]string{
		"storage.conf":    `graphroot = "` + store + `"`,
		"containers.conf": `runtime = "runc"`,
		"registries.conf": `unqualified-search-registries = []`,
	} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !strings.Contains(string(b), want) {
			t.Errorf("%s: %q (%v), want it to contain %q", name, b, err, want)
		}
	}
	if after := etcContainers(t); after != before {
		t.Errorf("/etc/containers changed:\nbefore %s\nafter  %s", before, after)
	}
	// scripts/containers-env.sh points the tools at them.
	out, err := exec.Command("bash", "-c", `GOHANDS_CONTAINERS_DIR="$1" . ../scripts/containers-env.sh; echo "$CONTAINERS_CONF|$CONTAINERS_STORAGE_CONF|$CONTAINERS_REGISTRIES_CONF"`, "x", dir).Output()
	if want := filepath.Join(dir, "containers.conf") + "|" + filepath.Join(dir, "storage.conf") + "|" + filepath.Join(dir, "registries.conf"); err != nil || strings.TrimSpace(string(out)) != want {
		t.Errorf("containers-env.sh: %q (%v), want %q", out, err, want)
	}
}

// etcContainers summarises /etc/containers: every file's name, size and modification time.
func etcContainers(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	_ = filepath.WalkDir("/etc/containers", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			fmt.Fprintf(&b, "%s %d %s; ", p, fi.Size(), fi.ModTime().Format(time.RFC3339Nano))
		}
		return nil
	})
	return b.String()
}
