package sandbox

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestOwnerFor(t *testing.T) {
	t.Parallel()
	if o := OwnerFor(0, 1000); o != (Owner{UID: 1000, GID: 1000, Chown: true}) {
		t.Errorf("root server: %+v", o)
	}
	if o := OwnerFor(1234, 1000); o.Chown || o.UID != 1234 {
		t.Errorf("non-root server: %+v", o)
	}
}

// New directories (every missing level) and files get the rule's mode whatever the umask,
// and, as root, its owner; existing directories are left alone.
func TestOwnerMkdirAllAndApply(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	if err := os.Chmod(d, 0o700); err != nil {
		t.Fatal(err)
	}
	o := OwnerFor(os.Geteuid(), 4242)
	p := filepath.Join(d, "a", "b", "c")
	if err := o.MkdirAll(p); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{filepath.Join(d, "a"), filepath.Join(d, "a", "b"), p} {
		fi, err := os.Stat(q)
		if err != nil || fi.Mode().Perm() != DirMode {
			t.Fatalf("%s: %v %v", q, fi.Mode(), err)
		}
		if st := fi.Sys().(*syscall.Stat_t); o.Chown && (st.Uid != 4242 || st.Gid != 4242) {
			t.Fatalf("%s owner %d:%d", q, st.Uid, st.Gid)
		}
	}
	if fi, _ := os.Stat(d); fi.Mode().Perm() != 0o700 {
		t.Fatalf("existing dir changed: %v", fi.Mode())
	}
	f, err := os.Create(filepath.Join(p, "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := o.Apply(f, false); err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	if fi.Mode().Perm() != FileMode {
		t.Fatalf("file mode %v", fi.Mode())
	}
	if err := o.MkdirAll(filepath.Join(p, "f")); err == nil {
		t.Fatal("MkdirAll over a file succeeded")
	}
}
