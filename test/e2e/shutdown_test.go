package e2e

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSIGTERMLeavesNothingBehind: SIGTERM while a command runs and an upload stalls. The
// server stops accepting, the in-flight action returns, every process it started is killed (a
// plain background job, a job that left bash's session with setsid, a double fork), its temp
// files are gone (the long command's, the upload's), and it exits 0.
func TestSIGTERMLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	mark := fmt.Sprintf("GOHANDS_E2E_SHUTDOWN=%d", time.Now().UnixNano())
	s := startServer(t, serverOpts{Env: []string{"TMPDIR=" + tmp, mark}})

	for _, c := range []string{
		"sleep 1001 &",
		"setsid sleep 1002 > /dev/null 2>&1 &",
		"(setsid sh -c 'sleep 1003 & exit' &) ; sleep 0.1",
		// A line too long to type goes through a temp file in TMPDIR.
		"echo " + strings.Repeat("x", 5000) + " > /dev/null",
	} {
		if o := s.run(t, c, 30); o.exitCode() != 0 {
			t.Fatalf("%.60s: %+v", c, o)
		}
	}
	if len(marked(mark)) < 4 { // bash and the three sleeps
		t.Fatalf("the jobs did not start: %v", marked(mark))
	}
	if ents, _ := os.ReadDir(tmp); len(ents) == 0 {
		t.Fatal("the long command left no temp file to clean: the test proves nothing")
	}

	// An action in flight when the signal comes.
	inflight := make(chan obs, 1)
	go func() {
		code, body := s.postJSON(t, "/execute_action", map[string]any{"action": map[string]any{
			"action": "run", "args": map[string]any{"command": "sleep 1004", "blocking": true}, "timeout": 600}})
		inflight <- obs{Content: strconv.Itoa(code) + " " + string(body)}
	}()
	if !eventually(30*time.Second, func() bool { return hasCmdline(mark, "sleep 1004") }) {
		t.Fatal("the in-flight command did not start")
	}

	// An upload whose client sends the start of a large file and then stalls: its temp file
	// next to the target must go too.
	upDir := t.TempDir()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
	fmt.Fprintf(conn, "POST /upload_file?destination=%s&recursive=false HTTP/1.1\r\nHost: x\r\n"+
		"Content-Type: multipart/form-data; boundary=B\r\nContent-Length: %d\r\n\r\n%s", upDir, 200<<20, head)
	if _, err := conn.Write(bytes.Repeat([]byte("x"), 4<<20)); err != nil {
		t.Fatal(err)
	}
	if !eventually(30*time.Second, func() bool { ents, _ := os.ReadDir(upDir); return len(ents) > 0 }) {
		t.Fatal("the upload wrote nothing yet")
	}

	start := time.Now()
	if err := s.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Done:
	case <-time.After(20 * time.Second):
		t.Fatalf("no exit 20 s after SIGTERM; log:\n%s", s.Log)
	}
	took := time.Since(start)
	t.Logf("exited %v after SIGTERM", took.Round(time.Millisecond))
	if code := s.Cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code %d; log:\n%s", code, s.Log)
	}
	select {
	case r := <-inflight:
		t.Logf("in-flight action answered: %.200s", r.Content)
	case <-time.After(10 * time.Second):
		t.Fatal("the in-flight request never ended")
	}
	if left := marked(mark); len(left) > 0 {
		t.Fatalf("processes outlived the server: %v", left)
	}
	var files []string
	_ = filepath.Walk(tmp, func(p string, _ os.FileInfo, _ error) error {
		if p != tmp {
			files = append(files, p)
		}
		return nil
	})
	if len(files) > 0 {
		t.Fatalf("temp files left: %v", files)
	}
	if ents, _ := os.ReadDir(upDir); len(ents) > 0 {
		t.Fatalf("the cut upload left %s in its destination", ents[0].Name())
	}
}

// marked lists the live processes (not zombies) with kv in their environment, as "pid cmdline".
func marked(kv string) []string {
	var out []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err != nil || !bytes.Contains(append(append([]byte{0}, env...), 0), []byte("\x00"+kv+"\x00")) {
			continue
		}
		if st, _ := os.ReadFile("/proc/" + e.Name() + "/stat"); bytes.Contains(st[bytes.LastIndexByte(st, ')')+1:], []byte(" Z ")) {
			continue
		}
		cl, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		out = append(out, e.Name()+" "+string(bytes.ReplaceAll(cl, []byte{0}, []byte{' '})))
	}
	return out
}

func hasCmdline(kv, cmdline string) bool {
	for _, m := range marked(kv) {
		if strings.Contains(m, cmdline) {
			return true
		}
	}
	return false
}
