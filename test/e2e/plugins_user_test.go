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
	// test_ipython_file_editor_permissions_as_openhands, step 5: one cell creates, views, edits
	// and undoes; the file the kernel's editor creates belongs to the user, so it can edit it.
	mine := filepath.Join(wd, "test.txt")
	_ = os.Remove(mine)
	// \\n is a backslash-n inside the Python literal; \n separates the statements.
	cell := fmt.Sprintf("print(file_editor(command='create', path=%[1]q, file_text='Line 1\\nLine 2\\nLine 3'))\n"+
		"print(file_editor(command='view', path=%[1]q))\n"+
		"print(file_editor(command='str_replace', path=%[1]q, old_str='Line 2', new_str='New Line 2'))\n"+
		"print(file_editor(command='undo_edit', path=%[1]q))", mine)
	o = s.ipy(t, cell, 60)
	for _, want := range []string{"File created successfully", "Line 1", "Line 2", "Line 3", "New Line 2", "Last edit to", "undone successfully"} {
		if !strings.Contains(o.Content, want) {
			t.Fatalf("cell lacks %q: %q", want, o.Content)
		}
	}
	if r := s.run(t, "stat -c %U "+mine, 10); strings.TrimSpace(r.Content) != name {
		t.Fatalf("kernel-created file owner %q", r.Content)
	}
}

// TestIPythonLoginEnv: the kernel gets the login variables `su - user` gives the reference's
// kernel, also when the server already runs as that user (test_ipython_multi_user).
func TestIPythonLoginEnv(t *testing.T) {
	env := jupyterEnv(t)
	t.Parallel()
	s := startServer(t, serverOpts{Plugins: []string{"jupyter"}, Env: env})
	u, err := currentUser()
	if err != nil {
		t.Fatal(err)
	}
	o := s.ipy(t, "import os; print(os.environ['USER'], os.environ['LOGNAME'], os.environ['SHELL'])", 30)
	if o.body() != u.name+" "+u.name+" /bin/bash" {
		t.Fatalf("kernel env: %q", o.Content)
	}
}
