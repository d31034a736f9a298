package files

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/gohands/gohands/internal/fault"
	"github.com/gohands/gohands/sandbox"
)

// Upload is POST /upload_file: the file body r (named filename) lands in directory dest,
// which is created if missing. A ".zip" (always when recursive) is extracted into dest
// instead. Invalid and TooLarge faults are 400s, as the reference intended.
//
// Plain and zip uploads follow one rule (docs/compatibility.md):
//   - Every name is resolved against dest as it is on disk, through an os.Root: a symlink
//     already in dest (or made by the archive) is followed while it stays inside dest, and
//     anything that would lead outside is refused. dest itself may be a symlink (the client
//     chose it).
//   - The upload is first written and extracted into a private staging directory inside dest,
//     with its size and entry count bounded; then every entry is checked against dest (escape,
//     file-over-directory conflicts) before anything in dest changes; then entries are moved
//     into place, and undone in reverse if a move fails. On any failure dest is left as it was
//     (a dest the upload created is removed again) and no temporary file remains, also when
//     ctx is cancelled (client gone, server shutting down).
//   - New files and directories follow the sandbox owner rule; a replaced file keeps its mode
//     and owner.
func (s *Service) Upload(ctx context.Context, dest string, recursive bool, filename string, r io.Reader) (err error) {
	if !strings.HasPrefix(dest, "/") {
		return invalid("Destination must be an absolute path")
	}
	isZip := strings.HasSuffix(filename, ".zip")
	if (recursive || isZip) && !isZip {
		return invalid("Recursive uploads must be zip files")
	}
	if !isZip && (filename == "" || filename == "." || filename == ".." || strings.ContainsRune(filename, '/')) {
		return invalid(fmt.Sprintf("Invalid file name: %s", pyStrRepr(filename)))
	}
	return s.upload(ctx, dest, filename, r, isZip)
}

// upload is Upload once the request is checked: filename's content, or with isZip the zip's
// members, land in dest.
func (s *Service) upload(ctx context.Context, dest, filename string, r io.Reader, isZip bool) (err error) {
	created, err := s.makeDest(dest)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil && created != "" {
			os.RemoveAll(created)
		}
	}()
	root, err := os.OpenRoot(dest)
	if err != nil {
		return errors.New(pyOSError(err))
	}
	defer root.Close()
	st, err := newStaging(root)
	if err != nil {
		return errors.New(pyOSError(err))
	}
	defer st.remove()

	if isZip {
		if err := s.stageZip(ctx, st, r); err != nil {
			return err
		}
	} else {
		f, err := st.tree.OpenFile(filename, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return errors.New(pyOSError(err))
		}
		_, err = copyLimited(ctx, f, r, s.cfg.MaxUploadBytes, s.uploadTooLarge)
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return st.commit(root, dest, s.cfg.Owner)
}

// makeDest creates dest's missing levels under the owner rule and returns the topmost one it
// created ("" when dest existed), so that a failed upload can remove it again.
func (s *Service) makeDest(dest string) (string, error) {
	if fi, err := os.Stat(dest); err == nil {
		if !fi.IsDir() {
			return "", errors.New(pyOSError(&fs.PathError{Op: "mkdir", Path: dest, Err: syscall.EEXIST}))
		}
		return "", nil
	}
	top := dest
	for {
		parent := filepath.Dir(top)
		if parent == top {
			break
		}
		if _, err := os.Lstat(parent); err == nil {
			break
		}
		top = parent
	}
	if err := s.cfg.Owner.MkdirAll(dest); err != nil {
		return "", errors.New(pyOSError(err))
	}
	return top, nil
}

// uploadTooLarge is an upload body (a file, or a zip as sent) over MaxUploadBytes.
func (s *Service) uploadTooLarge() error {
	return tooLarge("File exceeds the maximum upload size of %d bytes", s.cfg.MaxUploadBytes)
}

// copyLimited copies r to w, at most limit bytes (limit < 0: none); more gives tooBig(). It
// stops when ctx is done.
func copyLimited(ctx context.Context, w io.Writer, r io.Reader, limit int64, tooBig func() error) (int64, error) {
	src := io.Reader(ctxReader{ctx, r})
	if limit >= 0 {
		src = io.LimitReader(src, limit+1)
	}
	n, err := io.CopyBuffer(w, src, make([]byte, 256<<10))
	if err != nil {
		return n, err
	}
	if limit >= 0 && n > limit {
		return n, tooBig()
	}
	return n, nil
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(b)
}

// staging is a private directory inside dest: tree/ holds what will be moved into dest,
// old/ the files a move replaced (to put them back if a later move fails).
type staging struct {
	root *os.Root // dest
	name string   // relative to dest
	dir  *os.Root
	tree *os.Root
	n    int
}

func newStaging(root *os.Root) (*staging, error) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	name := ".gohands-upload-" + hex.EncodeToString(b[:])
	if err := root.Mkdir(name, 0o700); err != nil {
		return nil, err
	}
	st := &staging{root: root, name: name}
	var err error
	if st.dir, err = root.OpenRoot(name); err == nil {
		if err = st.dir.Mkdir("tree", 0o700); err == nil {
			if err = st.dir.Mkdir("old", 0o700); err == nil {
				st.tree, err = st.dir.OpenRoot("tree")
			}
		}
	}
	if err != nil {
		st.remove()
		return nil, err
	}
	return st, nil
}

func (st *staging) remove() {
	if st.tree != nil {
		st.tree.Close()
	}
	if st.dir != nil {
		st.dir.Close()
	}
	_ = st.root.RemoveAll(st.name)
}

// stageZip spools the archive into the staging directory (zip needs random access) and
// extracts it into tree/.
func (s *Service) stageZip(ctx context.Context, st *staging, r io.Reader) error {
	f, err := st.dir.OpenFile("upload.zip", os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return errors.New(pyOSError(err))
	}
	defer f.Close()
	n, err := copyLimited(ctx, f, r, s.cfg.MaxUploadBytes, s.uploadTooLarge)
	if err != nil {
		return err
	}
	// zip.NewReader makes a File for every entry the archive declares: check the count first,
	// or a small archive of empty entries could take gigabytes to list.
	if lim := s.cfg.MaxZipEntries; lim >= 0 {
		if count, ok := zipEntryCount(f, n); ok && count > uint64(lim) {
			return tooLarge("Zip has %d entries, more than the limit of %d", count, lim)
		}
	}
	zr, err := zip.NewReader(f, n)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // we check paths ourselves
		return invalid("File is not a zip file")
	}
	return extractZip(ctx, zr, st.tree, s.cfg.zipLimits())
}

// zipLimits bound what one archive may expand to.
type zipLimits struct {
	bytes   int64 // < 0: none
	entries int   // < 0: none
}

// extractZip unpacks zr into tree (a fresh directory). Unlike the reference (which silently
// skips absolute names and names containing ".."), a member that is absolute or has a ".."
// component is refused, as is an archive over the limits (declared sizes are checked first;
// the bytes really inflated are counted too, as headers can lie). Symlink members are made as
// symlinks; whether they stay inside is checked against dest when the tree is committed.
func extractZip(ctx context.Context, zr *zip.Reader, tree *os.Root, lim zipLimits) error {
	if lim.entries >= 0 && len(zr.File) > lim.entries {
		return tooLarge("Zip has %d entries, more than the limit of %d", len(zr.File), lim.entries)
	}
	var total uint64
	for _, f := range zr.File {
		if err := checkMemberName(f.Name); err != nil {
			return err
		}
		total += f.UncompressedSize64
	}
	tooBig := func() error {
		return tooLarge("Zip contents exceed the maximum extracted size of %d bytes", lim.bytes)
	}
	if lim.bytes >= 0 && total > uint64(lim.bytes) {
		return tooBig()
	}
	remaining := lim.bytes
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := strings.Trim(path.Clean("/"+f.Name), "/")
		if name == "" {
			continue
		}
		if strings.HasSuffix(f.Name, "/") || f.Mode().IsDir() {
			if err := tree.MkdirAll(name, 0o700); err != nil {
				return memberError(f.Name, err)
			}
			continue
		}
		if dir := path.Dir(name); dir != "." {
			if err := tree.MkdirAll(dir, 0o700); err != nil {
				return memberError(f.Name, err)
			}
		}
		if f.Mode()&fs.ModeSymlink != 0 {
			target, err := readSmall(f, 4096)
			if err != nil {
				return badMember(f.Name, err)
			}
			if target == "" || strings.HasPrefix(target, "/") {
				return unsafeLink(f.Name, target)
			}
			_ = tree.Remove(name)
			if err := tree.Symlink(target, name); err != nil {
				return memberError(f.Name, err)
			}
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return badMember(f.Name, err)
		}
		_ = tree.Remove(name) // a later member of the same name wins
		w, err := tree.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			rc.Close()
			return memberError(f.Name, err)
		}
		n, err := copyLimited(ctx, w, rc, remaining, tooBig)
		rc.Close()
		if cerr := w.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			if _, ok := fault.As(err); ok || ctx.Err() != nil {
				return err
			}
			var ce flate.CorruptInputError
			if errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrAlgorithm) ||
				errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ce) {
				return badMember(f.Name, err)
			}
			return errors.New(pyOSError(err))
		}
		if remaining >= 0 {
			remaining -= n
		}
	}
	return nil
}

// memberError is a member that cannot be placed: leading outside (through a symlink made by
// the archive), or over a file of the archive.
func memberError(name string, err error) error {
	if strings.Contains(err.Error(), "escapes") {
		return invalid(fmt.Sprintf("Unsafe zip member %s: it leads outside the destination through a symlink", pyStrRepr(name)))
	}
	return invalid(fmt.Sprintf("Bad zip member %s: %s", pyStrRepr(name), pyOSError(err)))
}

// badMember is a member the archive does not hold as it declares (corrupt, truncated).
func badMember(name string, err error) error {
	return invalid(fmt.Sprintf("Bad zip member %s: %v", pyStrRepr(name), err))
}

func unsafeLink(name, target string) error {
	return invalid(fmt.Sprintf("Unsafe zip member %s: symlink to %s points outside the destination", pyStrRepr(name), pyStrRepr(target)))
}

func checkMemberName(name string) error {
	if strings.HasPrefix(name, "/") || strings.HasPrefix(name, `\`) || (len(name) > 1 && name[1] == ':') {
		return invalid(fmt.Sprintf("Unsafe zip member %s: absolute paths are not allowed", pyStrRepr(name)))
	}
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '/' || r == '\\' }) {
		if part == ".." {
			return invalid(fmt.Sprintf("Unsafe zip member %s: '..' is not allowed", pyStrRepr(name)))
		}
	}
	return nil
}

func readSmall(f *zip.File, max int64) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, max))
	return string(b), err
}

// A planned change to dest.
type mergeStep struct {
	kind    int    // stepMkdir, stepMove
	src     string // in tree (stepMove)
	dst     string // in dest, resolved (no symlink in it)
	replace bool   // dst exists and is moved to old/ first
	isDir   bool
	keep    fs.FileInfo // the replaced file: its mode and owner are kept
}

const (
	stepMkdir = iota
	stepMove
)

// commit checks every entry of tree against dest, then applies them, undoing on failure.
func (st *staging) commit(root *os.Root, dest string, owner sandbox.Owner) error {
	realDest, err := filepath.EvalSymlinks(dest)
	if err != nil {
		return errors.New(pyOSError(err))
	}
	pl := &planner{root: root, realDest: realDest, stagingName: st.name, planned: map[string]bool{}}
	var steps []mergeStep
	err = fs.WalkDir(st.tree.FS(), ".", func(rel string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		s, skip, err := pl.plan(st.tree, rel, d)
		if err != nil {
			return err
		}
		if s != nil {
			steps = append(steps, *s)
		}
		if skip {
			return fs.SkipDir
		}
		return nil
	})
	if err != nil {
		if _, ok := fault.As(err); ok {
			return err
		}
		return errors.New(pyOSError(err))
	}
	return st.apply(root, steps, owner)
}

type planner struct {
	root        *os.Root
	realDest    string
	stagingName string
	planned     map[string]bool // dest paths (resolved) of directories that will be made
}

// resolve follows rel's components in dest (and the directories already planned) to a path
// with no symlink in it, relative to dest. It refuses a path that leaves dest.
func (pl *planner) resolve(rel string, followLast bool) (string, error) {
	var parts []string
	if rel != "." && rel != "" {
		parts = strings.Split(rel, "/")
	}
	cur := ""
	for hops := 0; len(parts) > 0; {
		part := parts[0]
		parts = parts[1:]
		switch part {
		case ".", "":
			continue
		case "..":
			if cur == "" {
				return "", errEscape
			}
			cur = path.Dir(cur)
			if cur == "." {
				cur = ""
			}
			continue
		}
		next := path.Join(cur, part)
		if pl.planned[next] || (len(parts) == 0 && !followLast) {
			cur = next
			continue
		}
		fi, err := pl.root.Lstat(next)
		if err != nil {
			cur = next // missing: made by the commit, a plain directory
			continue
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if hops++; hops > 40 {
			return "", errEscape
		}
		target, err := pl.root.Readlink(next)
		if err != nil {
			return "", err
		}
		if filepath.IsAbs(target) {
			r, err := filepath.Rel(pl.realDest, filepath.Clean(target))
			if err != nil || r == ".." || strings.HasPrefix(r, "../") {
				return "", errEscape
			}
			cur = ""
			target = r
		}
		parts = append(strings.Split(target, "/"), parts...)
	}
	if cur == "" {
		cur = "."
	}
	return cur, nil
}

var errEscape = errors.New("leads outside the destination")

func (pl *planner) plan(tree *os.Root, rel string, d fs.DirEntry) (*mergeStep, bool, error) {
	unsafe := func() error {
		return invalid(fmt.Sprintf("Unsafe upload path %s: it leads outside the destination", pyStrRepr(rel)))
	}
	// resolve is pl.resolve with its errors as the upload reports them.
	resolve := func(p string) (string, error) {
		final, err := pl.resolve(p, true)
		if errors.Is(err, errEscape) {
			return "", unsafe()
		}
		if err != nil {
			return "", errors.New(pyOSError(err))
		}
		return final, nil
	}
	parent, err := resolve(path.Dir(rel))
	if err != nil {
		return nil, false, err
	}
	if parent == "." && path.Base(rel) == pl.stagingName {
		return nil, false, unsafe()
	}
	if fi, err := pl.root.Lstat(parent); err == nil && !fi.IsDir() && !pl.planned[parent] {
		return nil, false, invalid(fmt.Sprintf("Cannot upload %s: %s is not a directory", pyStrRepr(rel), pyStrRepr(parent)))
	}
	dst := path.Join(parent, path.Base(rel))
	switch {
	case d.IsDir():
		final, err := resolve(dst)
		if err != nil {
			return nil, false, err
		}
		fi, err := pl.root.Lstat(final)
		if err == nil {
			if !fi.IsDir() {
				return nil, false, invalid(fmt.Sprintf("Cannot upload %s: a file of that name exists", pyStrRepr(rel)))
			}
			return nil, false, nil // merge into the existing directory
		}
		pl.planned[final] = true
		return &mergeStep{kind: stepMkdir, dst: final, isDir: true}, false, nil
	case d.Type()&fs.ModeSymlink != 0:
		target, err := tree.Readlink(rel)
		if err != nil {
			return nil, false, errors.New(pyOSError(err))
		}
		// The link must lead inside dest from where it will really be.
		if strings.HasPrefix(target, "/") {
			return nil, false, unsafeLink(rel, target)
		}
		// Not path.Join: ".." must apply after the symlinks before it are followed.
		if _, err := pl.resolve(parent+"/"+target, true); errors.Is(err, errEscape) {
			return nil, false, unsafeLink(rel, target)
		}
		fi, err := pl.root.Lstat(dst)
		if err == nil && fi.IsDir() {
			return nil, false, invalid(fmt.Sprintf("Cannot upload %s: it is a directory", pyStrRepr(rel)))
		}
		return &mergeStep{kind: stepMove, src: rel, dst: dst, replace: err == nil}, false, nil
	default: // a regular file: written through a symlink that stays inside
		final, err := resolve(dst)
		if err != nil {
			return nil, false, err
		}
		fi, err := pl.root.Lstat(final)
		if err == nil && !fi.Mode().IsRegular() {
			if fi.IsDir() {
				return nil, false, invalid(fmt.Sprintf("Cannot upload %s: it is a directory", pyStrRepr(rel)))
			}
			return nil, false, invalid(fmt.Sprintf("Cannot upload %s: it is %s", pyStrRepr(rel), fileKind(fi.Mode())))
		}
		s := &mergeStep{kind: stepMove, src: rel, dst: final, replace: err == nil}
		if err == nil {
			s.keep = fi
		}
		return s, false, nil
	}
}

// apply makes the planned changes through the dest root (which refuses any escape, also if
// dest changed since the plan), undoing what was done if one fails.
func (st *staging) apply(root *os.Root, steps []mergeStep, owner sandbox.Owner) error {
	var undo []func()
	fail := func(err error) error {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
		return errors.New(pyOSError(err))
	}
	treeRel := st.name + "/tree/"
	for _, s := range steps {
		switch s.kind {
		case stepMkdir:
			if err := root.Mkdir(s.dst, sandbox.DirMode); err != nil {
				return fail(err)
			}
			dst := s.dst
			undo = append(undo, func() { _ = root.Remove(dst) })
			if err := applyOwner(root, dst, owner, nil, true); err != nil {
				return fail(err)
			}
		case stepMove:
			if linked(s.keep) || (s.keep != nil && openElsewhere(root, s.dst)) {
				// Hard links keep sharing the file, and a process holding it open keeps
				// writing to it: its content is replaced in place (the old content is kept
				// aside first, to be put back on failure).
				st.n++
				old := fmt.Sprintf("old/%d", st.n)
				if err := copyBetween(root, s.dst, st.dir, old); err != nil {
					return fail(err)
				}
				dst := s.dst
				undo = append(undo, func() { _ = copyBetween(st.dir, old, root, dst) })
				if err := copyBetween(st.tree, s.src, root, s.dst); err != nil {
					return fail(err)
				}
				continue
			}
			if err := applyOwner(st.tree, s.src, owner, s.keep, false); err != nil {
				return fail(err)
			}
			if s.replace {
				st.n++
				old := fmt.Sprintf("%s/old/%d", st.name, st.n)
				if err := root.Rename(s.dst, old); err != nil {
					return fail(err)
				}
				dst := s.dst
				undo = append(undo, func() { _ = root.Rename(old, dst) })
			}
			if err := root.Rename(treeRel+s.src, s.dst); err != nil {
				return fail(err)
			}
			src, dst := s.src, s.dst
			undo = append(undo, func() { _ = root.Rename(dst, treeRel+src) })
		}
	}
	return nil
}

// applyOwner gives name (in r) the owner rule, or keep's mode and owner when it replaces an
// existing file. Symlinks only get their owner.
func applyOwner(r *os.Root, name string, owner sandbox.Owner, keep fs.FileInfo, dir bool) error {
	fi, err := r.Lstat(name)
	if err != nil {
		return err
	}
	uid, gid, chown := owner.UID, owner.GID, owner.Chown
	mode := owner.Mode(dir)
	if keep != nil {
		if st, ok := keep.Sys().(*syscall.Stat_t); ok {
			uid, gid, chown = int(st.Uid), int(st.Gid), true
		}
		mode = keep.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
	}
	if chown {
		if err := r.Lchown(name, uid, gid); err != nil && keep == nil {
			return err
		}
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return nil
	}
	return r.Chmod(name, mode)
}

// openElsewhere reports whether another process has name open (a write lease is refused).
func openElsewhere(root *os.Root, name string) bool {
	f, err := root.OpenFile(name, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	_, busy := tryWriteLease(f)
	return busy
}

// linked reports whether fi (a file an upload replaces) has other hard links.
func linked(fi fs.FileInfo) bool {
	if fi == nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Nlink > 1
}

// copyBetween rewrites dst (created if missing) with src's content, in place.
func copyBetween(from *os.Root, src string, to *os.Root, dst string) error {
	r, err := from.Open(src)
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := to.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|syscall.O_NONBLOCK, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Close()
		return err
	}
	_ = w.Sync()
	return w.Close()
}

// zipEntryCount reads the number of entries an archive declares in its end of central
// directory record (zip64 too), without listing them.
func zipEntryCount(r io.ReaderAt, size int64) (uint64, bool) {
	const eocdLen, maxComment = 22, 65535
	tail := min(size, eocdLen+maxComment)
	buf := make([]byte, tail)
	if _, err := r.ReadAt(buf, size-tail); err != nil && err != io.EOF {
		return 0, false
	}
	i := bytes.LastIndex(buf, []byte("PK\x05\x06"))
	if i < 0 || len(buf)-i < eocdLen {
		return 0, false
	}
	count := uint64(binary.LittleEndian.Uint16(buf[i+10:]))
	if count != 0xFFFF || i < 20 || string(buf[i-20:i-16]) != "PK\x06\x07" {
		return count, true
	}
	// zip64: the locator points at the zip64 end of central directory record.
	off := int64(binary.LittleEndian.Uint64(buf[i-20+8:]))
	var rec [56]byte
	if off < 0 || off+56 > size {
		return count, true
	}
	if _, err := r.ReadAt(rec[:], off); err != nil || string(rec[:4]) != "PK\x06\x06" {
		return count, true
	}
	return binary.LittleEndian.Uint64(rec[32:]), true
}
