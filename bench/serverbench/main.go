// Command serverbench starts the real action-execution-server binary and prints the figures
// issue 2 asks for: start-up to the first 200 on /alive, the round trip of `echo hi` over
// HTTP, idle RSS, RSS after many commands, and a command printing 200 MB.
//
//	go build -o bin/action-execution-server ./cmd/action-execution-server
//	go run ./bench/serverbench -bin bin/action-execution-server
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/gohands/gohands/bench/internal/benchutil"
)

func main() {
	bin := flag.String("bin", "bin/action-execution-server", "server binary")
	n := flag.Int("n", 1000, "echo round trips to time")
	many := flag.Int("many", 10000, "commands before the second RSS reading")
	starts := flag.Int("starts", 10, "start-ups to time")
	big := flag.Int("bigmb", 200, "MB printed by the large-output command (0 skips)")
	flag.Parse()

	if fi, err := os.Stat(*bin); err == nil {
		fmt.Printf("binary size: %.1f MB (%s)\n", float64(fi.Size())/1e6, *bin)
	}

	var startTimes []time.Duration
	for i := 0; i < *starts; i++ {
		s, d := start(*bin)
		startTimes = append(startTimes, d)
		s.Stop()
	}
	fmt.Printf("exec -> first 200 on /alive: median %v, p95 %v (%d runs)\n", pct(startTimes, 50), pct(startTimes, 95), *starts)

	s, _ := start(*bin)
	defer s.Stop()
	time.Sleep(time.Second)
	fmt.Printf("idle RSS of the server process: %.1f MB\n", benchutil.StatusMB(s.PID(), "VmRSS"))

	var rtt []time.Duration
	for i := 0; i < *n; i++ {
		t0 := time.Now()
		s.run("echo hi", 30)
		rtt = append(rtt, time.Since(t0))
	}
	fmt.Printf("echo hi over HTTP: median %v, p95 %v, p99 %v (%d round trips)\n", pct(rtt, 50), pct(rtt, 95), pct(rtt, 99), *n)

	var trail []string
	for i := 1; i <= *many; i++ {
		s.run("echo hi", 30)
		if i%(*many/4+1) == 0 || i == *many {
			trail = append(trail, fmt.Sprintf("%d: %.1f MB", i, benchutil.StatusMB(s.PID(), "VmRSS")))
		}
	}
	fmt.Printf("RSS while running %d more commands: %s (peak %.1f MB)\n", *many, strings.Join(trail, ", "), benchutil.StatusMB(s.PID(), "VmHWM"))

	if *big > 0 {
		t0 := time.Now()
		o := s.run(fmt.Sprintf("head -c %d /dev/zero | tr '\\0' 'x' | fold -w 100", *big*1000000), 900)
		fmt.Printf("command printing %d MB: %v, exit %v, content %d chars; server RSS %.1f MB, peak %.1f MB\n",
			*big, time.Since(t0).Round(time.Millisecond), o["exit"], len(o["content"].(string)),
			benchutil.StatusMB(s.PID(), "VmRSS"), benchutil.StatusMB(s.PID(), "VmHWM"))
	}
}

type server struct{ *benchutil.Server }

func start(bin string) (*server, time.Duration) {
	dir, err := os.MkdirTemp("", "serverbench")
	if err != nil {
		log.Fatal(err)
	}
	home, _ := os.MkdirTemp("", "serverbench-home")
	port := benchutil.FreePort()
	uid := strconv.Itoa(os.Getuid())
	name := os.Getenv("USER")
	if name == "" {
		name = "root"
	}
	cmd := exec.Command(bin, strconv.Itoa(port), "--working-dir", dir, "--username", name, "--user-id", uid, "--no-enable-browser")
	// A clean HOME, so a heavy ~/.bashrc on the bench machine does not count.
	cmd.Env = append(os.Environ(), "HOME="+home)
	cmd.Stderr = io.Discard
	t0 := time.Now()
	s, err := benchutil.Start(cmd, port, dir, time.Millisecond, 60*time.Second)
	if err != nil {
		log.Fatal("server did not come up: ", err)
	}
	s.Home = home
	return &server{s}, time.Since(t0)
}

var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}

func (s *server) run(command string, timeout float64) map[string]any {
	b, _ := json.Marshal(map[string]any{"action": map[string]any{"action": "run",
		"args": map[string]any{"command": command, "blocking": true}, "timeout": timeout}})
	resp, err := client.Post(s.URL+"/execute_action", "application/json", bytes.NewReader(b))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var o struct {
		Content string `json:"content"`
		Extras  struct {
			Metadata struct {
				ExitCode int `json:"exit_code"`
			} `json:"metadata"`
		} `json:"extras"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&o); err != nil {
		log.Fatal(err)
	}
	return map[string]any{"content": o.Content, "exit": o.Extras.Metadata.ExitCode}
}

func pct(d []time.Duration, p int) time.Duration { return benchutil.Pct(d, p).Round(time.Microsecond) }
