package telemetry

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// File change kinds.
const (
	OpCreated  = "created"
	OpModified = "modified"
	OpDeleted  = "deleted"
	OpRenamed  = "renamed" // the old name of a renamed path; the new one is "created"
)

// Change is one path an action changed. Size is the size after the action (-1: gone).
type Change struct {
	Path string `json:"path"`
	Op   string `json:"op"`
	Size int64  `json:"size"`
}

// FileChanges is what an action changed under the watched roots.
type FileChanges struct {
	// Method is "inotify", "scan" (the watch limit was reached: the roots were walked before
	// and after) or "none" (no roots, or a scan took longer than ScanBudget:
	// scanning stopped).
	Method    string   `json:"method"`
	Changes   []Change `json:"changes"` // at most MaxPaths, sorted by path
	Total     int      `json:"total"`   // every changed path (counted beyond the cap)
	Created   int      `json:"created"`
	Modified  int      `json:"modified"`
	Deleted   int      `json:"deleted"`
	Renamed   int      `json:"renamed"`
	Truncated bool     `json:"truncated"` // Changes holds only the first MaxPaths paths
	// Git counts changes inside .git directories, which are summarised, not listed.
	Git  int    `json:"git_internal_changes"`
	Note string `json:"note,omitempty"`
}

// FilesConfig bounds the tracker.
type FilesConfig struct {
	Roots      []string
	MaxPaths   int // paths listed per action; 0 means 1000
	MaxWatches int // directories watched; beyond it the scan fallback is used; 0 means 8192
	MaxScan    int // entries a scan snapshot keeps; 0 means 100000
	// ScanBudget is the longest a scan snapshot may take; once one takes longer, scanning
	// stops for good and records say so (method "none"). 0 means 25 ms.
	ScanBudget  time.Duration
	BarrierWait time.Duration
}

// Tracker watches the roots with inotify (via fsnotify) and hands each running action the
// changes made while it ran. Watches are added as directories appear. When the watch limit
// (ours or the kernel's) is reached the tracker falls back to scanning: it walks the roots
// when an action starts and ends and compares.
type Tracker struct {
	cfg FilesConfig
	w   *fsnotify.Watcher

	barrierFile string        // the watched name of the barrier file (unlinked at once)
	barrierF    *os.File      // keeps the unlinked barrier file, and so its watch, alive
	barrier     chan struct{} // receives when the barrier file's event arrives

	// ready is closed once the roots' first watches are in place: the walk that adds them
	// (tens of milliseconds for a checked-out repository) runs in the background, not in the
	// server's start-up, and an action's Begin waits for it.
	ready chan struct{}

	mu       sync.Mutex
	watched  map[string]bool // directories watched
	rootsOK  map[string]bool // roots whose watch is in place
	rootIno  map[string]uint64
	scanMode string // why the tracker scans instead of watching ("" when it watches)
	// scanOff says why the tracker stopped scanning too ("" while it may scan): walking the
	// roots twice for every action made each one, an echo included, as slow as the walk.
	scanOff string
	active  map[*Collection]struct{}
	// renamed: the last event was a Rename (inotify's IN_MOVED_FROM), so a Create right after
	// it is the IN_MOVED_TO of the same move: something moved in.
	renamed  bool
	onChange func(*Collection, Change)
	done     chan struct{}
}

// NewTracker starts watching cfg.Roots (in the background: see ready). onChange (may be nil) is called for each path that
// enters an action's list, at most MaxPaths times per action; it must not block.
func NewTracker(cfg FilesConfig, onChange func(*Collection, Change)) *Tracker {
	if cfg.MaxPaths <= 0 {
		cfg.MaxPaths = 1000
	}
	if cfg.MaxWatches <= 0 {
		cfg.MaxWatches = 8192
	}
	if cfg.MaxScan <= 0 {
		cfg.MaxScan = 100000
	}
	if cfg.BarrierWait <= 0 {
		cfg.BarrierWait = time.Second
	}
	if cfg.ScanBudget <= 0 {
		cfg.ScanBudget = 25 * time.Millisecond
	}
	var roots []string
	for _, r := range cfg.Roots {
		if r != "" {
			roots = append(roots, filepath.Clean(r))
		}
	}
	cfg.Roots = roots
	t := &Tracker{cfg: cfg, watched: map[string]bool{}, rootsOK: map[string]bool{}, rootIno: map[string]uint64{},
		active: map[*Collection]struct{}{}, onChange: onChange, done: make(chan struct{}),
		barrier: make(chan struct{}, 1), ready: make(chan struct{})}
	if len(roots) == 0 {
		close(t.ready)
		close(t.done)
		return t
	}
	w, err := fsnotify.NewBufferedWatcher(4096)
	if err != nil {
		t.scanMode = "inotify unavailable (" + err.Error() + "): changes found by scanning"
		close(t.ready)
		close(t.done)
		return t
	}
	t.w = w
	// The barrier is a watched file whose name is removed at once: the open descriptor keeps
	// the inode and its watch, and nothing is left in /tmp even if the server is killed.
	if f, err := os.CreateTemp("", "gohands-telemetry-barrier-"); err == nil {
		if w.Add(f.Name()) == nil {
			t.barrierFile, t.barrierF = f.Name(), f
		} else {
			f.Close()
		}
		os.Remove(f.Name())
	}
	go func() {
		t.mu.Lock()
		for _, r := range roots {
			t.addTreeLocked(r, false)
		}
		t.mu.Unlock()
		close(t.ready)
		t.loop()
	}()
	return t
}

// Close stops watching.
func (t *Tracker) Close() {
	if t.w != nil {
		_ = t.w.Close()
		<-t.done
	}
	if t.barrierF != nil {
		t.barrierF.Close()
	}
}

// Watches is how many directories are watched.
func (t *Tracker) Watches() int {
	<-t.ready
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.watched)
}

// addTreeLocked watches dir and every directory below it (never following symlinks, never
// inside .git); with report, what it finds is recorded as created (it appeared before the watch).
func (t *Tracker) addTreeLocked(dir string, report bool) {
	if t.scanMode != "" {
		return
	}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if p != dir && report {
			t.recordLocked(p, OpCreated, false)
		}
		if !d.IsDir() {
			return nil
		}
		if d.Name() == ".git" && p != dir {
			// .git itself is watched (its top-level changes are counted), its insides are not.
			t.addWatchLocked(p)
			return filepath.SkipDir
		}
		if !t.addWatchLocked(p) {
			return filepath.SkipAll
		}
		return nil
	})
	for _, r := range t.cfg.Roots {
		if r == dir {
			t.rootsOK[r] = t.watched[r]
			t.rootIno[r] = inode(r)
		}
	}
}

// checkRootsLocked notices a root removed while something still uses it (bash's working
// directory): the kernel reports its deletion only when the last user lets go.
func (t *Tracker) checkRootsLocked(c *Collection) {
	for _, r := range t.cfg.Roots {
		if !t.rootsOK[r] || inode(r) == t.rootIno[r] {
			continue
		}
		_ = t.w.Remove(r)
		t.watched[r] = true // so that forgetLocked drops r and everything below it
		t.forgetLocked(r)
		c.add(r, OpDeleted, false)
	}
}

func (t *Tracker) addWatchLocked(p string) bool {
	if t.watched[p] {
		return true
	}
	if len(t.watched) >= t.cfg.MaxWatches {
		t.enterScanModeLocked("the directory watch limit (" + itoa(t.cfg.MaxWatches) + ") was reached: changes found by scanning")
		return false
	}
	if err := t.w.Add(p); err != nil {
		if errors.Is(err, syscallENOSPC) || errors.Is(err, syscallEMFILE) {
			t.enterScanModeLocked("the kernel's inotify watch limit was reached (" + err.Error() + "): changes found by scanning")
			return false
		}
		return true // gone already, or unreadable: nothing to watch there
	}
	t.watched[p] = true
	return true
}

// enterScanModeLocked gives up on watches: from now on actions are compared by scanning.
func (t *Tracker) enterScanModeLocked(why string) {
	if t.scanMode != "" {
		return
	}
	t.scanMode = why
	for p := range t.watched {
		_ = t.w.Remove(p)
	}
	t.watched = map[string]bool{}
	for c := range t.active {
		c.note = why
	}
}

func (t *Tracker) loop() {
	defer close(t.done)
	for {
		select {
		case ev, ok := <-t.w.Events:
			if !ok {
				return
			}
			t.handle(ev)
		case err, ok := <-t.w.Errors:
			if !ok {
				return
			}
			t.mu.Lock()
			for c := range t.active {
				if errors.Is(err, fsnotify.ErrEventOverflow) {
					c.note = "the kernel's inotify queue overflowed: some changes are missing, counts are lower bounds"
				} else if c.note == "" {
					c.note = "inotify: " + err.Error()
				}
			}
			t.mu.Unlock()
		}
	}
}

func (t *Tracker) handle(ev fsnotify.Event) {
	if ev.Name == t.barrierFile {
		// Only flush's own write counts: the unlink at start queues an IN_ATTRIB on the
		// barrier that, read late on a busy machine, would end the first flush before the
		// action's events were read (an empty record).
		if !ev.Has(fsnotify.Write) {
			return
		}
		select {
		case t.barrier <- struct{}{}:
		default:
		}
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	movedIn := t.renamed && ev.Has(fsnotify.Create)
	t.renamed = false
	switch {
	case ev.Has(fsnotify.Create):
		if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() && !inGit(ev.Name) {
			t.recordLocked(ev.Name, OpCreated, movedIn)
			t.addTreeLocked(ev.Name, true) // files made before the watch count too
			return
		}
		t.recordLocked(ev.Name, OpCreated, movedIn)
	case ev.Has(fsnotify.Remove):
		t.forgetLocked(ev.Name)
		t.recordLocked(ev.Name, OpDeleted, false)
	case ev.Has(fsnotify.Rename):
		t.forgetLocked(ev.Name)
		t.recordLocked(ev.Name, OpRenamed, false)
		t.renamed = true
	case ev.Has(fsnotify.Write):
		t.recordLocked(ev.Name, OpModified, false)
	}
	// Chmod alone is not a content change.
}

// forgetLocked drops the watches of p and below (the kernel has dropped them already).
func (t *Tracker) forgetLocked(p string) {
	if !t.watched[p] {
		return
	}
	pre := p + string(filepath.Separator)
	for w := range t.watched {
		if w == p || strings.HasPrefix(w, pre) {
			delete(t.watched, w)
		}
	}
	for _, r := range t.cfg.Roots {
		if r == p {
			t.rootsOK[r] = false
		}
	}
}

func inGit(p string) bool {
	for _, part := range strings.Split(p, string(filepath.Separator)) {
		if part == ".git" {
			return true
		}
	}
	return false
}

func (t *Tracker) recordLocked(p, op string, movedIn bool) {
	for c := range t.active {
		if c.add(p, op, movedIn) && t.onChange != nil {
			t.onChange(c, Change{Path: p, Op: op, Size: -1})
		}
	}
}

// Collection gathers one action's changes.
type Collection struct {
	id      int64 // the record it belongs to
	t       *Tracker
	max     int
	order   []string
	ops     map[string]string
	beyond  FileChanges // counts past the cap
	git     int
	note    string
	scan    map[string]scanEntry // the snapshot taken at Begin in scan mode
	scanCut bool
	method  string
	// Listed paths something was moved onto, and those this action made (first seen
	// created, not moved in). A file replaced by swapping a temp file in (renameat2
	// RENAME_EXCHANGE: moved in, then moved out) nets to "came and went" but is still there
	// at End: it was modified, or created if this action made it.
	movedIn map[string]bool
	made    map[string]bool
}

// add records p (movedIn: a Create that is the arriving half of a rename); it reports
// whether p entered the list.
func (c *Collection) add(p, op string, movedIn bool) bool {
	if c.ops == nil {
		return false
	}
	if inGit(p) {
		c.git++
		return false
	}
	if prev, ok := c.ops[p]; ok {
		c.ops[p] = mergeOp(prev, op)
		if movedIn {
			c.mark(&c.movedIn, p)
		}
		return false
	}
	if len(c.order) >= c.max {
		c.beyond.Total++
		countOp(&c.beyond, op)
		return false
	}
	c.ops[p] = op
	c.order = append(c.order, p)
	if movedIn {
		c.mark(&c.movedIn, p)
	} else if op == OpCreated {
		c.mark(&c.made, p)
	}
	return true
}

func (c *Collection) mark(m *map[string]bool, p string) {
	if *m == nil {
		*m = map[string]bool{}
	}
	(*m)[p] = true
}

func mergeOp(prev, next string) string {
	switch {
	case prev == OpCreated && next == OpModified:
		return OpCreated
	case prev == OpCreated && (next == OpDeleted || next == OpRenamed):
		return "" // came and went: not a change
	case (prev == OpDeleted || prev == OpRenamed) && next == OpCreated:
		return OpModified
	case prev == "" && next == OpModified:
		return OpCreated
	}
	return next
}

func countOp(fc *FileChanges, op string) {
	switch op {
	case OpCreated:
		fc.Created++
	case OpModified:
		fc.Modified++
	case OpDeleted:
		fc.Deleted++
	case OpRenamed:
		fc.Renamed++
	}
}

// Begin starts collecting the changes of one action (id names it to onChange).
func (t *Tracker) Begin(id int64) *Collection {
	c := &Collection{id: id, t: t, max: t.cfg.MaxPaths, ops: map[string]string{}}
	if len(t.cfg.Roots) == 0 {
		c.method = "none"
		return c
	}
	// No barrier here (it would cost every action a round trip through the watcher): the
	// previous action's End has drained what happened before it, and a change made in the
	// instant between two actions may count for the second.
	<-t.ready
	t.mu.Lock()
	if t.scanMode == "" && t.w != nil {
		// A root deleted and made again (rm -rf the working dir; mkdir it) is watched anew.
		for _, r := range t.cfg.Roots {
			if !t.rootsOK[r] {
				t.addTreeLocked(r, false)
			}
		}
	}
	scanning := t.scanMode != "" || t.w == nil
	if !scanning {
		c.method = "inotify"
		t.active[c] = struct{}{}
	}
	off := t.scanOff
	t.mu.Unlock()
	if scanning {
		if off != "" {
			c.method, c.note = "none", off
			return c
		}
		c.method = "scan"
		c.scan, c.scanCut = t.timedSnapshot()
	}
	return c
}

// timedSnapshot is snapshot, and stops all later scans when it took longer than the budget.
func (t *Tracker) timedSnapshot() (map[string]scanEntry, bool) {
	start := time.Now()
	m, cut := t.snapshot()
	if d := time.Since(start); d > t.cfg.ScanBudget {
		t.mu.Lock()
		if t.scanOff == "" {
			t.scanOff = t.scanMode + "; a scan of " + itoa(len(m)) + " entries took " + d.Round(time.Millisecond).String() +
				" (budget " + t.cfg.ScanBudget.String() + "), so later actions record no file changes rather than wait for a scan each"
		}
		t.mu.Unlock()
	}
	return m, cut
}

// End stops collecting and returns the changes, with the sizes they have now.
func (c *Collection) End() FileChanges {
	t := c.t
	if c.method == "none" {
		return FileChanges{Method: "none", Changes: []Change{}, Note: c.note}
	}
	if c.method == "inotify" {
		// Every change the action made is queued on the inotify descriptor before the events
		// of a later touch of the barrier file: once that event arrives, nothing is missing.
		waited := t.flush()
		t.mu.Lock()
		t.checkRootsLocked(c)
		delete(t.active, c)
		if !waited && c.note == "" {
			c.note = "file events were still arriving when the action ended; the list may be incomplete"
		}
		if t.scanMode != "" && c.note == "" {
			c.note = t.scanMode
		}
		t.mu.Unlock()
	} else {
		t.mu.Lock()
		c.note = t.scanMode
		t.mu.Unlock()
		after, cut := t.timedSnapshot()
		c.diffScan(after)
		if cut || c.scanCut {
			c.note += "; the scan stopped at " + itoa(t.cfg.MaxScan) + " entries, changes beyond them are not seen"
		}
		c.scan = nil
	}
	fc := c.beyond
	fc.Method, fc.Git, fc.Note = c.method, c.git, c.note
	fc.Changes = make([]Change, 0, len(c.order))
	for _, p := range c.order {
		op := c.ops[p]
		if op == "" {
			if _, err := os.Lstat(p); err != nil || !c.movedIn[p] {
				continue // came and went
			}
			op = OpModified // replaced by a swap
			if c.made[p] {
				op = OpCreated
			}
		}
		size := int64(-1)
		if op != OpDeleted && op != OpRenamed {
			if fi, err := os.Lstat(p); err == nil {
				size = fi.Size()
			} else {
				op = OpDeleted
			}
		}
		fc.Changes = append(fc.Changes, Change{Path: p, Op: op, Size: size})
		fc.Total++
		countOp(&fc, op)
	}
	fc.Truncated = fc.Total > len(fc.Changes)
	sort.Slice(fc.Changes, func(i, j int) bool { return fc.Changes[i].Path < fc.Changes[j].Path })
	return fc
}

// flush waits until every event queued so far has been handled.
func (t *Tracker) flush() bool {
	if t.barrierFile == "" {
		return false
	}
	select { // a stale signal from an earlier flush that timed out
	case <-t.barrier:
	default:
	}
	if _, err := t.barrierF.WriteAt([]byte{0}, 0); err != nil { // IN_MODIFY, through the descriptor
		return false
	}
	timer := time.NewTimer(t.cfg.BarrierWait)
	defer timer.Stop()
	select {
	case <-t.barrier:
		return true
	case <-timer.C:
		return false
	}
}

type scanEntry struct {
	size  int64
	mtime int64
	dir   bool
}

// snapshot walks the roots (no symlinks followed, .git skipped) up to MaxScan entries.
func (t *Tracker) snapshot() (map[string]scanEntry, bool) {
	m := map[string]scanEntry{}
	cut := false
	for _, r := range t.cfg.Roots {
		_ = filepath.WalkDir(r, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() && d.Name() == ".git" {
				return filepath.SkipDir
			}
			if len(m) >= t.cfg.MaxScan {
				cut = true
				return filepath.SkipAll
			}
			fi, err := d.Info()
			if err != nil {
				return nil
			}
			m[p] = scanEntry{size: fi.Size(), mtime: fi.ModTime().UnixNano(), dir: d.IsDir()}
			return nil
		})
	}
	return m, cut
}

func (c *Collection) diffScan(after map[string]scanEntry) {
	var created, modified, deleted []string
	for p, a := range after {
		b, ok := c.scan[p]
		switch {
		case !ok:
			created = append(created, p)
		case !a.dir && (a.size != b.size || a.mtime != b.mtime):
			modified = append(modified, p)
		}
	}
	for p := range c.scan {
		if _, ok := after[p]; !ok {
			deleted = append(deleted, p)
		}
	}
	for _, l := range []struct {
		paths []string
		op    string
	}{{created, OpCreated}, {modified, OpModified}, {deleted, OpDeleted}} {
		sort.Strings(l.paths)
		for _, p := range l.paths {
			c.add(p, l.op, false)
		}
	}
}
