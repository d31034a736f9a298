package runtime_build

import "fmt"

// Mode is what a build starts from (the reference's BuildFromImageType).
type Mode string

const (
	// ModeNone: the source image exists, nothing is built.
	ModeNone Mode = "none"
	// ModeScratch: from the user's base image; installs everything (slowest).
	ModeScratch Mode = "scratch"
	// ModeVersioned: from the versioned image (same base and version, other dependencies):
	// re-runs the optional installs, skips the system packages and the user set-up.
	ModeVersioned Mode = "versioned"
	// ModeLock: from the lock image (same dependencies): copies only the new binary (fastest).
	ModeLock Mode = "lock"
)

// Existing says which of the three tags already exist (locally or in the registry).
type Existing struct {
	Source, Lock, Versioned bool
}

// Decision is what to build.
type Decision struct {
	Mode Mode
	From string   // the FROM image of the final stage; "" for ModeNone
	Tags []string // image names to apply, primary (source) first; nil for ModeNone
}

func (d Decision) String() string {
	if d.Mode == ModeNone {
		return "source image exists: no build"
	}
	return fmt.Sprintf("build from %s (mode %s), tag %v", d.From, d.Mode, d.Tags)
}

// Decide picks the build for tags t over base image base. force ignores every existing image
// and builds from scratch, applying all three tags (the reference left existing tags where
// they were; a forced build moves them to the new image). Otherwise, as the reference: the
// source image exists → no build; the lock image → build on it, tag source; the versioned
// image → build on it, tag source and lock (not versioned, so that images never stack on
// themselves: the reference's "max depth exceeded"); nothing → scratch, tag all three.
func Decide(t Tags, base string, have Existing, force bool) Decision {
	switch {
	case force:
		return Decision{Mode: ModeScratch, From: base, Tags: t.All()}
	case have.Source:
		return Decision{Mode: ModeNone}
	case have.Lock:
		return Decision{Mode: ModeLock, From: t.Image(t.Lock), Tags: []string{t.Image(t.Source)}}
	case have.Versioned:
		return Decision{Mode: ModeVersioned, From: t.Image(t.Versioned), Tags: []string{t.Image(t.Source), t.Image(t.Lock)}}
	default:
		return Decision{Mode: ModeScratch, From: base, Tags: t.All()}
	}
}
