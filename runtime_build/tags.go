package runtime_build

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"
)

// Tags are the three names of one runtime image (each is a tag of Repo).
type Tags struct {
	Repo      string
	Source    string // oh_v<version>_<lockhash>_<sourcehash>: this exact source
	Lock      string // oh_v<version>_<lockhash>: same base, dependencies and options
	Versioned string // oh_v<version>_<base image as a tag>: same base, any dependencies
}

// Image returns repo:tag.
func (t Tags) Image(tag string) string { return t.Repo + ":" + tag }

// All returns source, lock and versioned image names, in that order.
func (t Tags) All() []string {
	return []string{t.Image(t.Source), t.Image(t.Lock), t.Image(t.Versioned)}
}

// ComputeTags builds the three tags from the two hashes. It fails when a tag would be invalid.
func ComputeTags(repo, version, baseImage, lockHash, sourceHash string) (Tags, error) {
	if r, err := ParseReference(repo); err != nil || r.Tag != "" || r.Digest != "" {
		return Tags{}, fmt.Errorf("invalid runtime image repository %q (want a repository without tag, e.g. %s)", repo, DefaultRepo)
	}
	vt, err := VersionedTag(version, baseImage)
	if err != nil {
		return Tags{}, err
	}
	t := Tags{
		Repo:      repo,
		Lock:      "oh_v" + version + "_" + lockHash,
		Source:    "oh_v" + version + "_" + lockHash + "_" + sourceHash,
		Versioned: vt,
	}
	for _, tag := range []string{t.Lock, t.Source} {
		if !ValidTag(tag) {
			return Tags{}, fmt.Errorf("invalid image tag %q (version %q)", tag, version)
		}
	}
	return t, nil
}

// VersionedTag is the reference's get_tag_for_versioned_image: '/' → "_s_", ':' → "_t_",
// lowercased, the last 96 characters kept, behind "oh_v<version>_". Fixes, each keeping the
// reference's tag for every base image it handled correctly:
//   - a digest (`name@sha256:…`) gives "_at_" for '@' (the reference kept '@', an invalid tag);
//   - a registry port (`host:5000/x:y`) is fine as is ("_t_"); it broke the reference's
//     legacy repo/tag split, which gohands does not use;
//   - any other character outside [a-z0-9_.-] becomes '-';
//   - when the name is cut to 96 characters, the first 8 hex digits of its MD5 and '_' replace
//     the first 9 kept characters, so that two long names with the same tail still differ.
func VersionedTag(version, baseImage string) (string, error) {
	if _, err := ParseReference(baseImage); err != nil {
		return "", fmt.Errorf("base image: %w", err)
	}
	s := strings.ReplaceAll(baseImage, "/", "_s_")
	s = strings.ReplaceAll(s, ":", "_t_")
	s = strings.ReplaceAll(s, "@", "_at_")
	s = strings.ToLower(s)
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
			return r
		}
		return '-'
	}, s)
	if len(s) > 96 {
		sum := md5.Sum([]byte(baseImage))
		s = hex.EncodeToString(sum[:])[:8] + "_" + s[len(s)-96+9:]
	}
	tag := "oh_v" + version + "_" + s
	if !ValidTag(tag) {
		return "", fmt.Errorf("invalid versioned tag %q (version %q)", tag, version)
	}
	return tag, nil
}
