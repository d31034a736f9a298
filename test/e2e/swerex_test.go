package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
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
	// pytest's temporary files go under the test's own directory, removed afterwards.
	cmd := exec.Command(py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--basetemp", filepath.Join(t.TempDir(), "pytest"))
	cmd.Dir = filepath.Join(repoRoot(), "test", "swerex")
	cmd.Env = append(os.Environ(), "GOHANDS_BIN="+bin, "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pytest: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

// TestSwerexRemoteByName: the binary answers as swerex-remote when called by that name (the
// symlink `make install` and the runtime image create), with the SWE-ReX routes and auth.
func TestSwerexRemoteByName(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	link := filepath.Join(dir, "swerex-remote")
	if err := os.Symlink(serverBinary(t), link); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	cmd := exec.Command(link, "--host", "127.0.0.1", "--port", strconv.Itoa(port), "--auth-token", "tok")
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	url := fmt.Sprintf("http://127.0.0.1:%d/is_alive", port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("X-API-Key", "tok")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(b) != `{"is_alive":true,"message":""}` {
				t.Fatalf("is_alive: %d %s", resp.StatusCode, b)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("swerex-remote did not answer: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("without a key: %d, want 401", resp.StatusCode)
	}
}
