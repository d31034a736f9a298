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
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gohands/gohands/bench/internal/benchutil"
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
	defer s.Stop()
	idleOn := rssKB(s.PID())
	fmt.Printf("server RSS before the first browse: %d KiB (browser off: %d KiB)\n", idleOn, idleOff)

	t0 := time.Now()
	s.Act("browse", map[string]any{"url": pageURL}, 120)
	fmt.Printf("first browse (Chromium cold): %v\n", time.Since(t0).Round(time.Millisecond))

	var warm []time.Duration
	for i := 0; i < *n; i++ {
		t := time.Now()
		o := s.Act("browse", map[string]any{"url": pageURL}, 120)
		warm = append(warm, time.Since(t))
		if !strings.Contains(o["content"].(string), "Bench page") {
			log.Fatalf("bad observation: %v", o["content"])
		}
	}
	fmt.Printf("warm browse: p50 %v  p95 %v  (n=%d, screenshot + set-of-marks + markdown)\n", pct(warm, 50), pct(warm, 95), *n)

	o := s.Act("browse_interactive", map[string]any{"browser_actions": `goto("` + pageURL + `")`}, 120)
	m := regexp.MustCompile(`\[(\d+)\] button 'Count'`).FindStringSubmatch(o["content"].(string))
	if m == nil {
		log.Fatalf("no button in %s", o["content"])
	}
	var clicks []time.Duration
	for i := 0; i < *n; i++ {
		t := time.Now()
		s.Act("browse_interactive", map[string]any{"browser_actions": `click("` + m[1] + `")`}, 120)
		clicks = append(clicks, time.Since(t))
	}
	fmt.Printf("browse_interactive click: p50 %v  p95 %v  (n=%d, axtree text)\n", pct(clicks, 50), pct(clicks, 95), *n)
	srvPID := s.PID()
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

func start(bin string, args ...string) *benchutil.Server {
	dir, _ := os.MkdirTemp("", "browserbench-")
	port := benchutil.FreePort()
	a := append([]string{strconv.Itoa(port), "--working-dir", dir, "--username", "root", "--user-id", "0"}, args...)
	cmd := exec.Command(bin, a...)
	cmd.Env = append(os.Environ(), "GOHANDS_SERVER_URL_FILE="+filepath.Join(dir, "url"))
	s, err := benchutil.Start(cmd, port, dir, 50*time.Millisecond, 30*time.Second)
	if err != nil {
		log.Fatal("server did not start: ", err)
	}
	return s
}

func idleRSS(bin, flag string) int {
	s := start(bin, flag)
	defer s.Stop()
	return rssKB(s.PID())
}

func pct(d []time.Duration, p int) time.Duration {
	return benchutil.Pct(d, p).Round(100 * time.Microsecond)
}

func rssKB(pid int) int {
	kb, _ := benchutil.StatusKB(pid, "VmRSS")
	return kb
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
