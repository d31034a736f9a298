package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIPythonAsSandboxUser: the kernel runs as the sandbox user (test_ipython_multi_user and
// test_ipython_file_editor_permissions_as_openhands): its files belong to the user and the
// agent skills' file_editor meets the user's permissions, not the server's.
func TestIPythonAsSandboxUser(t *testing.T) {
	env := jupyterEnv(t)
	t.Parallel()
	name, uid, wd := sandboxUser(t, "ghjup", 30000)
	secretDir := t.TempDir() // 0700, root's
	secret := filepath.Join(secretDir, "test.txt")
	if err := os.WriteFile(secret, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, serverOpts{WorkDir: wd, Plugins: []string{"agent_skills", "jupyter"},
		Env:  append(env, "RUNTIME_USERNAME="+name),
		Args: []string{"--username", name, "--user-id", fmt.Sprint(uid)}})

	if o := s.ipy(t, "import os, getpass; print(getpass.getuser(), os.getuid(), os.environ['HOME'])", 30); o.body() != fmt.Sprintf("%s %d /home/%s", name, uid, name) {
		t.Fatalf("kernel user: %q", o.Content)
	}
	if st := s.plugins(t)["jupyter"]; st.State != "running" {
		t.Fatalf("status %+v", st)
	}
	o := s.ipy(t, "with open('test.txt', 'w') as f: f.write('Hello, world!')", 30)
	if !strings.HasPrefix(o.Content, "[Code executed successfully with no output]\n[Jupyter current working directory: "+wd+"]") {
		t.Fatalf("write: %q", o.Content)
	}
	if r := s.run(t, "stat -c %U test.txt", 10); strings.TrimSpace(r.Content) != name {
		t.Fatalf("owner %q", r.Content)
	}
	for _, code := range []string{
		fmt.Sprintf("print(file_editor(command='view', path=%q))", secret),
		fmt.Sprintf("print(file_editor(command='str_replace', path=%q, old_str='x', new_str='test'))", secret),
		fmt.Sprintf("print(file_editor(command='create', path=%q, file_text='test'))", filepath.Join(secretDir, "new.txt")),
	} {
		if o := s.ipy(t, code, 30); !strings.Contains(o.Content, "Permission denied") {
			t.Errorf("%s: %q", code, o.Content)
		}
	}
	if b, _ := os.ReadFile(secret); string(b) != "x" {
		t.Fatalf("secret changed: %q", b)
	}
	if _, err := os.Stat(filepath.Join(secretDir, "new.txt")); err == nil {
		t.Fatal("file created despite the user's permissions")
	}
}
