package swerex

import (
	"errors"
	"io/fs"
	"strings"
	"syscall"

	"github.com/gohands/gohands/internal/fault"
	"github.com/gohands/gohands/internal/pycompat"
)

// The exception classes the client re-raises (swerex/exceptions.py, builtins, pexpect).
const (
	clsCommandTimeout = "swerex.exceptions.CommandTimeoutError"
	clsNonZeroExit    = "swerex.exceptions.NonZeroExitCodeError"
	clsSyntax         = "swerex.exceptions.BashIncorrectSyntaxError"
	clsSessionExists  = "swerex.exceptions.SessionExistsError"
	clsNoSession      = "swerex.exceptions.SessionDoesNotExistError"
	clsNoExitCode     = "swerex.exceptions.NoExitCodeError"
	clsPexpectTimeout = "pexpect.exceptions.TIMEOUT"
	clsPexpectEOF     = "pexpect.exceptions.EOF"
	clsBadZip         = "zipfile.BadZipFile"
	clsValueError     = "builtins.ValueError"
	clsRuntimeError   = "builtins.RuntimeError"
	clsLookupError    = "builtins.LookupError"
	clsUnicodeDecode  = "builtins.UnicodeDecodeError"
	clsUnicodeEncode  = "builtins.UnicodeEncodeError"
	clsOSError        = "builtins.OSError"
)

// rexError is an exception as the Python server would raise it: its class path, str(exc)
// and extra_info. The HTTP layer sends it as a 511 exception transfer.
type rexError struct {
	class string
	msg   string
	extra omap // nil: {}
	cause error
}

func (e *rexError) Error() string { return e.msg }
func (e *rexError) Unwrap() error { return e.cause }

func rexErr(class, msg string) *rexError { return &rexError{class: class, msg: msg} }

// asRex maps any error to the exception the reference raises in the same situation:
// an engine fault by its kind, an OS error by its errno (FileNotFoundError ...).
func asRex(err error) *rexError {
	var re *rexError
	if errors.As(err, &re) {
		return re
	}
	var pe *fs.PathError
	var errno syscall.Errno
	if errors.As(err, &pe) || errors.As(err, &errno) {
		return &rexError{class: osErrorClass(err), msg: pycompat.OSError(err), cause: err}
	}
	if f, ok := fault.As(err); ok {
		switch f.Kind {
		case fault.Timeout:
			return &rexError{class: clsCommandTimeout, msg: f.Msg, cause: err}
		case fault.Invalid, fault.TooLarge:
			return &rexError{class: clsValueError, msg: f.Msg, cause: err}
		}
		return &rexError{class: clsRuntimeError, msg: f.Msg, cause: err}
	}
	return &rexError{class: clsRuntimeError, msg: err.Error(), cause: err}
}

func osErrorClass(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return clsOSError
	}
	switch errno {
	case syscall.ENOENT:
		return "builtins.FileNotFoundError"
	case syscall.EISDIR:
		return "builtins.IsADirectoryError"
	case syscall.ENOTDIR:
		return "builtins.NotADirectoryError"
	case syscall.EACCES, syscall.EPERM:
		return "builtins.PermissionError"
	case syscall.EEXIST:
		return "builtins.FileExistsError"
	case syscall.ETIMEDOUT:
		return "builtins.TimeoutError"
	}
	return clsOSError
}

// transfer is the body of the 511 answer (runtime/abstract.py _ExceptionTransfer).
func (e *rexError) transfer() omap {
	name := strings.TrimPrefix(e.class, "builtins.")
	extra := e.extra
	if extra == nil {
		extra = omap{}
	}
	tb := "Traceback (most recent call last):\n  File \"gohands\" (a Go server: no Python frames)\n" + name
	if e.msg != "" {
		tb += ": " + e.msg
	}
	return omap{{"swerexception", omap{
		{"message", e.msg},
		{"class_path", e.class},
		{"traceback", tb + "\n"},
		{"extra_info", extra},
	}}}
}
