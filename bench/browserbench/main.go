// Command browserbench starts the real action-execution-server binary with the browser on
// and prints the browser figures of issue 9: server RSS before the first browse, the first
// (cold) browse, warm `browse` p50/p95 of a small local page (screenshot, set-of-marks and
// tree included), `browse_interactive` click p50, and the RSS of the Chromium tree. With
// -reference PYTHON it also times BrowserGym 0.13.3 (the reference's browser stack) on the
// same Chromium and page, the way the reference's BrowserEnv does.
//
//	go build -o bin/action-execution-server ./cmd/action-execution-server
//	go run ./bench/browserbench -bin bin/action-execution-server [-reference /tmp/gh-golden-venv/bin/python]
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

const page = `<!DOCTYPE html><html><head><title>Bench</title></head><body><h1>Bench page</h1>
<p>Some <b>text</b> and a <a href="/other">link</a>.</p>
<button onclick="document.getElementById('n').textContent = +document.getElementById('n').textContent + 1">Count</button>
<span id="n">0</span><ul><li>one</li><li>two</li><li>three</li></ul></body></html>`

func main() {
	bin := flag.String("bin", "bin/action-execution-server", "server binary")
	n := flag.Int("n", 30, "warm actions to time")
	ref := flag.String("reference", "", "python with browsergym-core 0.13.3 and playwright (optional)")
	flag.Parse()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, page)
		}))
	}()
	pageURL := "http://" + ln.Addr().String() + "/bench.html"

	idleOff := idleRSS(*bin, "--no-enable-browser")
	s := start(*bin, "--enable-browser")
	defer s.stop()
	idleOn := rssKB(s.cmd.Process.Pid)
	fmt.Printf("server RSS before the first browse: %d KiB (browser off: %d KiB)\n", idleOn, idleOff)

	t0 := time.Now()
	s.act("browse", map[string]any{"url": pageURL})
	fmt.Printf("first browse (Chromium cold): %v\n", time.Since(t0).Round(time.Millisecond))

	var warm []time.Duration
	for i := 0; i < *n; i++ {
		t := time.Now()
		o := s.act("browse", map[string]any{"url": pageURL})
		warm = append(warm, time.Since(t))
		if !strings.Contains(o["content"].(string), "Bench page") {
			log.Fatalf("bad observation: %v", o["content"])
		}
	}
	fmt.Printf("warm browse: p50 %v  p95 %v  (n=%d, screenshot + set-of-marks + markdown)\n", pct(warm, 50), pct(warm, 95), *n)

	o := s.act("browse_interactive", map[string]any{"browser_actions": `goto("` + pageURL + `")`})
	m := regexp.MustCompile(`\[(\d+)\] button 'Count'`).FindStringSubmatch(o["content"].(string))
	if m == nil {
		log.Fatalf("no button in %s", o["content"])
	}
	var clicks []time.Duration
	for i := 0; i < *n; i++ {
		t := time.Now()
		s.act("browse_interactive", map[string]any{"browser_actions": `click("` + m[1] + `")`})
		clicks = append(clicks, time.Since(t))
	}
	fmt.Printf("browse_interactive click: p50 %v  p95 %v  (n=%d, axtree text)\n", pct(clicks, 50), pct(clicks, 95), *n)
	srvPID := s.cmd.Process.Pid
	fmt.Printf("browser tree: RSS sum %d KiB, PSS %d KiB (shared pages counted once); server itself RSS %d KiB\n",
		treeSum(srvPID, rssKB)-rssKB(srvPID), treeSum(srvPID, pssKB)-pssKB(srvPID), rssKB(srvPID))

	if *ref != "" {
		script := filepath.Join(filepath.Dir(os.Args[0]), "reference.py")
		if _, err := os.Stat(script); err != nil {
			script = "bench/browserbench/reference.py"
		}
		cmd := exec.Command(*ref, script, pageURL, strconv.Itoa(*n))
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			log.Printf("reference: %v", err)
		}
	}
}

type server struct {
	cmd *exec.Cmd
	url string
	dir string
}

func start(bin string, args ...string) *server {
	dir, _ := os.MkdirTemp("", "browserbench-")
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	a := append([]string{strconv.Itoa(port), "--working-dir", dir, "--username", "root", "--user-id", "0"}, args...)
	cmd := exec.Command(bin, a...)
	cmd.Env = append(os.Environ(), "GOHANDS_SERVER_URL_FILE="+filepath.Join(dir, "url"))
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	s := &server{cmd: cmd, url: fmt.Sprintf("http://127.0.0.1:%d", port), dir: dir}
	for i := 0; ; i++ {
		if r, err := http.Get(s.url + "/alive"); err == nil && r.StatusCode == 200 {
			r.Body.Close()
			break
		}
		if i > 600 {
			log.Fatal("server did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	_ = s.cmd.Wait()
	os.RemoveAll(s.dir)
}

func (s *server) act(typ string, args map[string]any) map[string]any {
	b, _ := json.Marshal(map[string]any{"action": map[string]any{"action": typ, "args": args, "timeout": 120}})
	r, err := http.Post(s.url+"/execute_action", "application/json", bytes.NewReader(b))
	if err != nil {
		log.Fatal(err)
	}
	defer r.Body.Close()
	var o map[string]any
	if err := json.NewDecoder(r.Body).Decode(&o); err != nil {
		log.Fatal(err)
	}
	return o
}

func idleRSS(bin, flag string) int {
	s := start(bin, flag)
	defer s.stop()
	return rssKB(s.cmd.Process.Pid)
}

func pct(d []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)-1)*p/100].Round(100 * time.Microsecond)
}

func rssKB(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			f := strings.Fields(l)
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

// pssKB is the proportional set size of pid (shared pages split among their users).
func pssKB(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "Pss:") {
			n, _ := strconv.Atoi(strings.Fields(l)[1])
			return n
		}
	}
	return 0
}

// treeSum sums f over pid and all its descendants.
func treeSum(pid int, f func(int) int) int {
	total := f(pid)
	ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, e := range ents {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, e.Name()))
		for _, c := range strings.Fields(string(b)) {
			n, _ := strconv.Atoi(c)
			total += treeSum(n, f)
		}
	}
	return total
}
