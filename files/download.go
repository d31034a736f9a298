package files

import (
	"archive/zip"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Zip writes a zip of p to w: every regular file under a directory (names relative to
// it, symlinked files followed, symlinked directories not entered, empty directories
// left out) as the reference's os.walk does; for a single file, a zip holding that file
// under its base name (the reference sends an empty zip there).
func (s *Service) Zip(p string, w io.Writer) error {
	if !strings.HasPrefix(p, "/") {
		return invalid("Path must be an absolute path")
	}
	fi, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return notFound("File not found")
		}
		return errors.New(pyOSError(err))
	}
	zw := zip.NewWriter(w)
	if !fi.IsDir() {
		if err := addFile(zw, p, filepath.Base(p), fi); err != nil {
			return err
		}
		return zw.Close()
	}
	err = filepath.WalkDir(p, func(fp string, d fs.DirEntry, err error) error {
		if err != nil {
			if fp == p {
				return err
			}
			return nil // os.walk ignores unreadable directories
		}
		if d.IsDir() {
			return nil
		}
		st, err := os.Stat(fp) // follows a symlinked file
		if err != nil || !st.Mode().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(p, fp)
		if err != nil {
			return err
		}
		return addFile(zw, fp, filepath.ToSlash(rel), st)
	})
	if err != nil {
		return errors.New(pyOSError(err))
	}
	return zw.Close()
}

func addFile(zw *zip.Writer, fp, name string, fi fs.FileInfo) error {
	f, err := os.Open(fp)
	if err != nil {
		return err
	}
	defer f.Close()
	h, err := zip.FileInfoHeader(fi)
	if err != nil {
		return err
	}
	h.Name = name
	h.Method = zip.Deflate
	dst, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, f)
	return err
}
