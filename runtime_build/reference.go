package runtime_build

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Reference is a parsed image reference `[registry[:port]/]path[:tag][@digest]`.
type Reference struct {
	Name   string // everything before the tag and digest, e.g. "localhost:5000/team/app"
	Tag    string // "" when absent
	Digest string // "sha256:…", "" when absent
}

var (
	// The distribution reference grammar, simplified to what an engine accepts.
	pathComponent = `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
	domainPart    = `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
	domainRe      = `(?:` + domainPart + `(?:\.` + domainPart + `)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?`
	nameRe        = regexp.MustCompile(`^(?:` + domainRe + `/)?` + pathComponent + `(?:/` + pathComponent + `)*$`)
	tagRe         = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	digestRe      = regexp.MustCompile(`^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$`)
)

// ParseReference splits an image reference. The tag is the part after the last ':' that
// follows the last '/', so a registry port is never taken for a tag (the reference splits on
// the first ':' and breaks on `localhost:5000/x:y`).
func ParseReference(s string) (Reference, error) {
	if s == "" {
		return Reference{}, errors.New("empty image reference")
	}
	var r Reference
	rest := s
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		r.Digest = rest[i+1:]
		rest = rest[:i]
		if !digestRe.MatchString(r.Digest) {
			return Reference{}, fmt.Errorf("invalid image reference %q: bad digest %q", s, r.Digest)
		}
	}
	if i := strings.LastIndexByte(rest, ':'); i >= 0 && !strings.Contains(rest[i+1:], "/") {
		r.Tag = rest[i+1:]
		rest = rest[:i]
		if !tagRe.MatchString(r.Tag) {
			return Reference{}, fmt.Errorf("invalid image reference %q: bad tag %q", s, r.Tag)
		}
	}
	r.Name = rest
	// The first component is a registry only when it looks like one (as Docker decides);
	// otherwise it is a path component and must be lowercase.
	first, _, hasSlash := strings.Cut(r.Name, "/")
	isDomain := hasSlash && (strings.ContainsAny(first, ".:") || first == "localhost")
	if len(r.Name) > 255 || !nameRe.MatchString(r.Name) || !isDomain && first != strings.ToLower(first) {
		return Reference{}, fmt.Errorf("invalid image reference %q: bad repository name %q", s, r.Name)
	}
	return r, nil
}

// String joins the parts back.
func (r Reference) String() string {
	s := r.Name
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// ValidTag reports whether t is a valid image tag.
func ValidTag(t string) bool { return tagRe.MatchString(t) }
