package e2e

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

func telemetryVenv(t *testing.T) string {
	venv := os.Getenv("GOHANDS_TELEMETRY_VENV")
	if venv == "" {
		venv = "/opt/gohands/telemetry"
	}
	if _, err := os.Stat(venv + "/bin/python"); err != nil {
		t.Skipf("no %s (scripts/deps.d/50-telemetry.sh makes it)", venv)
	}
	return venv
}

// TestTelemetryStreamPythonClients: a real Python SSE client and a real WebSocket client
// (websockets) watch one command, reconnect with ?after=, and read its record.
func TestTelemetryStreamPythonClients(t *testing.T) {
	t.Parallel()
	venv := telemetryVenv(t)
	s := startServer(t, serverOpts{APIKey: "e2e-key"})
	out, err := exec.Command(venv+"/bin/python", "testdata/telemetry_client.py", s.URL, s.APIKey).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("python client: %v\n%s", err, out)
	}
	// Same auth as every route.
	resp, err := http.Get(s.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("/events without the key: %d", resp.StatusCode)
	}
}

// TestTelemetryInputWaitReturn: with --input-wait-return, a command asking [Y/n] comes back at
// once with the documented suffix, and takes its answer with is_input.
func TestTelemetryInputWaitReturn(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{Args: []string{"--input-wait-return", "--telemetry-metadata"}})
	o := s.run(t, `python3 -c 'print("got", input("Proceed? [Y/n] "))'`, 0)
	if !strings.HasPrefix(o.suffix(), "\n[The command is waiting for input") || o.exitCode() != -1 ||
		!strings.Contains(o.Content, "[Y/n]") || o.meta()["telemetry"].(map[string]any)["waiting_for_input"] != true {
		t.Fatalf("%+v", o)
	}
	o = s.run(t, "y", 0, map[string]any{"is_input": true})
	if !strings.Contains(o.Content, "got y") || o.exitCode() != 0 {
		t.Fatalf("%+v", o)
	}
}

// TestTelemetryStreamEndsOnShutdown: an open event stream does not hold the server's shutdown;
// the client is told why its stream ended.
func TestTelemetryStreamEndsOnShutdown(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	resp, err := http.Get(s.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	if _, err := r.ReadString('\n'); err != nil { // the stream's opening comment
		t.Fatal(err)
	}
	_ = s.Cmd.Process.Signal(syscall.SIGTERM)
	var all strings.Builder
	for {
		line, err := r.ReadString('\n')
		all.WriteString(line)
		if err != nil {
			break
		}
	}
	if !strings.Contains(all.String(), "event: dropped") || !strings.Contains(all.String(), "shutting down") {
		t.Fatalf("stream ended with %q", all.String())
	}
}
