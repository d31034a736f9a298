package runtime_build

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTruncateHash(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		// The reference's own unit-test vectors.
		{"b08f254d76b1c6a7ad924708c0032251", "pma2wc71uq3c9a85"},
		{"102aecc0cea025253c0278f54ebef078", "4titk6gquia3taj5"},
		// The spec's source-hash vector (dirhash of openhands/ at d6fab190).
		{"a5388f6062a32cad8f909b0fb5ef7b83", "bm6cfk9c765teykn"},
		// Lock MD5s from the spec.
		{"2b85b3652f706dea12fd713b99bf5d35", "dymk89ahja4fvbw4"},
		{"2e9405e946eefcc699ba5647639ee617", "3pha6qwwvs1bbq8i"},
		{"38bceef110e84a4fe4b32a2a7d2d6a73", "n3zf7pagu33r6g8p"},
		// Small values: no padding, as the reference.
		{"0", ""},
		{"23", "z"},
	} {
		got, err := TruncateHash(c.in)
		if err != nil || got != c.want {
			t.Errorf("TruncateHash(%s) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	if _, err := TruncateHash("xyz"); err == nil {
		t.Error("TruncateHash accepted a non-hex digest")
	}
}

func TestParseReference(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in                string
		name, tag, digest string
		bad               bool
	}{
		{in: "ubuntu", name: "ubuntu"},
		{in: "ubuntu:24.04", name: "ubuntu", tag: "24.04"},
		{in: "nikolaik/python-nodejs:python3.12-nodejs22", name: "nikolaik/python-nodejs", tag: "python3.12-nodejs22"},
		{in: "localhost:5000/team/app", name: "localhost:5000/team/app"},
		{in: "localhost:5000/team/app:v1", name: "localhost:5000/team/app", tag: "v1"},
		{in: "ghcr.io/openhands/runtime:oh_v0.62.0_x", name: "ghcr.io/openhands/runtime", tag: "oh_v0.62.0_x"},
		{in: "ubuntu@sha256:" + strings.Repeat("ab", 32), name: "ubuntu", digest: "sha256:" + strings.Repeat("ab", 32)},
		{in: "reg:443/u:24.04@sha256:" + strings.Repeat("0", 64), name: "reg:443/u", tag: "24.04", digest: "sha256:" + strings.Repeat("0", 64)},
		{in: "", bad: true},
		{in: "Ubuntu", bad: true},
		{in: "ubuntu:", bad: true},
		{in: "ubuntu:-x", bad: true},
		{in: "ubuntu@sha256:short", bad: true},
		{in: "a b", bad: true},
		{in: "ubuntu:" + strings.Repeat("t", 129), bad: true},
	} {
		r, err := ParseReference(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("ParseReference(%q) = %+v, want an error", c.in, r)
			}
			continue
		}
		if err != nil || r.Name != c.name || r.Tag != c.tag || r.Digest != c.digest {
			t.Errorf("ParseReference(%q) = %+v, %v; want %s %s %s", c.in, r, err, c.name, c.tag, c.digest)
		}
		if r.String() != c.in {
			t.Errorf("round trip %q → %q", c.in, r.String())
		}
	}
}

func TestVersionedTag(t *testing.T) {
	t.Parallel()
	digest := "sha256:" + strings.Repeat("0123456789abcdef", 4)
	long := "registry.example.com/" + strings.Repeat("team/", 20) + "app:1.0"
	for _, c := range []struct{ version, base, want string }{
		// The reference's grammar, unchanged where it worked.
		{"0.62.0", "nikolaik/python-nodejs:python3.12-nodejs22", "oh_v0.62.0_nikolaik_s_python-nodejs_t_python3.12-nodejs22"},
		{"0.62.0", "ubuntu", "oh_v0.62.0_ubuntu"},
		{"0.62.0", "ubuntu:24.04", "oh_v0.62.0_ubuntu_t_24.04"},
		{"0.1.0", "debian:Bookworm-Slim", "oh_v0.1.0_debian_t_bookworm-slim"},
		// Fixed: a registry port gives a valid tag.
		{"0.1.0", "localhost:5000/x:y", "oh_v0.1.0_localhost_t_5000_s_x_t_y"},
		// Fixed: a digest gives a valid tag ('@' → "_at_"; the reference kept '@').
		{"0.1.0", "ubuntu@" + digest, "oh_v0.1.0_ubuntu_at_sha256_t_" + strings.Repeat("0123456789abcdef", 4)},
	} {
		got, err := VersionedTag(c.version, c.base)
		if err != nil || got != c.want {
			t.Errorf("VersionedTag(%q, %q) = %q, %v; want %q", c.version, c.base, got, err, c.want)
		}
	}
	// Long names keep 96 characters, and two names with the same tail still differ.
	a, err1 := VersionedTag("0.1.0", long)
	b, err2 := VersionedTag("0.1.0", "other.example.com/"+strings.Repeat("team/", 20)+"app:1.0")
	if err1 != nil || err2 != nil || a == b || len(a) != len("oh_v0.1.0_")+96 || !ValidTag(a) {
		t.Errorf("long names: %q %q (%v %v)", a, b, err1, err2)
	}
	if _, err := VersionedTag("0.1.0", "not a reference"); err == nil {
		t.Error("VersionedTag accepted an invalid base image")
	}
}

func FuzzVersionedTag(f *testing.F) {
	for _, s := range []string{"ubuntu", "localhost:5000/x:y", "a/b/c:d@sha256:" + strings.Repeat("f", 64), "x.y:1/z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, base string) {
		if _, err := ParseReference(base); err != nil {
			return
		}
		tag, err := VersionedTag(Version, base)
		if err != nil {
			t.Fatalf("valid reference %q gave no tag: %v", base, err)
		}
		if !ValidTag(tag) {
			t.Fatalf("invalid tag %q for %q", tag, base)
		}
		again, _ := VersionedTag(Version, base)
		if again != tag {
			t.Fatalf("not deterministic: %q vs %q", tag, again)
		}
	})
}

func FuzzParseReference(f *testing.F) {
	for _, s := range []string{"ubuntu", "localhost:5000/x:y", "ubuntu@sha256:" + strings.Repeat("a", 64), ":", "@", "a:b:c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseReference(s)
		if err != nil {
			return
		}
		if r.String() != s {
			t.Fatalf("round trip %q → %q", s, r.String())
		}
		if r.Tag != "" && !ValidTag(r.Tag) {
			t.Fatalf("invalid tag %q accepted", r.Tag)
		}
	})
}

func TestComputeTags(t *testing.T) {
	t.Parallel()
	tags, err := ComputeTags("localhost:5000/gohands/runtime", "0.1.0", "debian:bookworm", "lockhash16charsx", "srchash16charsxx")
	if err != nil {
		t.Fatal(err)
	}
	want := Tags{Repo: "localhost:5000/gohands/runtime", Lock: "oh_v0.1.0_lockhash16charsx",
		Source: "oh_v0.1.0_lockhash16charsx_srchash16charsxx", Versioned: "oh_v0.1.0_debian_t_bookworm"}
	if tags != want {
		t.Errorf("got %+v\nwant %+v", tags, want)
	}
	if got := tags.Image(tags.Source); got != "localhost:5000/gohands/runtime:oh_v0.1.0_lockhash16charsx_srchash16charsxx" {
		t.Errorf("Image = %q", got)
	}
	for _, repo := range []string{"ghcr.io/x/runtime:tag", "Upper/case", ""} {
		if _, err := ComputeTags(repo, "0.1.0", "debian", "a", "b"); err == nil {
			t.Errorf("repo %q accepted", repo)
		}
	}
	if _, err := ComputeTags("r", "0 1", "debian", "a", "b"); err == nil {
		t.Error("a version with a space gave a tag")
	}
}

func TestRepoFromEnv(t *testing.T) {
	t.Parallel()
	if got := RepoFromEnv(func(string) string { return "" }); got != "ghcr.io/openhands/runtime" {
		t.Errorf("default repo %q", got)
	}
	env := map[string]string{"OH_RUNTIME_RUNTIME_IMAGE_REPO": "localhost:5000/rt"}
	if got := RepoFromEnv(func(k string) string { return env[k] }); got != "localhost:5000/rt" {
		t.Errorf("repo from env %q", got)
	}
}

func TestDirHash(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write := func(rel, data string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("x.go", "hello\n")
	write("a/a.go", "package a\n")
	write("a/b/e.txt", "")
	write("c/.hidden", "ccc")
	write("ignored.txt", "not listed")
	if err := os.MkdirAll(filepath.Join(root, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Computed with the reference's library, dirhash 0.5.0: dirhash.dirhash(tree, "md5") over
	// the same four files (and an empty directory, which does not count).
	const want = "98096c18921c1d0c17b4c40bf146f827"
	files := []string{"x.go", "a/a.go", "a/b/e.txt", "c/.hidden"}
	got, err := DirHash(root, files)
	if err != nil || got != want {
		t.Fatalf("DirHash = %s, %v; want %s", got, err, want)
	}
	// Order of the list does not matter.
	if got2, _ := DirHash(root, []string{"c/.hidden", "a/b/e.txt", "a/a.go", "x.go"}); got2 != want {
		t.Errorf("order changed the hash: %s", got2)
	}
	for _, bad := range [][]string{nil, {"../x"}, {"/etc/passwd"}, {"missing.go"}} {
		if _, err := DirHash(root, bad); err == nil {
			t.Errorf("DirHash(%q) gave no error", bad)
		}
	}
}

func TestLockHashStable(t *testing.T) {
	t.Parallel()
	in := LockInputs{BaseImage: "debian:bookworm", GoMod: []byte("module m\n"), GoSum: []byte("x v1 h1:y\n"),
		Dockerfile: []byte("FROM x\n"), BuildArgs: map[string]string{"B": "2", "A": "1"}}
	// A fixed vector: the same inputs give the same hash on every machine and every run.
	const want = "vbrwo66z5dwbdsoh"
	if got := LockHash(in); got != want {
		t.Errorf("LockHash = %q, want %q", got, want)
	}
	mods := []func(*LockInputs){
		func(i *LockInputs) { i.BaseImage = "debian:trixie" },
		func(i *LockInputs) { i.GoMod = append([]byte{}, "module m2\n"...) },
		func(i *LockInputs) { i.GoSum = append([]byte{}, "x v1 h1:z\n"...) },
		func(i *LockInputs) { i.Dockerfile = []byte("FROM y\n") },
		func(i *LockInputs) { i.BuildArgs = map[string]string{"A": "1", "B": "3"} },
		// Bytes moved from one part to the next.
		func(i *LockInputs) { i.BaseImage, i.GoMod = "debian:bookwormm", []byte("odule m\n") },
	}
	for n, m := range mods {
		c := in
		m(&c)
		if LockHash(c) == want {
			t.Errorf("change %d did not change the lock hash", n)
		}
	}
}
