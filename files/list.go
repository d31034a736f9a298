package files

import (
	"os"
	"sort"
	"strings"
)

// List is POST /list_files: the names in a directory (relative paths join the server's
// working dir), directories first with a "/", each group in case-insensitive order;
// hidden entries included, dangling symlinks left out. Anything wrong gives an empty list.
func (s *Service) List(p string) []string {
	switch {
	case p == "":
		p = s.cfg.WorkspaceRoot
	case !strings.HasPrefix(p, "/"):
		p = strings.TrimRight(s.cfg.WorkspaceRoot, "/") + "/" + p
	}
	out := []string{}
	fi, err := os.Stat(p)
	if err != nil || !fi.IsDir() {
		return out
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return out
	}
	var dirs, files []string
	for _, e := range entries {
		st, err := os.Stat(p + "/" + e.Name())
		if err != nil {
			continue
		}
		if st.IsDir() {
			dirs = append(dirs, e.Name()+"/")
		} else {
			files = append(files, e.Name())
		}
	}
	byLower := func(xs []string) {
		sort.SliceStable(xs, func(i, j int) bool {
			li, lj := strings.ToLower(xs[i]), strings.ToLower(xs[j])
			if li != lj {
				return li < lj
			}
			return xs[i] < xs[j]
		})
	}
	byLower(dirs)
	byLower(files)
	return append(append(out, dirs...), files...)
}
