package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// swerexVenv is where scripts/deps.d/50-swerex.sh installs swe-rex 1.4.0 and pytest.
func swerexVenv() string {
	if v := os.Getenv("GOHANDS_SWEREX_VENV"); v != "" {
		return v
	}
	return "/opt/gohands/swerex-venv"
}

// TestSwerexUpstreamSuite runs SWE-ReX's own tests (test/swerex: test_server.py,
// test_execution.py, test_remote_deployment.py from swe-rex v1.4.0) and our
// RemoteDeployment session with the real Python client against the built binary in its
// swerex-remote mode. Known differences are xfail(strict=True) in test/swerex's conftest.
func TestSwerexUpstreamSuite(t *testing.T) {
	py := filepath.Join(swerexVenv(), "bin", "python")
	if _, err := os.Stat(py); err != nil {
		t.Skipf("no SWE-ReX venv at %s (scripts/deps.d/50-swerex.sh installs it)", swerexVenv())
	}
	bin := serverBinary(t)
	cmd := exec.Command(py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "cache_dir="+t.TempDir())
	cmd.Dir = filepath.Join(repoRoot(), "test", "swerex")
	cmd.Env = append(os.Environ(), "GOHANDS_BIN="+bin, "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pytest: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
