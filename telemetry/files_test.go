package telemetry

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
	"golang.org/x/sys/unix"
)

func changesByPath(fc FileChanges) map[string]Change {
	m := map[string]Change{}
	for _, c := range fc.Changes {
		m[c.Path] = c
	}
	return m
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestFilesCreateModifyDeleteRename(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	must(t, os.WriteFile(filepath.Join(root, "keep.txt"), []byte("old"), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "gone.txt"), []byte("x"), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "from.txt"), []byte("x"), 0o644))
	tr := NewTracker(FilesConfig{Roots: []string{root}}, nil)
	defer tr.Close()

	c := tr.Begin(1)
	// A directory tree made faster than watches can be added: what lands in it before its
	// watch exists is found by the walk that adds the watch.
	deep := filepath.Join(root, "a", "b", "c")
	must(t, os.MkdirAll(deep, 0o755))
	must(t, os.WriteFile(filepath.Join(deep, "new.bin"), make([]byte, 1234), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "keep.txt"), []byte("new content"), 0o644))
	must(t, os.Remove(filepath.Join(root, "gone.txt")))
	must(t, os.Rename(filepath.Join(root, "from.txt"), filepath.Join(root, "to.txt")))
	must(t, os.WriteFile(filepath.Join(root, "tmp"), nil, 0o644))
	must(t, os.Remove(filepath.Join(root, "tmp"))) // came and went: not a change
	fc := c.End()

	got := changesByPath(fc)
	want := map[string]Change{
		filepath.Join(root, "a"):           {Op: OpCreated},
		filepath.Join(root, "a", "b"):      {Op: OpCreated},
		filepath.Join(root, "a", "b", "c"): {Op: OpCreated},
		filepath.Join(deep, "new.bin"):     {Op: OpCreated, Size: 1234},
		filepath.Join(root, "keep.txt"):    {Op: OpModified, Size: 11},
		filepath.Join(root, "gone.txt"):    {Op: OpDeleted, Size: -1},
		filepath.Join(root, "from.txt"):    {Op: OpRenamed, Size: -1},
		filepath.Join(root, "to.txt"):      {Op: OpCreated, Size: 1},
	}
	for p, w := range want {
		g, ok := got[p]
		if !ok || g.Op != w.Op || (w.Size != 0 && g.Size != w.Size) {
			t.Errorf("%s: got %+v, want %+v", p, g, w)
		}
	}
	if _, ok := got[filepath.Join(root, "tmp")]; ok {
		t.Errorf("a file created and removed within the action is listed")
	}
	if fc.Method != "inotify" || fc.Total != len(fc.Changes) || fc.Truncated || fc.Note != "" {
		t.Errorf("summary: %+v", fc)
	}
	// Changes after the action belong to nobody.
	must(t, os.WriteFile(filepath.Join(root, "later"), nil, 0o644))
	if !tr.flush() {
		t.Fatal("the barrier event never came")
	}
	if fc2 := tr.Begin(1).End(); fc2.Total != 0 {
		t.Errorf("next action sees %+v", fc2.Changes)
	}
}

func TestFilesGitSummarised(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, ".git", "objects", "ab"), 0o755))
	tr := NewTracker(FilesConfig{Roots: []string{root}}, nil)
	defer tr.Close()
	c := tr.Begin(1)
	must(t, os.WriteFile(filepath.Join(root, ".git", "index"), []byte("i"), 0o644))
	must(t, os.WriteFile(filepath.Join(root, ".git", "objects", "ab", "cdef"), []byte("o"), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "src.go"), []byte("package x"), 0o644))
	fc := c.End()
	if fc.Total != 1 || fc.Changes[0].Path != filepath.Join(root, "src.go") || fc.Git == 0 {
		t.Fatalf("%+v", fc)
	}
}

// 20 000 new files (executor's TestRunHundredThousandFiles makes 100 000 through bash): the
// record lists the first MaxPaths and counts the rest; the tracker's memory stays bounded by
// the cap, not by the number of files.
func TestFilesManyBounded(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	tr := NewTracker(FilesConfig{Roots: []string{root}}, nil)
	defer tr.Close()
	c := tr.Begin(1)
	dir := filepath.Join(root, "many")
	must(t, os.Mkdir(dir, 0o755))
	for i := 0; i < 20000; i++ {
		f, err := os.Create(filepath.Join(dir, strconv.Itoa(i)))
		must(t, err)
		f.Close()
	}
	tr.mu.Lock()
	listed := len(c.ops)
	tr.mu.Unlock()
	fc := c.End()
	if listed > 1000 || len(fc.Changes) != 1000 || !fc.Truncated || fc.Total < 1000 {
		t.Fatalf("listed %d, changes %d, total %d, truncated %v", listed, len(fc.Changes), fc.Total, fc.Truncated)
	}
	if fc.Total < 20001 && !strings.Contains(fc.Note, "overflow") {
		t.Fatalf("total %d without an overflow note: %q", fc.Total, fc.Note)
	}
	t.Logf("total %d, created %d, note %q", fc.Total, fc.Created, fc.Note)
}

func TestFilesSymlinkLoop(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	must(t, os.Mkdir(filepath.Join(root, "d"), 0o755))
	must(t, os.Symlink("..", filepath.Join(root, "d", "up")))
	must(t, os.Symlink("loop", filepath.Join(root, "loop")))
	tr := NewTracker(FilesConfig{Roots: []string{root}}, nil)
	defer tr.Close()
	if n := tr.Watches(); n != 2 {
		t.Fatalf("%d watches; symlinks must not be followed", n)
	}
	c := tr.Begin(1)
	must(t, os.Symlink(".", filepath.Join(root, "d", "self")))
	must(t, os.WriteFile(filepath.Join(root, "d", "up", "via-link"), nil, 0o644))
	fc := c.End()
	got := changesByPath(fc)
	if _, ok := got[filepath.Join(root, "via-link")]; !ok || fc.Total != 2 {
		t.Fatalf("%+v", fc.Changes)
	}
}

// The working directory deleted (and made again) during actions.
func TestFilesRootDeletedAndRecreated(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "work")
	must(t, os.MkdirAll(filepath.Join(root, "sub"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "sub", "f"), nil, 0o644))
	tr := NewTracker(FilesConfig{Roots: []string{root}}, nil)
	defer tr.Close()
	c := tr.Begin(1)
	must(t, os.RemoveAll(root))
	fc := c.End()
	got := changesByPath(fc)
	if got[root].Op != OpDeleted || got[filepath.Join(root, "sub", "f")].Op != OpDeleted {
		t.Fatalf("%+v", fc.Changes)
	}
	if n := tr.Watches(); n != 0 {
		t.Fatalf("%d watches left on a deleted tree", n)
	}
	// With the root gone an action sees nothing and fails nothing.
	if fc := tr.Begin(1).End(); fc.Total != 0 {
		t.Fatalf("%+v", fc)
	}
	must(t, os.Mkdir(root, 0o755))
	c = tr.Begin(1)
	must(t, os.WriteFile(filepath.Join(root, "again"), nil, 0o644))
	if fc := c.End(); fc.Total != 1 || fc.Changes[0].Path != filepath.Join(root, "again") {
		t.Fatalf("after re-creation: %+v", fc)
	}
}

// The watch limit reached (ours here; the kernel's ENOSPC takes the same path): the tracker
// scans instead, says so, and still finds the changes.
func TestFilesWatchLimitFallsBackToScan(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for i := 0; i < 5; i++ {
		must(t, os.MkdirAll(filepath.Join(root, "d"+strconv.Itoa(i)), 0o755))
	}
	must(t, os.WriteFile(filepath.Join(root, "d1", "old"), []byte("1"), 0o644))
	tr := NewTracker(FilesConfig{Roots: []string{root}, MaxWatches: 3}, nil)
	defer tr.Close()
	if n := tr.Watches(); n != 0 {
		t.Fatalf("%d watches kept after falling back", n)
	}
	c := tr.Begin(1)
	must(t, os.WriteFile(filepath.Join(root, "d4", "new"), []byte("abc"), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "d1", "old"), []byte("22"), 0o644))
	fc := c.End()
	got := changesByPath(fc)
	if fc.Method != "scan" || !strings.Contains(fc.Note, "watch limit") ||
		got[filepath.Join(root, "d4", "new")].Op != OpCreated || got[filepath.Join(root, "d1", "old")].Op != OpModified {
		t.Fatalf("%+v", fc)
	}
	// The scan itself is bounded.
	tr2 := NewTracker(FilesConfig{Roots: []string{root}, MaxWatches: 1, MaxScan: 3}, nil)
	defer tr2.Close()
	if fc := tr2.Begin(1).End(); !strings.Contains(fc.Note, "scan stopped at 3") {
		t.Fatalf("%+v", fc)
	}
}

func TestFilesNoRoots(t *testing.T) {
	t.Parallel()
	tr := NewTracker(FilesConfig{}, nil)
	defer tr.Close()
	if fc := tr.Begin(1).End(); fc.Method != "none" || fc.Changes == nil {
		t.Fatalf("%+v", fc)
	}
}

// BenchmarkFiles100kManifest reports the heap an action that creates 100 000 files costs.
func BenchmarkFiles100kManifest(b *testing.B) {
	for i := 0; i < b.N; i++ {
		root := b.TempDir()
		tr := NewTracker(FilesConfig{Roots: []string{root}}, nil)
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		c := tr.Begin(1)
		for j := 0; j < 100000; j++ {
			f, _ := os.Create(filepath.Join(root, strconv.Itoa(j)))
			f.Close()
		}
		fc := c.End()
		runtime.GC() // live heap only: the list and counts the record keeps
		runtime.ReadMemStats(&m1)
		runtime.KeepAlive(c)
		b.ReportMetric(float64(int64(m1.HeapAlloc)-int64(m0.HeapAlloc))/1024, "heap-KiB")
		b.ReportMetric(float64(fc.Total), "paths-counted")
		tr.Close()
	}
}

// The kernel's inotify watch limit reached for real: the test runs itself again in a new user
// namespace whose max_inotify_watches is 5 (a per-namespace limit, so nothing else on the
// machine is affected); the tracker falls back to scanning and says why.
func TestFilesKernelWatchLimit(t *testing.T) {
	if os.Getenv("GOHANDS_TELEMETRY_USERNS_CHILD") == "1" {
		kernelWatchLimitChild(t)
		return
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFilesKernelWatchLimit$", "-test.v")
	cmd.Env = append(os.Environ(), "GOHANDS_TELEMETRY_USERNS_CHILD=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
	out, err := cmd.CombinedOutput()
	if err != nil && strings.Contains(string(out), "operation not permitted") {
		t.Skipf("no user namespaces here: %s", out)
	}
	if err != nil || !strings.Contains(string(out), "--- PASS: TestFilesKernelWatchLimit") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

func kernelWatchLimitChild(t *testing.T) {
	if err := os.WriteFile("/proc/sys/user/max_inotify_watches", []byte("5"), 0); err != nil {
		t.Skipf("cannot lower the namespace's inotify watch limit: %v", err)
	}
	root := t.TempDir()
	for i := 0; i < 10; i++ {
		must(t, os.Mkdir(filepath.Join(root, "d"+strconv.Itoa(i)), 0o755))
	}
	tr := NewTracker(FilesConfig{Roots: []string{root}}, nil)
	defer tr.Close()
	c := tr.Begin(1)
	must(t, os.WriteFile(filepath.Join(root, "d9", "new"), []byte("x"), 0o644))
	fc := c.End()
	if fc.Method != "scan" || !strings.Contains(fc.Note, "kernel's inotify watch limit") || fc.Total != 1 {
		t.Fatalf("%+v", fc)
	}
}

// TestBarrierIgnoresTheUnlinkEvent: the IN_ATTRIB that unlinking the barrier file queues at
// start must not count as a flush's barrier; read late on a busy machine it ended the first
// flush before the action's events were read, and the record came out empty (a CI failure of
// TestFilesCreateModifyDeleteRename). Only flush's own write is the barrier.
func TestBarrierIgnoresTheUnlinkEvent(t *testing.T) {
	t.Parallel()
	tr := NewTracker(FilesConfig{Roots: []string{t.TempDir()}}, nil)
	defer tr.Close()
	if tr.barrierFile == "" {
		t.Fatal("no barrier file")
	}
	drain := func() bool {
		select {
		case <-tr.barrier:
			return true
		default:
			return false
		}
	}
	// whatever the loop already delivered is not what this test is about
	if !tr.flush() {
		t.Fatal("a flush timed out")
	}
	drain()
	tr.handle(fsnotify.Event{Name: tr.barrierFile, Op: fsnotify.Chmod})
	if drain() {
		t.Fatal("an attribute change of the barrier file ended a flush")
	}
	tr.handle(fsnotify.Event{Name: tr.barrierFile, Op: fsnotify.Write})
	if !drain() {
		t.Fatal("the barrier write did not end the flush")
	}
}

// A file replaced by swapping in a temp file (renameat2 RENAME_EXCHANGE, as files' atomic
// writes do for every edit and write of an existing file) is modified; the swap's events
// (the target moved in, then moved out) made it "came and went" and the record listed nothing.
func TestFilesReplacedByExchange(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	keep := filepath.Join(root, "keep.txt")
	must(t, os.WriteFile(keep, []byte("old"), 0o644))
	tr := NewTracker(FilesConfig{Roots: []string{root}}, nil)
	defer tr.Close()
	swap := func(target, content string) {
		t.Helper()
		tmp := filepath.Join(root, "."+filepath.Base(target)+".123.tmp")
		must(t, os.WriteFile(tmp, []byte(content), 0o644))
		must(t, unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, target, unix.RENAME_EXCHANGE))
		must(t, os.Remove(tmp))
	}

	c := tr.Begin(1)
	swap(keep, "new content")
	fresh := filepath.Join(root, "fresh.txt")
	must(t, os.WriteFile(fresh, []byte("x"), 0o644))
	swap(fresh, "xyz")
	fc := c.End()
	want := map[string]Change{
		keep:  {Path: keep, Op: OpModified, Size: 11},
		fresh: {Path: fresh, Op: OpCreated, Size: 3}, // made by this action, then replaced
	}
	if got := changesByPath(fc); len(got) != len(want) || got[keep] != want[keep] || got[fresh] != want[fresh] {
		t.Errorf("got %+v, want %+v", fc.Changes, want)
	}
	if fc.Total != 2 || fc.Modified != 1 || fc.Created != 1 {
		t.Errorf("counts: %+v", fc)
	}

	// A file moved in and moved away again within the action is still no change.
	c = tr.Begin(2)
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	must(t, os.WriteFile(a, nil, 0o644))
	must(t, os.Rename(a, b))
	must(t, os.Rename(b, filepath.Join(root, "c")))
	must(t, os.Remove(filepath.Join(root, "c")))
	if fc := c.End(); fc.Total != 0 {
		t.Errorf("moved through: %+v", fc.Changes)
	}
}

// Scanning costs every action a walk of the roots before and after it: once a walk takes
// longer than the budget, the tracker stops scanning and says so, so that the actions after
// it (an echo included) do not each wait for two walks. Before, a working directory past the
// watch limit (9000 directories, 39 000 entries) made every echo take 680 ms instead of 1.
func TestFilesScanOverBudgetStops(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for i := 0; i < 3; i++ {
		must(t, os.MkdirAll(filepath.Join(root, "d"+strconv.Itoa(i)), 0o755))
	}
	tr := NewTracker(FilesConfig{Roots: []string{root}, MaxWatches: 1, ScanBudget: time.Nanosecond}, nil)
	defer tr.Close()
	c := tr.Begin(1)
	must(t, os.WriteFile(filepath.Join(root, "d0", "first"), []byte("1"), 0o644))
	if fc := c.End(); fc.Method != "scan" || fc.Total != 1 {
		t.Fatalf("the scan that overran still counts: %+v", fc)
	}
	c = tr.Begin(2)
	must(t, os.WriteFile(filepath.Join(root, "d0", "second"), []byte("1"), 0o644))
	if fc := c.End(); fc.Method != "none" || fc.Total != 0 || !strings.Contains(fc.Note, "watch limit") ||
		!strings.Contains(fc.Note, "later actions record no file changes") {
		t.Fatalf("after a scan over budget: %+v", fc)
	}
}
