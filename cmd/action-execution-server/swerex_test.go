package main

import (
	"bytes"
	"testing"
)

// TestSwerexCLI checks swerex-remote's command line against what swe-rex 1.4.0's argparse
// prints (outputs taken from the Python swerex-remote).
func TestSwerexCLI(t *testing.T) {
	t.Parallel()
	usage := "usage: swerex-remote [-h] [--host HOST] [--port PORT] --auth-token AUTH_TOKEN\n"
	for _, c := range []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{[]string{"-v"}, 0, "1.4.0\n", ""},
		{[]string{"--version"}, 0, "1.4.0\n", ""},
		{[]string{"--ver"}, 0, "1.4.0\n", ""},
		{[]string{"-v", "--port", "1"}, 1, "Error: --version cannot be combined with other arguments\n", ""},
		{nil, 2, "", usage + "swerex-remote: error: the following arguments are required: --auth-token\n"},
		{[]string{"--port", "x", "--auth-token", "t"}, 2, "", usage + "swerex-remote: error: argument --port: invalid int value: 'x'\n"},
		{[]string{"--auth"}, 2, "", usage + "swerex-remote: error: argument --auth-token: expected one argument\n"},
		{[]string{"--bogus", "--auth-token", "t"}, 2, "", usage + "swerex-remote: error: unrecognized arguments: --bogus\n"},
		{[]string{"--auth-token", "t", "extra"}, 2, "", usage + "swerex-remote: error: unrecognized arguments: extra\n"},
		{[]string{"--h"}, 2, "", usage + "swerex-remote: error: ambiguous option: --h could match --help, --host\n"},
		{[]string{"-h"}, 0, swerexHelp("swerex-remote"), ""},
	} {
		var out, errb bytes.Buffer
		code := swerexMain("swerex-remote", c.args, &out, &errb)
		if code != c.code || out.String() != c.stdout || errb.String() != c.stderr {
			t.Errorf("%q: code %d stdout %q stderr %q\nwant code %d stdout %q stderr %q", c.args, code, out.String(), errb.String(), c.code, c.stdout, c.stderr)
		}
	}
}

func TestParseSwerexArgs(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want swerexConfig
	}{
		{[]string{"--auth-token", "T"}, swerexConfig{Host: "0.0.0.0", Port: 8000, AuthToken: "T"}},
		{[]string{"--auth-token=T", "--port=9", "--host=127.0.0.1"}, swerexConfig{Host: "127.0.0.1", Port: 9, AuthToken: "T"}},
		{[]string{"--auth", "", "--po", "1", "--ho", "::1"}, swerexConfig{Host: "::1", Port: 1, AuthToken: ""}},
	} {
		got, err := parseSwerexArgs("swerex-remote", c.args)
		if err != nil || got != c.want {
			t.Errorf("%q: %+v %v, want %+v", c.args, got, err, c.want)
		}
	}
}
