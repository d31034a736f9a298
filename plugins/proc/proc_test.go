package proc

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestEnv(t *testing.T) {
	t.Parallel()
	base := []string{"PATH=/bin", "HOME=/root", "USER=root", "X=1"}
	cases := []struct {
		name  string
		u     User
		extra []string
		want  string
	}{
		// The reference starts plugins with `su - user` even when the server already runs as
		// that user, so the login variables are always the user's (test_ipython_multi_user).
		{"no switch still sets the login vars", User{Name: "root", Home: "/root"}, []string{"USER=x"},
			"PATH=/bin HOME=/root USER=x X=1 LOGNAME=root SHELL=/bin/bash"},
		{"switch sets the login vars", User{Name: "oh", Home: "/home/oh", Switch: true}, nil,
			"PATH=/bin HOME=/home/oh USER=oh X=1 LOGNAME=oh SHELL=/bin/bash"},
		{"extra wins", User{}, []string{"X=2", "Y=3", "bad"}, "PATH=/bin HOME=/root USER=root X=2 Y=3"},
	}
	for _, c := range cases {
		if got := strings.Join(Env(base, c.u, c.extra...), " "); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestBaseEnvDropsTheSessionKey(t *testing.T) {
	t.Setenv("SESSION_API_KEY", "secret")
	for _, kv := range BaseEnv() {
		if strings.HasPrefix(kv, "SESSION_API_KEY=") {
			t.Fatal("session key leaked")
		}
	}
}

func TestGroupKill(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("sh", "-c", "sleep 1000 & wait")
	Prepare(cmd, User{})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	if !Alive(pid) || !GroupAlive(pid) {
		t.Fatal("not alive")
	}
	if err := KillGroup(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if Alive(pid) {
		t.Fatal("leader alive")
	}
	// The orphaned sleep's zombie may never be reaped here; it must not count as alive.
	if !WaitGroupGone(pid, 10*time.Second) {
		t.Fatal("group alive")
	}
	if Alive(-1) || !Alive(os.Getpid()) {
		t.Fatal("Alive edge cases")
	}
}

// TestKillAllFindsOrphansByMark: a job that left its session and was orphaned (`setsid cmd &`
// from a shell that then exits) is found by the mark in its environment and killed.
func TestKillAllFindsOrphansByMark(t *testing.T) {
	t.Parallel()
	mark, err := NewMark()
	if err != nil {
		t.Fatal(err)
	}
	orphan := func(env ...string) int {
		cmd := exec.Command("sh", "-c", "setsid sleep 1000 >/dev/null 2>&1 & echo $!")
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
		if err != nil {
			t.Fatal(err)
		}
		return pid
	}
	stranger, pid := orphan(), orphan(mark)
	defer syscall.Kill(stranger, syscall.SIGKILL)
	ours := Ours(-1, mark)
	if len(ours) != 1 || ours[0] != pid || !Alive(pid) {
		t.Fatalf("Ours = %v, want only the marked orphan %d (not %d)", ours, pid, stranger)
	}
	n, err := KillAll(mark, -1, 10*time.Second)
	if err != nil || n != 1 || Alive(pid) {
		t.Fatalf("KillAll = %d, %v; alive %v", n, err, Alive(pid))
	}
}
