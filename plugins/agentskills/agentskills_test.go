package agentskills

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The shipped module imports in a plain Python (no kernel) and exports the reference's names.
func TestInstallAndImport(t *testing.T) {
	t.Parallel()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	dir, err := Install()
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("dir mode %v %v", fi.Mode(), err)
	}
	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "f.txt"), []byte("alpha\nbeta\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	script := ImportCell + `
import gohands_agentskills as m
print(sorted(m.__all__))
open_file('f.txt')
search_file('beta')
goto_line(3)
`
	cmd := exec.Command(py, "-c", script)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "PYTHONPATH="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := `['file_editor', 'find_file', 'goto_line', 'open_file', 'scroll_down', 'scroll_up', 'search_dir', 'search_file']
[File: ` + filepath.Join(work, "f.txt") + ` (2 lines total)]
(this is the beginning of the file)
1|alpha
2|beta
(this is the end of the file)
[Found 1 matches for "beta" in ` + filepath.Join(work, "f.txt") + `]
Line 2: beta
[End of matches for "beta" in ` + filepath.Join(work, "f.txt") + `]
ERROR: Line number must be between 1 and 2.
`
	if string(out) != want {
		t.Fatalf("output\n%s\nwant\n%s", out, want)
	}
	if !strings.HasPrefix(ImportCell, "from "+Module+" import *") {
		t.Fatal(ImportCell)
	}
}
