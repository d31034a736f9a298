package runtime_build

import (
	"context"
	"fmt"
)

// NoEngine stands in for the builder of a dry run when no engine answers: the tags come from
// the files alone, so they are still exact; every image lookup is skipped (and recorded in
// Skipped), which makes the decision the one for "no image exists".
type NoEngine struct {
	Reason  error
	Skipped []string // the images whose existence was not checked
}

// Name says why there is no builder.
func (n *NoEngine) Name() string { return fmt.Sprintf("no engine (%v)", n.Reason) }

// Features: none.
func (n *NoEngine) Features() Features { return Features{} }

// ImageExists records the lookup it skips and answers "absent".
func (n *NoEngine) ImageExists(_ context.Context, image string, _ bool) (bool, error) {
	n.Skipped = append(n.Skipped, image)
	return false, nil
}

// Build fails: there is nothing to build with.
func (n *NoEngine) Build(context.Context, BuildRequest) error {
	return fmt.Errorf("no engine to build with: %w", n.Reason)
}

// Push fails likewise.
func (n *NoEngine) Push(context.Context, string) error {
	return fmt.Errorf("no engine to push with: %w", n.Reason)
}
