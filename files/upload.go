package files

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Upload is POST /upload_file: the file body r (named filename) lands in directory dest,
// which is created if missing. A ".zip" (always when recursive) is extracted into dest
// instead. Content is streamed to disk, never held in memory, and each file is written
// atomically. Invalid and TooLarge faults are 400s, as the reference intended.
func (s *Service) Upload(dest string, recursive bool, filename string, r io.Reader) error {
	if !strings.HasPrefix(dest, "/") {
		return invalid("Destination must be an absolute path")
	}
	if err := os.MkdirAll(dest, 0o777); err != nil {
		return errors.New(pyOSError(err))
	}
	isZip := strings.HasSuffix(filename, ".zip")
	if recursive || isZip {
		if !isZip {
			return invalid("Recursive uploads must be zip files")
		}
		return s.uploadZip(dest, r)
	}
	if filename == "" || filename == "." || filename == ".." || strings.ContainsRune(filename, '/') {
		return invalid(fmt.Sprintf("Invalid file name: %s", pyStrRepr(filename)))
	}
	_, err := writeStream(filepath.Join(dest, filename), r, s.cfg.MaxUploadBytes, writeOpts{})
	if errors.Is(err, errTooLarge) {
		return tooLarge("File exceeds the maximum upload size of %d bytes", s.cfg.MaxUploadBytes)
	}
	if err != nil {
		return errors.New(pyOSError(err))
	}
	return nil
}

func (s *Service) uploadZip(dest string, r io.Reader) error {
	tmp, err := os.CreateTemp(dest, ".upload-*.zip")
	if err != nil {
		return errors.New(pyOSError(err))
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	src := r
	if s.cfg.MaxUploadBytes >= 0 {
		src = io.LimitReader(r, s.cfg.MaxUploadBytes+1)
	}
	n, err := io.Copy(tmp, src)
	if err != nil {
		return err
	}
	if s.cfg.MaxUploadBytes >= 0 && n > s.cfg.MaxUploadBytes {
		return tooLarge("File exceeds the maximum upload size of %d bytes", s.cfg.MaxUploadBytes)
	}
	zr, err := zip.NewReader(tmp, n)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // we check paths ourselves
		return invalid("File is not a zip file")
	}
	return ExtractZip(zr, dest, s.cfg.MaxUploadBytes)
}

// ExtractZip unpacks zr into dest. Unlike the reference (which silently skips absolute
// names and names containing ".."), a member that is absolute, has a ".." component, is
// a symlink leading outside dest, or would be written through a symlink leading outside
// dest is refused with an error; every member is checked before anything is written.
// limit (< 0: none) bounds the total extracted size, against zip bombs.
func ExtractZip(zr *zip.Reader, dest string, limit int64) error {
	root, err := filepath.EvalSymlinks(dest)
	if err != nil {
		return errors.New(pyOSError(err))
	}
	var total uint64
	for _, f := range zr.File {
		if err := checkMemberName(f.Name); err != nil {
			return err
		}
		if f.Mode()&fs.ModeSymlink != 0 {
			target, err := readSmall(f, 4096)
			if err != nil {
				return invalid(fmt.Sprintf("Unsafe zip member %s: cannot read symlink target: %v", pyStrRepr(f.Name), err))
			}
			if !linkStaysInside(f.Name, target) {
				return invalid(fmt.Sprintf("Unsafe zip member %s: symlink to %s points outside the destination", pyStrRepr(f.Name), pyStrRepr(target)))
			}
		}
		total += f.UncompressedSize64
	}
	if limit >= 0 && total > uint64(limit) {
		return tooLarge("Zip contents exceed the maximum upload size of %d bytes", limit)
	}
	remaining := limit
	for _, f := range zr.File {
		name := strings.TrimRight(f.Name, "/")
		if name == "" {
			continue
		}
		target := filepath.Join(root, filepath.FromSlash(name))
		if strings.HasSuffix(f.Name, "/") {
			if err := mkdirInside(root, target); err != nil {
				return err
			}
			continue
		}
		if err := mkdirInside(root, filepath.Dir(target)); err != nil {
			return err
		}
		if f.Mode()&fs.ModeSymlink != 0 {
			link, _ := readSmall(f, 4096)
			os.Remove(target)
			if err := os.Symlink(link, target); err != nil {
				return errors.New(pyOSError(err))
			}
			continue
		}
		if !inside(root, resolveTarget(target)) {
			return invalid(fmt.Sprintf("Unsafe zip member %s: it would be written through a symlink outside the destination", pyStrRepr(f.Name)))
		}
		rc, err := f.Open()
		if err != nil {
			return invalid(fmt.Sprintf("Bad zip member %s: %v", pyStrRepr(f.Name), err))
		}
		n, err := writeStream(target, rc, remaining, writeOpts{})
		rc.Close()
		if errors.Is(err, errTooLarge) {
			return tooLarge("Zip contents exceed the maximum upload size of %d bytes", limit)
		}
		if err != nil {
			return fmt.Errorf("extract %s: %w", f.Name, err)
		}
		if remaining >= 0 {
			remaining -= n
		}
	}
	return nil
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

// linkStaysInside reports whether a symlink member named name with the given target
// resolves (lexically) inside the extraction root.
func linkStaysInside(name, target string) bool {
	if target == "" || strings.HasPrefix(target, "/") {
		return false
	}
	p := path.Join(path.Dir(strings.TrimRight(name, "/")), target)
	return p != ".." && !strings.HasPrefix(p, "../")
}

func inside(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../") && !filepath.IsAbs(rel)
}

// mkdirInside creates dir (and parents) and checks that, symlinks resolved, it is still
// under root: a directory already in dest may be a symlink leading elsewhere.
func mkdirInside(root, dir string) error {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return errors.New(pyOSError(err))
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return errors.New(pyOSError(err))
	}
	if !inside(root, real) {
		return invalid(fmt.Sprintf("Unsafe zip member path %s: it leads outside the destination through a symlink", pyStrRepr(dir)))
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
