package jupyter

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func TestStripANSI(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"plain", "plain"},
		{"\x1b[0;31mZeroDivisionError\x1b[0m: division", "ZeroDivisionError: division"},
		{"\x1b[1;32;40mx\x1b[39m", "x"},
		// Only SGR with at most three numbers is removed, as in the reference.
		{"\x1b[1;2;3;4mx", "\x1b[1;2;3;4mx"},
		{"\x1b[2Kline", "\x1b[2Kline"},
		{"\x1b[m", "\x1b[m"},
	}
	for _, c := range cases {
		if got := StripANSI(c.in); got != c.want {
			t.Errorf("StripANSI(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzStripANSI(f *testing.F) {
	f.Add("\x1b[0;31merr\x1b[0m")
	f.Add("\x1b[1\x1b[2mm")
	sgr := regexp.MustCompile(`\x1b\[\d+(;\d+){0,2}m`)
	f.Fuzz(func(t *testing.T, s string) {
		got := StripANSI(s)
		if len(got) > len(s) {
			t.Fatalf("grew: %q -> %q", s, got)
		}
		// One pass is what the reference does; whatever it leaves must not be a fresh
		// match made of a single sequence in the input.
		if !sgr.MatchString(s) && got != s {
			t.Fatalf("changed text without colour codes: %q -> %q", s, got)
		}
	})
}

func TestExecuteRequestShape(t *testing.T) {
	t.Parallel()
	b, err := executeRequest("m1", "s1", "print(1)")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Header  map[string]any `json:"header"`
		Parent  map[string]any `json:"parent_header"`
		Channel string         `json:"channel"`
		Content map[string]any `json:"content"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Header["msg_type"] != "execute_request" || m.Header["msg_id"] != "m1" || m.Header["version"] != "5.0" ||
		m.Channel != "shell" || len(m.Parent) != 0 {
		t.Fatalf("header %s", b)
	}
	if m.Content["code"] != "print(1)" || m.Content["silent"] != false || m.Content["store_history"] != false ||
		m.Content["allow_stdin"] != false || m.Content["stop_on_error"] != false {
		t.Fatalf("content %s", b)
	}
}

func TestLocate(t *testing.T) {
	t.Parallel()
	mk := func(dir string, names ...string) {
		for _, n := range names {
			if err := os.WriteFile(filepath.Join(dir, n), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	gw, srv, none, other := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	mk(gw, "jupyter", "jupyter-kernelgateway", "jupyter-server")
	mk(srv, "jupyter", "jupyter-server")
	mk(none, "jupyter")
	mk(other, "jupyter-kernelgateway")
	cases := []struct {
		name, jupyter, kind, path string
		wantExe, wantKind         string
		wantErr                   bool
	}{
		{name: "gateway preferred", path: gw, wantExe: filepath.Join(gw, "jupyter"), wantKind: KindGateway},
		{name: "server fallback", path: srv, wantExe: filepath.Join(srv, "jupyter"), wantKind: KindServer},
		{name: "explicit executable", jupyter: filepath.Join(srv, "jupyter"), path: "", wantExe: filepath.Join(srv, "jupyter"), wantKind: KindServer},
		{name: "subcommand on PATH", path: none + string(os.PathListSeparator) + other, wantExe: filepath.Join(none, "jupyter"), wantKind: KindGateway},
		{name: "forced kind", kind: KindServer, path: gw, wantExe: filepath.Join(gw, "jupyter"), wantKind: KindServer},
		{name: "no subcommand", path: none, wantErr: true},
		{name: "no jupyter", path: other, wantErr: true},
		{name: "missing explicit", jupyter: filepath.Join(none, "nope"), wantErr: true},
	}
	for _, c := range cases {
		exe, kind, err := Locate(c.jupyter, c.kind, c.path)
		if c.wantErr != (err != nil) || !c.wantErr && (exe != c.wantExe || kind != c.wantKind) {
			t.Errorf("%s: Locate = %q, %q, %v", c.name, exe, kind, err)
		}
	}
}
