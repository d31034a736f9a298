package files

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tenMB writes a text file just under the editor's 10 MiB limit.
func tenMB(b *testing.B) string {
	b.Helper()
	var sb strings.Builder
	for i := 0; sb.Len() < DefaultMaxEditFileBytes-200; i++ {
		fmt.Fprintf(&sb, "Line %d: the quick brown fox jumps over the lazy dog, again and again.\n", i)
	}
	p := filepath.Join(b.TempDir(), "big.txt")
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return p
}

// go test -run '^$' -bench . -benchmem ./files
func BenchmarkView10MB(b *testing.B) {
	p := tenMB(b)
	e := NewEditor("", 0)
	defer e.Close()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Edit(EditRequest{Command: "view", Path: p}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkViewRange10MB(b *testing.B) {
	p := tenMB(b)
	e := NewEditor("", 0)
	defer e.Close()
	vr := ViewRange{Set: true, Valid: true, Start: 50000, End: 50100, Repr: "[50000, 50100]"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Edit(EditRequest{Command: "view", Path: p, ViewRange: vr}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStrReplace10MB(b *testing.B) {
	p := tenMB(b)
	e := NewEditor("", 0)
	defer e.Close()
	pairs := [2][2]string{{"Line 70000: the quick", "Line 70000: THE QUICK"}, {"Line 70000: THE QUICK", "Line 70000: the quick"}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		pr := pairs[i%2]
		i++
		if _, err := e.Edit(EditRequest{Command: "str_replace", Path: p, OldStr: &pr[0], NewStr: &pr[1]}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnifiedDiff10MB(b *testing.B) {
	p := tenMB(b)
	data, _ := os.ReadFile(p)
	old := string(data)
	nw := strings.Replace(old, "Line 70000: the quick", "Line 70000: THE QUICK", 1)
	b.ReportAllocs()
	for b.Loop() {
		UnifiedDiff(old, nw, p)
	}
}
