package pycompat

import "strings"

// PurePosixPath is str(pathlib.PurePosixPath(p)): repeated slashes collapse (but exactly two
// leading slashes stay), "." parts go, ".." stays, a trailing slash goes, and "" is ".". The
// reference quotes that string in its messages, opens that path and keys its undo history by it.
func PurePosixPath(p string) string {
	root := ""
	switch {
	case strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "///"):
		root = "//"
	case strings.HasPrefix(p, "/"):
		root = "/"
	}
	var parts []string
	for _, s := range strings.Split(p, "/") {
		if s != "" && s != "." {
			parts = append(parts, s)
		}
	}
	if root == "" && len(parts) == 0 {
		return "."
	}
	return root + strings.Join(parts, "/")
}
