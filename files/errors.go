package files

import "errors"

// Kinds of request errors the executor maps to HTTP statuses.
var (
	ErrInvalid  = errors.New("invalid request")
	ErrNotFound = errors.New("not found")
)

// kindError is a request error with the reference's message.
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string        { return e.msg }
func (e *kindError) Is(target error) bool { return target == e.kind }

func invalid(msg string) error  { return &kindError{ErrInvalid, msg} }
func notFound(msg string) error { return &kindError{ErrNotFound, msg} }
