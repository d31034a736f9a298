// Package fault is the one error type that travels from the engine (shell, files, plugins,
// browser, mcp) to every front door. An engine package returns a *fault.Error for an expected
// failure whose text the client must see; each door maps its Kind to its own wire form (V0: an
// error observation or an HTTP status; SWE-ReX: a 511 exception transfer). Any other error is
// unexpected and becomes the door's internal-error answer.
package fault

import (
	"errors"
	"fmt"
)

// Kind says what went wrong, so a door can choose its wire form without parsing messages.
type Kind int

const (
	// Tool is an expected failure of an action the agent asked for (file not found, no match
	// for str_replace, a command that could not run). V0: an error observation, HTTP 200.
	Tool Kind = iota
	// Invalid is a malformed or unsafe request. V0 HTTP routes: 400.
	Invalid
	// NotFound is a missing target on a route that has a 404. V0 HTTP routes: 404.
	NotFound
	// TooLarge is a request over a size limit. V0 HTTP routes: 413 where the reference has one,
	// else 400.
	TooLarge
	// Timeout is an operation that ran out of its time budget.
	Timeout
	// Unavailable is a part that is not running or not enabled (browser off, plugin failed).
	Unavailable
)

func (k Kind) String() string {
	switch k {
	case Tool:
		return "tool"
	case Invalid:
		return "invalid"
	case NotFound:
		return "not found"
	case TooLarge:
		return "too large"
	case Timeout:
		return "timeout"
	case Unavailable:
		return "unavailable"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is an expected failure. Msg is the client-visible text, exactly as the reference words
// it; Err, when set, is the cause (for logs and errors.Is), never shown in place of Msg.
type Error struct {
	Kind Kind
	Msg  string
	Err  error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// New makes an Error of kind k with the formatted message.
func New(k Kind, format string, a ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, a...)}
}

// Wrap makes an Error of kind k with message msg and cause err.
func Wrap(k Kind, err error, msg string) *Error {
	return &Error{Kind: k, Msg: msg, Err: err}
}

// Toolf, Invalidf and NotFoundf are shorthands for the common kinds.
func Toolf(format string, a ...any) *Error     { return New(Tool, format, a...) }
func Invalidf(format string, a ...any) *Error  { return New(Invalid, format, a...) }
func NotFoundf(format string, a ...any) *Error { return New(NotFound, format, a...) }

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Is reports whether err carries a *Error of kind k.
func Is(err error, k Kind) bool {
	e, ok := As(err)
	return ok && e.Kind == k
}
