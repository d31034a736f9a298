package telemetry

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// CPU and peak memory of what a command started, grand-children that exit before it ends
// included, measured by each method this machine offers.
func TestUsageCountsTheWholeTree(t *testing.T) {
	t.Parallel()
	py := python(t)
	for _, cgroups := range []bool{false, true} {
		t.Run(fmt.Sprint("cgroups=", cgroups), func(t *testing.T) {
			t.Parallel()
			svc := New(Config{Cgroups: cgroups})
			defer svc.Close()
			b := startBash(t, svc, t.TempDir(), nil)
			if cgroups && b.term.Meter().Cgroup() == "" {
				t.Logf("no cgroup here: %s", b.term.Meter().cgroupNo)
			}
			// A grand-child burns CPU and holds 200 MiB, then exits; its parent sleeps on.
			cmd := `bash -c '` + py + ` -c "
import time
x = bytearray(200 << 20)
for i in range(len(x) // 4096): x[i * 4096] = 1
t = time.process_time()
while time.process_time() - t < 0.3: pass
"; sleep 0.3'`
			c := svc.Begin("run", cmd, b.term)
			b.run(cmd)
			rec := c.End(intp(0), "")
			u := rec.Usage
			t.Logf("%+v", u)
			if u.CPUUserSeconds+u.CPUSystemSeconds < 0.25 {
				t.Errorf("cpu %.3f+%.3f s, want ≥ 0.25", u.CPUUserSeconds, u.CPUSystemSeconds)
			}
			if u.PeakRSSBytes < 200<<20 {
				t.Errorf("peak %d bytes, want ≥ 200 MiB", u.PeakRSSBytes)
			}
			if want := b.term.Meter().Method(); u.Method != want || (cgroups != strings.HasPrefix(want, "cgroup2") && b.term.Meter().Cgroup() != "") {
				t.Errorf("method %q, meter %q", u.Method, want)
			}
		})
	}
}

// A command that forks 1000 processes: counted, bounded, and the next action is unaffected.
func TestUsage1000Forks(t *testing.T) {
	t.Parallel()
	for _, cgroups := range []bool{false, true} {
		t.Run(fmt.Sprint("cgroups=", cgroups), func(t *testing.T) {
			t.Parallel()
			svc := New(Config{Cgroups: cgroups})
			defer svc.Close()
			b := startBash(t, svc, t.TempDir(), nil)
			cmd := `for i in $(seq 1000); do /bin/true & done; wait`
			c := svc.Begin("run", cmd, b.term)
			b.run(cmd)
			u := c.End(intp(0), "").Usage
			if u.CPUUserSeconds+u.CPUSystemSeconds <= 0 {
				t.Errorf("no CPU counted for 1000 processes: %+v", u)
			}
			c = svc.Begin("run", "echo ok", b.term)
			if out := b.run("echo ok"); !strings.Contains(out, "ok") {
				t.Fatal(out)
			}
			if rec := c.End(intp(0), ""); rec.Usage.CPUUserSeconds+rec.Usage.CPUSystemSeconds > 0.5 {
				t.Errorf("the next action inherits the forks' time: %+v", rec.Usage)
			}
		})
	}
}

// The session's cgroup is removed when the terminal closes.
func TestUsageCgroupRemoved(t *testing.T) {
	t.Parallel()
	svc := New(Config{Cgroups: true})
	defer svc.Close()
	b := startBash(t, svc, t.TempDir(), nil)
	cg := b.term.Meter().Cgroup()
	if cg == "" {
		t.Skipf("no cgroup v2 child can be made here: %s", b.term.Meter().cgroupNo)
	}
	b.close()
	if _, err := os.Stat(cg); !os.IsNotExist(err) {
		t.Fatalf("cgroup %s left behind (%v)", cg, err)
	}
}

// A cgroup left by a server that was killed (its bash gone, the cgroup empty) is removed by
// the next meter; one whose bash still runs is not.
func TestUsageStaleCgroupRemoved(t *testing.T) {
	t.Parallel()
	dir, err := ownCgroup2Dir()
	if err != nil {
		t.Skip(err)
	}
	stale := filepath.Join(dir, "gohands-session-999999999") // above pid_max: never a live pid
	if err := os.Mkdir(stale, 0o755); err != nil {
		t.Skipf("cannot create cgroups here: %v", err)
	}
	t.Cleanup(func() { _ = os.Remove(stale) })
	svc := New(Config{Cgroups: true})
	defer svc.Close()
	b := startBash(t, svc, t.TempDir(), nil)
	cg := b.term.Meter().Cgroup() // waits for the meter's set-up, which sweeps stale cgroups
	if cg == "" {
		t.Skipf("no cgroup v2 child can be made here: %s", b.term.Meter().cgroupNo)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("stale cgroup kept (%v)", err)
	}
	if _, err := os.Stat(cg); err != nil {
		t.Fatal(err)
	}
}
