package files

import (
	"archive/zip"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// CheckDownload is the part of GET /download_files that can still fail with a status: p must
// be absolute (400) and exist (404).
func (s *Service) CheckDownload(p string) error {
	if !strings.HasPrefix(p, "/") {
		return invalid("Path must be an absolute path")
	}
	if _, err := os.Stat(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return notFound("File not found")
		}
		return errors.New(pyOSError(err))
	}
	return nil
}

// Zip writes a zip of p to w as it is made (nothing is spooled): every regular file under a
// directory (names relative to it, symlinked files followed, symlinked directories not
// entered, empty directories left out) as the reference's os.walk does; for a single file, a
// zip holding that file under its base name (the reference sends an empty zip). Devices,
// FIFOs and sockets are skipped (the reference blocks on a FIFO and never ends on
// /dev/urandom), so a special file alone gives an empty zip, as the reference's walk does. A
// file is copied up to the size it had when it was opened. Zip stops when ctx is done.
func (s *Service) Zip(ctx context.Context, p string, w io.Writer) error {
	if err := s.CheckDownload(p); err != nil {
		return err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return errors.New(pyOSError(err))
	}
	zw := zip.NewWriter(w)
	if !fi.IsDir() {
		if err := addFile(ctx, zw, p, filepath.Base(p)); err != nil {
			return err
		}
		return zw.Close()
	}
	err = filepath.WalkDir(p, func(fp string, d fs.DirEntry, err error) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err != nil {
			if fp == p {
				return err
			}
			return nil // os.walk ignores unreadable directories
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(p, fp)
		if err != nil {
			return err
		}
		return addFile(ctx, zw, fp, filepath.ToSlash(rel))
	})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return errors.New(pyOSError(err))
	}
	return zw.Close()
}

// addFile adds fp (symlinks followed) when it is a regular file; anything else, and a file
// that cannot be opened, is skipped.
func addFile(ctx context.Context, zw *zip.Writer, fp, name string) error {
	f, fi, err := openRegular(fp)
	if err != nil {
		return nil
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
	_, err = io.CopyBuffer(dst, ctxReader{ctx, io.LimitReader(f, fi.Size())}, make([]byte, 64<<10))
	return err
}
