// Package benchutil holds what the benches share: starting the server binary on a free port
// and waiting for it, posting an action, percentiles and /proc readings.
package benchutil

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"
)

// FreePort is a loopback port that was free a moment ago.
func FreePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Server is a started server binary.
type Server struct {
	Cmd  *exec.Cmd
	URL  string // http://127.0.0.1:<port>
	Dir  string // removed by Stop
	Home string // the server's HOME when the bench gave it one; removed by Stop
}

// Start starts cmd, a server that listens on port, and waits until its /alive answers 200,
// asking every poll; it fails when that takes longer than limit.
func Start(cmd *exec.Cmd, port int, dir string, poll, limit time.Duration) (*Server, error) {
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &Server{Cmd: cmd, URL: fmt.Sprintf("http://127.0.0.1:%d", port), Dir: dir}
	for t0 := time.Now(); ; time.Sleep(poll) {
		if resp, err := http.Get(s.URL + "/alive"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s, nil
			}
		}
		if time.Since(t0) > limit {
			return s, fmt.Errorf("no 200 on %s/alive within %v", s.URL, limit)
		}
	}
}

// PID is the server's process id.
func (s *Server) PID() int { return s.Cmd.Process.Pid }

// Stop interrupts the server, waits for it and removes its directories.
func (s *Server) Stop() {
	_ = s.Cmd.Process.Signal(os.Interrupt)
	_ = s.Cmd.Wait()
	os.RemoveAll(s.Dir)
	if s.Home != "" {
		os.RemoveAll(s.Home)
	}
}

// Act posts one V0 action and returns the observation, decoded.
func (s *Server) Act(typ string, args map[string]any, timeout float64) map[string]any {
	b, _ := json.Marshal(map[string]any{"action": map[string]any{"action": typ, "args": args, "timeout": timeout}})
	resp, err := http.Post(s.URL+"/execute_action", "application/json", bytes.NewReader(b))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var o map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&o); err != nil {
		log.Fatal(err)
	}
	return o
}

// Pct is the p-th percentile of d by nearest rank (0 for no samples).
func Pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s)*p + 99) / 100
	if i > 0 {
		i--
	}
	return s[i]
}

// StatusKB reads a field of /proc/<pid>/status given in kB (VmRSS, VmHWM).
func StatusKB(pid int, field string) (int, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			kb, err := strconv.Atoi(strings.Fields(line)[1])
			return kb, err == nil
		}
	}
	return 0, false
}

// StatusMB is StatusKB in MiB, -1 when the field cannot be read.
func StatusMB(pid int, field string) float64 {
	kb, ok := StatusKB(pid, field)
	if !ok {
		return -1
	}
	return float64(kb) / 1024
}
