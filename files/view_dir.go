package files

import (
	"os"
	"sort"
	"strings"
)

// viewDir lists a directory two levels deep as ACI's `find -L {path} -maxdepth 2 -not
// \( -path '{path}/\.*' -o -path '{path}/*/\.*' \) | sort` does: symlinks followed,
// hidden names (and what is under hidden directories) left out, byte-wise order, a "/"
// after each directory, and a count of the hidden entries at the top level. Unlike the
// reference (which runs it through a shell unquoted), a path with spaces works.
func viewDir(p string) (EditResult, error) {
	prefix := p
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	var lines, errs []string
	hidden := 0
	lines = append(lines, p)
	top, err := os.ReadDir(p)
	if err != nil {
		errs = append(errs, findError(p, err))
	}
	for _, d := range top {
		name := d.Name()
		if strings.HasPrefix(name, ".") {
			hidden++
			continue
		}
		child := prefix + name
		lines = append(lines, child)
		fi, err := os.Stat(child) // -L: follow links
		if err != nil || !fi.IsDir() {
			continue
		}
		sub, err := os.ReadDir(child)
		if err != nil {
			errs = append(errs, findError(child, err))
			continue
		}
		for _, s := range sub {
			if !strings.HasPrefix(s.Name(), ".") {
				lines = append(lines, child+"/"+s.Name())
			}
		}
	}
	sort.Strings(lines)
	if len(errs) > 0 {
		stdout := maybeTruncate(strings.Join(lines, "\n")+"\n", MaxResponseChars, DirectoryTruncatedNotice)
		stderr := maybeTruncate(strings.Join(errs, "\n")+"\n", MaxResponseChars, ContentTruncatedNotice)
		return EditResult{Output: stdout, Error: stderr, Path: p, PrevExist: true}, nil
	}
	stdout := maybeTruncate(strings.Join(lines, "\n")+"\n", MaxResponseChars, DirectoryTruncatedNotice)
	var b strings.Builder
	b.WriteString("Here's the files and directories up to 2 levels deep in " + p + ", excluding hidden items:\n")
	if s := pyStrip(stdout); s != "" {
		for i, l := range strings.Split(s, "\n") {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(l)
			if fi, err := os.Stat(l); err == nil && fi.IsDir() {
				b.WriteByte('/')
			}
		}
	}
	if hidden > 0 {
		b.WriteString("\n\n")
		b.WriteString(itoa(hidden))
		b.WriteString(" hidden files/directories in this directory are excluded. You can use 'ls -la " + p + "' to see them.")
	}
	return EditResult{Output: b.String(), Path: p, PrevExist: true}, nil
}

// findError is GNU find's message for a directory it cannot read.
func findError(p string, err error) string {
	msg := pyOSError(err)
	if i := strings.Index(msg, "] "); i >= 0 {
		msg = msg[i+2:]
		if j := strings.LastIndex(msg, ": '"); j >= 0 {
			msg = msg[:j]
		}
	}
	return "find: '" + p + "': " + msg
}
