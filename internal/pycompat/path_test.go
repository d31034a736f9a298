package pycompat

import "testing"

func TestPurePosixPath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/a//b/./c/": "/a/b/c", "./foo.txt": "foo.txt", "": ".", "//x//y": "//x/y", "///x": "/x",
		"/a/../b": "/a/../b", ".": ".", "a/": "a", "/": "/",
		"./": ".", "//": "//", "///": "/", "//a//b/": "//a/b",
		"/a/./b/": "/a/b", "a/../b": "a/../b", "./a": "a", "a//b/.": "a/b", "/..": "/..",
	} {
		if got := PurePosixPath(in); got != want {
			t.Errorf("PurePosixPath(%q) = %q, want %q", in, got, want)
		}
	}
}
