package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestCreatesSandboxUser: started as root with an unknown --username, the server creates the
// user (useradd as in the reference), chowns the working dir, and runs bash as that user with
// its home, reading its ~/.bashrc.
func TestCreatesSandboxUser(t *testing.T) {
	t.Parallel()
	name, uid, wd := sandboxUser(t, "ghtest", 20000)
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
