package runtime_build

// The real build: a real Docker-API engine (podman's service when no Docker answers), a base
// image made without a registry, the minimal runtime image built from scratch, rebuilt with no
// change (no build), rebuilt after a source change (lock mode: one layer with the new binary),
// then a container started as the OpenHands backend starts it, /alive awaited, `echo hi` and a
// file edit through /execute_action. Skipped only under -short; if no engine can be had, the
// test fails.
//
// GOHANDS_RUNTIME_IMAGE=<image> skips the builds and runs only the container check against
// that image (the CI workflow does this for each image it built).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestRealBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("real image build: skipped under -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	e := testEngine(ctx, t)
	if img := os.Getenv("GOHANDS_RUNTIME_IMAGE"); img != "" {
		checkContainer(ctx, t, e, img)
		return
	}
	base, goImage := testImages(t, e)
	src := copySource(t)
	opts := MinimalOptions()
	opts.GoImage = goImage
	const repo = "localhost/gohands-runtime-test"
	p := &Progress{Out: testLogWriter{t}}
	b := &EngineBuilder{Engine: e, Progress: p}
	req := Request{Source: src, BaseImage: base, Repo: repo, Options: opts, Progress: p}

	// From scratch: remove what an earlier run left under these three names.
	tags, _, _, err := Plan(ctx, &EngineBuilder{Engine: e}, Request{Source: src, BaseImage: base, Repo: repo, Options: opts, ForceRebuild: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range tags.All() {
		if err := e.RemoveImage(ctx, img); err != nil && !isNotFound(err) {
			t.Fatal(err)
		}
	}
	start := time.Now()
	r1, err := BuildRuntimeImage(ctx, b, req)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FIGURE scratch build: %s", time.Since(start).Round(100*time.Millisecond))
	if r1.Decision.Mode != ModeScratch || !r1.Built {
		t.Fatalf("first build: %+v", r1.Decision)
	}
	for _, img := range tags.All() {
		if ok, err := e.ImageExistsLocal(ctx, img); !ok || err != nil {
			t.Errorf("after the scratch build %s is missing (%v)", img, err)
		}
	}
	info1, err := e.InspectImage(ctx, r1.Image)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FIGURE minimal image size: %.1f MB (%s)", float64(info1.Size)/1e6, r1.Image)

	// No change: no build.
	start = time.Now()
	r2, err := BuildRuntimeImage(ctx, b, req)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FIGURE no-change rebuild: %s", time.Since(start).Round(time.Millisecond))
	if r2.Decision.Mode != ModeNone || r2.Built || r2.Image != r1.Image {
		t.Fatalf("no-change rebuild: %+v built=%v", r2.Decision, r2.Built)
	}

	// A source change: the lock image is reused, only the binary is copied.
	mainGo := filepath.Join(src.Root, "cmd", "action-execution-server", "main.go")
	f, err := os.OpenFile(mainGo, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "\n// changed by TestRealBuild at %d\n", time.Now().UnixNano())
	f.Close()
	start = time.Now()
	r3, err := BuildRuntimeImage(ctx, b, req)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FIGURE lock-mode rebuild: %s", time.Since(start).Round(100*time.Millisecond))
	if r3.Decision.Mode != ModeLock || r3.Decision.From != tags.Image(tags.Lock) || !r3.Built {
		t.Fatalf("after a source change: %+v", r3.Decision)
	}
	if r3.Tags.Lock != tags.Lock || r3.Tags.Source == tags.Source || r3.Tags.Versioned != tags.Versioned {
		t.Fatalf("a source change must change only the source tag: %+v vs %+v", r3.Tags, tags)
	}
	lockInfo, err := e.InspectImage(ctx, tags.Image(tags.Lock))
	if err != nil {
		t.Fatal(err)
	}
	info3, err := e.InspectImage(ctx, r3.Image)
	if err != nil {
		t.Fatal(err)
	}
	if n, m := len(lockInfo.RootFS.Layers), len(info3.RootFS.Layers); m != n+1 {
		t.Errorf("lock-mode image has %d layers on a %d-layer lock image; want exactly one more (the binary)", m, n)
	}
	if !strings.HasPrefix(strings.Join(info3.RootFS.Layers, ","), strings.Join(lockInfo.RootFS.Layers, ",")) {
		t.Error("the lock-mode image is not built on the lock image's layers")
	}

	checkContainer(ctx, t, e, r3.Image)

	// Leave only the three tags of the scratch build (the next run removes them): the lock-mode
	// image's source tag is unique to this run.
	if err := e.RemoveImage(ctx, r3.Image); err != nil {
		t.Errorf("remove %s: %v", r3.Image, err)
	}
	images, err := e.ListImages(ctx, `{"label":["io.gohands.runtime.stage=build"],"dangling":["true"]}`)
	if err != nil {
		t.Fatal(err)
	}
	if len(images) != 0 {
		t.Errorf("compile-stage images left behind: %v", images)
	}
}

// checkContainer starts image as the OpenHands backend does (§4: entrypoint [], its unchanged
// micromamba command line, its environment, working dir /openhands/code/), waits for /alive as
// the backend does, runs `echo hi` and a file edit through /execute_action, and removes it.
func checkContainer(ctx context.Context, t *testing.T, e *Engine, image string) {
	port := freeTCPPort(t)
	name := fmt.Sprintf("openhands-runtime-gohands-test-%d", time.Now().UnixNano())
	spec := ContainerSpec{
		Image:      image,
		Entrypoint: []string{},
		Cmd: []string{"/openhands/micromamba/bin/micromamba", "run", "-n", "openhands", "poetry", "run",
			"python", "-u", "-m", "openhands.runtime.action_execution_server", strconv.Itoa(port),
			"--working-dir", "/workspace", "--username", "openhands", "--user-id", "1000", "--no-enable-browser"},
		Env: []string{"port=" + strconv.Itoa(port), "PYTHONUNBUFFERED=1", "VSCODE_PORT=" + strconv.Itoa(port+1),
			"APP_PORT_1=" + strconv.Itoa(port+2), "APP_PORT_2=" + strconv.Itoa(port+3),
			"OPENHANDS_SESSION_ID=gohands-test", "PIP_BREAK_SYSTEM_PACKAGES=1"},
		WorkingDir: "/openhands/code/",
		// Host networking (the backend's use_host_network): the server is reached on
		// loopback without a NAT to the container network.
		NetworkHost: true,
	}
	id, err := e.CreateContainer(ctx, name, spec)
	if err != nil {
		t.Fatal(err)
	}
	// Removed before returning (also after t.Fatal), before the test removes its images.
	defer func() {
		if t.Failed() {
			if logs, err := e.ContainerLogs(context.Background(), id); err == nil {
				t.Logf("container log:\n%s", logs)
			}
		}
		if err := e.RemoveContainer(context.Background(), id); err != nil {
			t.Errorf("remove container: %v", err)
		}
	}()
	start := time.Now()
	if err := e.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	if err := waitAlive(ctx, e, id, url, 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	t.Logf("FIGURE container start → /alive: %s (polling every 100 ms; the backend polls every 2 s)", time.Since(start).Round(time.Millisecond))

	o := executeAction(t, url, map[string]any{"action": "run", "args": map[string]any{
		"command": "echo hi", "is_input": false, "blocking": true}, "timeout": 60})
	if o.Observation != "run" || strings.TrimSpace(o.Content) != "hi" || o.exitCode() != 0 {
		t.Fatalf("echo hi: %+v", o)
	}
	o = executeAction(t, url, map[string]any{"action": "run", "args": map[string]any{
		"command": "whoami && pwd", "is_input": false, "blocking": true}, "timeout": 60})
	if o.exitCode() != 0 || !strings.Contains(o.Content, "openhands") || !strings.Contains(o.Content, "/workspace") {
		t.Errorf("whoami && pwd: %+v", o)
	}
	o = executeAction(t, url, map[string]any{"action": "edit", "args": map[string]any{
		"path": "/workspace/hello.txt", "command": "create", "file_text": "hello world\n", "impl_source": "oh_aci"}})
	if o.Observation != "edit" {
		t.Fatalf("create: %+v", o)
	}
	o = executeAction(t, url, map[string]any{"action": "edit", "args": map[string]any{
		"path": "/workspace/hello.txt", "command": "str_replace", "old_str": "world", "new_str": "gohands", "impl_source": "oh_aci"}})
	if o.Observation != "edit" || !strings.Contains(o.Content, "has been edited") {
		t.Fatalf("str_replace: %+v", o)
	}
	o = executeAction(t, url, map[string]any{"action": "run", "args": map[string]any{
		"command": "cat /workspace/hello.txt", "is_input": false, "blocking": true}, "timeout": 60})
	if strings.TrimSpace(o.Content) != "hello gohands" {
		t.Errorf("the edit did not reach the file: %+v", o)
	}
}

// waitAlive is the backend's readiness loop (§4.6): the container must not have exited, and
// GET /alive (5 s timeout) must answer 2xx, for at most 120 s.
func waitAlive(ctx context.Context, e *Engine, id, url string, every time.Duration) error {
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(120 * time.Second)
	for {
		st, err := e.ContainerState(ctx, id)
		if err != nil {
			return err
		}
		if st == "exited" || st == "dead" {
			return fmt.Errorf("container %s before /alive", st)
		}
		resp, err := client.Get(url + "/alive")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("/alive did not answer in 120 s (last: %v)", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(every):
		}
	}
}

type observation struct {
	Observation string         `json:"observation"`
	Content     string         `json:"content"`
	Extras      map[string]any `json:"extras"`
}

func (o observation) exitCode() int {
	m, _ := o.Extras["metadata"].(map[string]any)
	if f, ok := m["exit_code"].(float64); ok {
		return int(f)
	}
	return -999
}

func executeAction(t *testing.T, url string, action map[string]any) observation {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"action": action})
	resp, err := (&http.Client{Timeout: 2 * time.Minute}).Post(url+"/execute_action", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("execute_action %s: HTTP %d: %s", body, resp.StatusCode, b)
	}
	var o observation
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatalf("observation %s: %v", b, err)
	}
	return o
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func isNotFound(err error) bool {
	return err != nil && strings.Contains(err.Error(), ErrNotFound.Error())
}

// testEngine returns the engine at DOCKER_HOST, else Docker's socket, else a podman service
// started for this test (and stopped after it).
func testEngine(ctx context.Context, t *testing.T) *Engine {
	t.Helper()
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		e, err := Ping(ctx, h, 30*time.Second)
		if err != nil {
			t.Fatalf("DOCKER_HOST=%s: %v", h, err)
		}
		return e
	}
	if _, err := os.Stat("/var/run/docker.sock"); err == nil {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		e, err := NewEngine(cctx, "unix:///var/run/docker.sock")
		cancel()
		if err == nil {
			return e
		}
	}
	if _, err := exec.LookPath("podman"); err != nil {
		t.Fatal("no Docker-API engine: DOCKER_HOST is unset, /var/run/docker.sock does not answer and podman is not installed (scripts/deps.d/40-podman.sh installs it)")
	}
	dir, err := os.MkdirTemp("", "gohands-podman-") // short: a unix socket path has ~100 bytes
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "podman.sock")
	var log bytes.Buffer
	cmd := exec.Command("podman", "system", "service", "--time=0", "unix://"+sock)
	// buildah keeps RUN --mount=type=cache directories (the compile stage's Go build cache)
	// under $TMPDIR: /var/tmp (its default) keeps them across test runs, whatever TMPDIR the
	// tests run with.
	cmd.Env = append(append(os.Environ(), containersEnv()...), "TMPDIR=/var/tmp")
	cmd.Stdout, cmd.Stderr = &syncWriter{w: &log}, &syncWriter{w: &log}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start podman service: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		os.RemoveAll(dir)
	})
	e, err := Ping(ctx, "unix://"+sock, 60*time.Second)
	if err != nil {
		t.Fatalf("podman service did not answer: %v\n%s", err, log.String())
	}
	return e
}

// containersEnv points podman at the project's own container config and store
// (scripts/deps.d/40-podman.sh writes them; scripts/containers-env.sh does the same for the
// scripts), never at the machine's /etc/containers.
func containersEnv() []string {
	dir := os.Getenv("GOHANDS_CONTAINERS_DIR")
	if dir == "" {
		dir = "/opt/gohands/containers"
	}
	if _, err := os.Stat(filepath.Join(dir, "storage.conf")); err != nil {
		return nil
	}
	return []string{
		"CONTAINERS_CONF=" + filepath.Join(dir, "containers.conf"),
		"CONTAINERS_STORAGE_CONF=" + filepath.Join(dir, "storage.conf"),
		"CONTAINERS_REGISTRIES_CONF=" + filepath.Join(dir, "registries.conf"),
	}
}

// testImages makes (or reuses) the local base and Go toolchain images.
func testImages(t *testing.T, e *Engine) (base, goImage string) {
	t.Helper()
	cli := "docker"
	if e.Podman {
		cli = "podman"
	}
	cmd := exec.Command("bash", filepath.Join("..", "scripts", "podman-test-images.sh"), cli)
	cmd.Env = append(os.Environ(), containersEnv()...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("test images: %v\n%s", err, stderr.String())
	}
	for _, l := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(l, "base="); ok {
			base = v
		}
		if v, ok := strings.CutPrefix(l, "go="); ok {
			goImage = v
		}
	}
	if base == "" || goImage == "" {
		t.Fatalf("test images: unexpected output %q", out)
	}
	t.Logf("test images %s, %s ready in %s", base, goImage, time.Since(start).Round(100*time.Millisecond))
	return base, goImage
}

// copySource copies the server's sources, go.mod, go.sum and Dockerfile.runtime to a temporary
// tree, so the test can change a file without touching the checkout.
func copySource(t *testing.T) Source {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	files, err := Source{Root: root}.SourceFiles()
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	for _, rel := range append([]string{"go.mod", "go.sum", DockerfileName}, files...) {
		if err := copyFile(filepath.Join(root, filepath.FromSlash(rel)), filepath.Join(dst, filepath.FromSlash(rel))); err != nil {
			t.Fatal(err)
		}
	}
	return Source{Root: dst}
}

type testLogWriter struct{ t *testing.T }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
