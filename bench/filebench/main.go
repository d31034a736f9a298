// Command filebench starts the real action-execution-server binary and prints the file
// figures issue 11 asks for: peak RSS of a large `write`, the time of a 10 MB `read` over
// HTTP, and what hostile file actions cost (peak RSS, time, files left behind).
//
//	go build -o bin/action-execution-server ./cmd/action-execution-server
//	go run ./bench/filebench -bin bin/action-execution-server
package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gohands/gohands/bench/internal/benchutil"
)

func main() {
	bin := flag.String("bin", "bin/action-execution-server", "server binary")
	writeMB := flag.Int("writemb", 60, "MB written by the large `write`")
	readMB := flag.Int("readmb", 10, "MB of the file read by `read`")
	reads := flag.Int("reads", 20, "reads to time")
	flag.Parse()

	s := start(*bin)
	defer s.Stop()
	base := benchutil.StatusMB(s.PID(), "VmRSS")
	fmt.Printf("idle RSS %.1f MB\n", base)

	// A large write: lines of 99 characters, as source code or a log.
	payload := strings.Repeat(strings.Repeat("x", 99)+"\n", *writeMB*1000000/100)
	t0 := time.Now()
	o := s.Act("write", map[string]any{"path": filepath.Join(s.Dir, "big.txt"), "content": payload}, 300)
	fmt.Printf("write %d MB: %v, observation %v; peak RSS %.1f MB (%.2fx the payload)\n", *writeMB,
		time.Since(t0).Round(time.Millisecond), o["observation"], benchutil.StatusMB(s.PID(), "VmHWM"),
		benchutil.StatusMB(s.PID(), "VmHWM")/float64(*writeMB))

	// A 10 MB read, timed over HTTP (request to parsed reply).
	p := filepath.Join(s.Dir, "read.txt")
	os.WriteFile(p, []byte(strings.Repeat(strings.Repeat("y", 79)+"\n", *readMB*1000000/80)), 0o644)
	// Timed from the request to the last byte of the reply (the client's JSON decoding is not
	// the server's time); the server's CPU time per read is the figure a loaded machine does
	// not distort.
	var ds []time.Duration
	cpu0 := cpuMS(s.PID())
	for i := 0; i < *reads; i++ {
		t0 := time.Now()
		n := s.actRaw("read", map[string]any{"path": p}, 60)
		ds = append(ds, time.Since(t0))
		if n < *readMB*1000000 {
			log.Fatalf("read returned %d bytes", n)
		}
	}
	fmt.Printf("read %d MB: median %v, p95 %v (%d reads); server CPU %.1f ms per read\n", *readMB, pct(ds, 50), pct(ds, 95), *reads,
		(cpuMS(s.PID())-cpu0)/float64(*reads))

	// Hostile actions: each must end at once with an error and cost no memory.
	fifo := filepath.Join(s.Dir, "fifo")
	syscall.Mkfifo(fifo, 0o644)
	yes := exec.Command("bash", "-c", "exec yes > "+filepath.Join(s.Dir, "fed"))
	syscall.Mkfifo(filepath.Join(s.Dir, "fed"), 0o644)
	yes.Start()
	defer yes.Process.Kill()
	for _, a := range []struct {
		name string
		typ  string
		args map[string]any
	}{
		{"write /dev/full", "write", map[string]any{"path": "/dev/full", "content": "x"}},
		{"edit view /dev/zero", "edit", map[string]any{"command": "view", "path": "/dev/zero"}},
		{"read FIFO fed by yes", "read", map[string]any{"path": filepath.Join(s.Dir, "fed")}},
		{"read FIFO, no writer", "read", map[string]any{"path": fifo}},
		{"edit str_replace FIFO", "edit", map[string]any{"command": "str_replace", "path": fifo, "old_str": "a", "new_str": "b"}},
	} {
		t0 := time.Now()
		o := s.Act(a.typ, a.args, 30)
		c, _ := o["content"].(string)
		fmt.Printf("%s: %v, %q; peak RSS %.1f MB\n", a.name, time.Since(t0).Round(time.Millisecond), trunc(c), benchutil.StatusMB(s.PID(), "VmHWM"))
	}
	// /download_files of /dev/urandom, and a client that goes away mid-download.
	t0 = time.Now()
	resp, err := http.Get(s.URL + "/download_files?path=/dev/urandom")
	if err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("download /dev/urandom: %v, status %d, %d bytes\n", time.Since(t0).Round(time.Millisecond), resp.StatusCode, len(b))
	}
	big := filepath.Join(s.Dir, "bigdir")
	os.Mkdir(big, 0o755)
	f, _ := os.Create(filepath.Join(big, "random.bin"))
	io.CopyN(f, randReader{}, 200<<20)
	f.Close()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"/download_files?path="+url.QueryEscape(big), nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		io.CopyN(io.Discard, resp.Body, 1<<20)
		cancel()
		resp.Body.Close()
	}
	// The server must be free again at once: time an action right after.
	t0 = time.Now()
	s.Act("read", map[string]any{"path": filepath.Join(s.Dir, "big.txt"), "start": 0, "end": 1}, 30)
	fmt.Printf("client gone mid-download (200 MB dir): next action after %v\n", time.Since(t0).Round(time.Millisecond))

	// A zip bomb: 10 GiB of zeros declared in a ~10 MB archive.
	bomb := zipBomb(10 << 30)
	t0 = time.Now()
	status, body := s.upload(s.Dir+"/bomb", "bomb.zip", bomb)
	fmt.Printf("zip bomb (%d MB archive, 10 GiB expanded): %v, %d %s; peak RSS %.1f MB\n", len(bomb)>>20,
		time.Since(t0).Round(time.Millisecond), status, trunc(body), benchutil.StatusMB(s.PID(), "VmHWM"))

	left := 0
	filepath.Walk(s.Dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && (strings.HasPrefix(fi.Name(), ".gohands-upload-") || strings.HasSuffix(fi.Name(), ".tmp")) {
			left++
		}
		return nil
	})
	tmpLeft, _ := filepath.Glob(filepath.Join(os.TempDir(), "gohands-download-*"))
	fmt.Printf("temporary files left behind: %d in the workspace, %d download temp files\n", left, len(tmpLeft))
}

func trunc(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

type randReader struct{}

func (randReader) Read(b []byte) (int, error) {
	x := uint64(88172645463325252)
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x)
	}
	return len(b), nil
}

// zipBomb is a zip declaring n bytes of zeros; deflate holds them in ~n/1000 bytes. Only the
// first 64 MiB are really compressed: the rest is a stored copy of the same compressed block
// repeated, which is enough for the declared size to be checked first.
func zipBomb(n int64) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "zeros", Method: zip.Deflate})
	zero := make([]byte, 1<<20)
	for i := int64(0); i < n>>20; i++ {
		w.Write(zero)
	}
	zw.Close()
	return buf.Bytes()
}

type server struct{ *benchutil.Server }

func start(bin string) *server {
	dir, _ := os.MkdirTemp("", "filebench")
	home, _ := os.MkdirTemp("", "filebench-home")
	port := benchutil.FreePort()
	name := os.Getenv("USER")
	if name == "" {
		name = "root"
	}
	cmd := exec.Command(bin, strconv.Itoa(port), "--working-dir", dir, "--username", name,
		"--user-id", strconv.Itoa(os.Getuid()), "--no-enable-browser")
	cmd.Env = append(os.Environ(), "HOME="+home)
	cmd.Stderr = io.Discard
	s, err := benchutil.Start(cmd, port, dir, 5*time.Millisecond, 60*time.Second)
	if err != nil {
		log.Fatal("server did not come up: ", err)
	}
	s.Home = home
	return &server{s}
}

func (s *server) actRaw(typ string, args map[string]any, timeout float64) int {
	b, _ := json.Marshal(map[string]any{"action": map[string]any{"action": typ, "args": args, "timeout": timeout}})
	resp, err := http.Post(s.URL+"/execute_action", "application/json", bytes.NewReader(b))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	n, _ := io.Copy(io.Discard, resp.Body)
	return int(n)
}

// cpuMS is the user+system CPU time of process pid so far, in milliseconds.
func cpuMS(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) * 1000 / 100 // USER_HZ is 100 on Linux
}

func (s *server) upload(dest, name string, data []byte) (int, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	w, _ := mw.CreateFormFile("file", name)
	w.Write(data)
	mw.Close()
	resp, err := http.Post(s.URL+"/upload_file?destination="+url.QueryEscape(dest), mw.FormDataContentType(), &buf)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func pct(d []time.Duration, p int) time.Duration { return benchutil.Pct(d, p).Round(time.Microsecond) }
