package shell

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// SyntaxError is what `bash -n` said about a command that does not parse.
type SyntaxError struct {
	ExitCode       int
	Stdout, Stderr []byte
}

func (e *SyntaxError) Error() string { return "bash syntax error: " + string(e.Stderr) }

// CheckSyntax reports whether bash would parse command, as `bash -n` reading it from its
// standard input does (SWE-ReX checks every command so). The parse is done in-process with
// mvdan.cc/sh; only when that parser objects is bash -n itself asked, for its verdict
// (the two disagree on a few constructs) and its exact message. A nil error means the
// command parses.
func CheckSyntax(command string) error {
	p := syntax.NewParser(syntax.Variant(syntax.LangBash))
	if _, err := p.Parse(strings.NewReader(command+"\n"), ""); err == nil {
		return nil
	}
	cmd := exec.Command("bash", "-n")
	cmd.Stdin = strings.NewReader(command + "\n")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err == nil {
		return nil
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return err
	}
	return &SyntaxError{ExitCode: ee.ExitCode(), Stdout: out.Bytes(), Stderr: errb.Bytes()}
}
