package runtime_build

import (
	"fmt"
	"reflect"
	"testing"
)

func TestDecideEveryCombination(t *testing.T) {
	t.Parallel()
	tags := Tags{Repo: "r", Source: "oh_v1_l_s", Lock: "oh_v1_l", Versioned: "oh_v1_base"}
	const base = "debian:bookworm"
	all := []string{"r:oh_v1_l_s", "r:oh_v1_l", "r:oh_v1_base"}
	for mask := 0; mask < 8; mask++ {
		have := Existing{Source: mask&1 != 0, Lock: mask&2 != 0, Versioned: mask&4 != 0}
		for _, force := range []bool{false, true} {
			t.Run(fmt.Sprintf("source=%v,lock=%v,versioned=%v,force=%v", have.Source, have.Lock, have.Versioned, force), func(t *testing.T) {
				var want Decision
				switch {
				case force:
					want = Decision{Mode: ModeScratch, From: base, Tags: all}
				case have.Source:
					want = Decision{Mode: ModeNone}
				case have.Lock:
					want = Decision{Mode: ModeLock, From: "r:oh_v1_l", Tags: []string{"r:oh_v1_l_s"}}
				case have.Versioned:
					want = Decision{Mode: ModeVersioned, From: "r:oh_v1_base", Tags: []string{"r:oh_v1_l_s", "r:oh_v1_l"}}
				default:
					want = Decision{Mode: ModeScratch, From: base, Tags: all}
				}
				got := Decide(tags, base, have, force)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("got %+v, want %+v", got, want)
				}
				// Never tag the image a build starts from (stacking, "max depth exceeded").
				for _, tg := range got.Tags {
					if tg == got.From {
						t.Errorf("tags include the FROM image %s", tg)
					}
				}
			})
		}
	}
}
