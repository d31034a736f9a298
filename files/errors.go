package files

import (
	"fmt"

	"github.com/gohands/gohands/internal/fault"
)

// Expected failures are *fault.Error values whose Msg is the reference's text, word for word:
// Tool for an action's error observation (the editor's "ERROR:\n…" content, `read`/`write`'s
// ErrorObservation), Invalid / NotFound / TooLarge for the file routes' 400 / 404. Any other
// error is unexpected (the reference lets those escape as HTTP 500).

func toolErr(format string, a ...any) error { return fault.Toolf(format, a...) }

// toolText is a Tool fault with a fixed text (no formatting of '%' in paths).
func toolText(msg string) error { return &fault.Error{Kind: fault.Tool, Msg: msg} }

func invalid(msg string) error  { return &fault.Error{Kind: fault.Invalid, Msg: msg} }
func notFound(msg string) error { return &fault.Error{Kind: fault.NotFound, Msg: msg} }

func tooLarge(format string, a ...any) error {
	return &fault.Error{Kind: fault.TooLarge, Msg: fmt.Sprintf(format, a...)}
}
