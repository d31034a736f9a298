package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCreatesSandboxUser: started as root with an unknown --username, the server creates the
// user (useradd as in the reference), chowns the working dir, and runs bash as that user with
// its home, reading its ~/.bashrc.
func TestCreatesSandboxUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("user creation needs root (CI runs as root)")
	}
	if _, err := exec.LookPath("useradd"); err != nil {
		t.Skip("no useradd on this machine")
	}
	t.Parallel()
	name := fmt.Sprintf("ghtest%d", time.Now().UnixNano()%100000)
	uid := 20000 + time.Now().Nanosecond()%10000
	t.Cleanup(func() { _ = exec.Command("userdel", "-r", name).Run() })
	wd := t.TempDir()
	// The user must be able to reach the working dir: open up the test's private temp parent.
	if err := os.Chmod(filepath.Dir(wd), 0o755); err != nil {
		t.Fatal(err)
	}
	// RUNTIME_USERNAME makes the name eligible for the su path, as in the reference.
	s := startServer(t, serverOpts{WorkDir: wd, Env: []string{"RUNTIME_USERNAME=" + name},
		Args: []string{"--username", name, "--user-id", fmt.Sprint(uid)}})
	o := s.run(t, "whoami && id -u && cd ~ && pwd", 10)
	want := fmt.Sprintf("%s\n%d\n/home/%s", name, uid, name)
	if o.Content != want || o.exitCode() != 0 {
		t.Fatalf("got %q want %q", o.Content, want)
	}
	if u, _ := o.meta()["username"].(string); u != name {
		t.Fatalf("metadata username %q", u)
	}
	o = s.run(t, "cd "+wd+" && touch made-by-user && stat -c %U made-by-user", 10)
	if strings.TrimSpace(o.Content) != name {
		t.Fatalf("file owner %q (%+v)", o.Content, o)
	}
	fi, err := os.Stat(wd)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o060 != 0o060 {
		t.Fatalf("working dir not g+rw: %v", fi.Mode())
	}
}
