package runtime_build

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// DirHash is dirhash 0.5.0's MD5 directory hash (entry properties name and data), the
// algorithm the reference uses for its source hash, computed over the given files only
// (slash-separated paths relative to root). Directories that hold none of them do not count,
// as dirhash omits empty directories.
//
// A file contributes "data:<md5 of its bytes>\x00name:<basename>"; a directory contributes
// "dirhash:<its hash>\x00name:<basename>"; a directory's hash is the MD5 of its children's
// descriptors, sorted and joined with "\x00\x00".
func DirHash(root string, files []string) (string, error) {
	if len(files) == 0 {
		return "", errors.New("dirhash: nothing to hash")
	}
	type dir struct {
		files map[string]string // basename → relative path
		dirs  map[string]*dir
	}
	newDir := func() *dir { return &dir{files: map[string]string{}, dirs: map[string]*dir{}} }
	top := newDir()
	for _, f := range files {
		clean := path.Clean(f)
		if clean == "." || strings.HasPrefix(clean, "../") || path.IsAbs(clean) {
			return "", errors.New("dirhash: path outside root: " + f)
		}
		parts := strings.Split(clean, "/")
		d := top
		for _, p := range parts[:len(parts)-1] {
			sub, ok := d.dirs[p]
			if !ok {
				sub = newDir()
				d.dirs[p] = sub
			}
			d = sub
		}
		d.files[parts[len(parts)-1]] = clean
	}
	var hashDir func(d *dir) (string, error)
	hashDir = func(d *dir) (string, error) {
		var desc []string
		for name, rel := range d.files {
			sum, err := md5File(filepath.Join(root, filepath.FromSlash(rel)))
			if err != nil {
				return "", err
			}
			desc = append(desc, "data:"+sum+"\x00name:"+name)
		}
		for name, sub := range d.dirs {
			sum, err := hashDir(sub)
			if err != nil {
				return "", err
			}
			desc = append(desc, "dirhash:"+sum+"\x00name:"+name)
		}
		sort.Strings(desc)
		h := md5.Sum([]byte(strings.Join(desc, "\x00\x00")))
		return hex.EncodeToString(h[:]), nil
	}
	return hashDir(top)
}
