package files

import (
	"github.com/gohands/gohands/internal/fault"

	"strings"
	"testing"
)

func TestPyPath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"/a/b.PDF": ".PDF", "/a/.bashrc": "", "/a/b.": "", "/a.b/c": "", "x.tar.gz": ".gz"} {
		if got := pySuffix(in); got != want {
			t.Errorf("pySuffix(%q) = %q, want %q", in, got, want)
		}
	}
}

// A.17: get_diff examples.
func TestUnifiedDiff(t *testing.T) {
	t.Parallel()
	p := "/workspace/a.txt"
	cases := []struct{ old, new, want string }{
		{"", "hello\nworld\n", "--- /workspace/a.txt\n+++ /workspace/a.txt\n@@ -0,0 +1,2 @@\n+hello\n+world"},
		{"hello\nworld\n", "hello\nthere\n", "--- /workspace/a.txt\n+++ /workspace/a.txt\n@@ -2 +2 @@\n-world\n+there"},
		{"same\n", "same\n", ""},
		{"", "", ""},
		{"a\nb\nc\nd\n", "a\nB\nc\nD\n", "--- /workspace/a.txt\n+++ /workspace/a.txt\n@@ -2 +2 @@\n-b\n+B\n@@ -4 +4 @@\n-d\n+D"},
		{"a\nb\nc\n", "a\nc\n", "--- /workspace/a.txt\n+++ /workspace/a.txt\n@@ -2 +1,0 @@\n-b"},
		{"x  \n", "y\t\n", "--- /workspace/a.txt\n+++ /workspace/a.txt\n@@ -1 +1 @@\n-x\n+y"},
	}
	for _, c := range cases {
		if got := UnifiedDiff(c.old, c.new, p); got != c.want {
			t.Errorf("UnifiedDiff(%q, %q) =\n%q\nwant\n%q", c.old, c.new, got, c.want)
		}
	}
}

// A.11: binaryornot's verdicts the notes verified.
func TestIsBinaryBytes(t *testing.T) {
	t.Parallel()
	cp1251, _ := encodingCP1251.Encode("Привет, мир! Это тестовая строка для проверки кодировки.")
	utf16, _ := Encoding{Name: "utf-16", kind: encUTF16, bom: []byte{0xFF, 0xFE}}.Encode("hello world, UTF-16 text")
	cases := []struct {
		name string
		in   string
		want bool
	}{
		{"png header", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", true},
		{"nul in text", "Some text\x00with binary\x00content", true},
		{"utf-8 cjk", strings.Repeat("中文文本，测试。", 20), false},
		{"emoji", "hello 😀 world 🎉 again 🚀 and 🌍", false},
		{"cp1251", string(cp1251), false},
		{"latin-1", "caf\xe9 cr\xe8me br\xfbl\xe9e", false},
		{"utf-16 with bom", string(utf16), false},
		{"0xff byte", "abc\xffdef", true},
		{"ansi escapes", "\x1b[31mred\x1b[0m text\n", false},
		{"empty", "", false},
		{"ascii", "plain text\n", false},
	}
	for _, c := range cases {
		if got := IsBinaryBytes([]byte(c.in)); got != c.want {
			t.Errorf("%s: IsBinaryBytes = %v, want %v", c.name, got, c.want)
		}
	}
	if !IsBinary("/x/y.pyc") || IsBinary("/nonexistent/file") {
		t.Error("IsBinary name rules")
	}
}

func TestDetectEncoding(t *testing.T) {
	t.Parallel()
	cp1251, _ := encodingCP1251.Encode("Тестовый файл с кириллицей")
	cases := map[string]string{
		"ascii":                         "utf-8",
		"héllo":                         "utf-8",
		"caf\xe9 na\xefve":              "cp1252",
		"\x81 undefined in cp1252":      "latin-1",
		string(cp1251):                  "cp1251",
		"\xef\xbb\xbfbom":               "utf-8-sig",
		"\xff\xfeh\x00":                 "utf-16",
		"\xfe\xff\x00h":                 "utf-16",
		"ok \xe4\xb8":                   "utf-8", // a sample cut inside a character
		"\xff\xfe\x00\x00h\x00\x00\x00": "utf-32",
	}
	for in, want := range cases {
		if got := DetectEncoding([]byte(in)).Name; got != want {
			t.Errorf("DetectEncoding(%q) = %s, want %s", in, got, want)
		}
	}
}

// errText is the client-visible text of an expected failure ("" for none).
func errText(err error) string {
	if fe, ok := fault.As(err); ok {
		return fe.Msg
	}
	return ""
}
