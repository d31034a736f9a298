package mcp

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gohands/gohands/internal/fault"
)

func TestParseConfigs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		body string
		want []ServerConfig
		err  string
	}{
		{`[]`, []ServerConfig{}, ""},
		{`{"name": "x"}`, nil, ErrNotList},
		{`null`, nil, ErrNotList},
		{`"x"`, nil, ErrNotList},
		{`[{"name": " time ", "command": " uvx ", "args": ["mcp-server-time"], "env": {"A": "b"}}]`,
			[]ServerConfig{{Name: "time", Command: "uvx", Args: []string{"mcp-server-time"}, Env: map[string]string{"A": "b"}}}, ""},
		// The reference's string forms: args split as shlex.split, env as "K=V,K2=V2".
		{`[{"name": "s", "command": "npx", "args": "-y  'a b' \"c\\\"d\" e\\ f", "env": "A=1, B = x=y ,"}]`,
			[]ServerConfig{{Name: "s", Command: "npx", Args: []string{"-y", "a b", `c"d`, "e f"}, Env: map[string]string{"A": "1", "B": " x=y"}}}, ""},
		{`[{"name": "n", "command": "c", "args": null, "env": null}]`, []ServerConfig{{Name: "n", Command: "c", Args: []string{}, Env: map[string]string{}}}, ""},
		{`[{"name": "", "command": "c"}]`, nil, "index 0: name: Server name cannot be empty"},
		{`[{"command": "c"}]`, nil, "index 0: name: field required"},
		{`[{"name": "a.b", "command": "c"}]`, nil, "name: Server name can only contain letters, numbers, hyphens, and underscores"},
		{`[{"name": "a", "command": "  "}]`, nil, "command: Command cannot be empty"},
		{`[{"name": "a", "command": "npx -y x"}]`, nil, "command: Command should be a single executable without spaces"},
		{`[{"name": "a", "command": 3}]`, nil, "command: input should be a valid string"},
		{`[{"name": "a", "command": "c", "args": [1]}]`, nil, "args: item 0: input should be a valid string"},
		{`[{"name": "a", "command": "c", "args": "'open"}]`, nil, "args: Invalid argument format: No closing quotation"},
		{`[{"name": "a", "command": "c", "env": {"K": true}}]`, nil, "env: K: input should be a valid string (got true)"},
		{`[{"name": "a", "command": "c", "env": {"K": null}}]`, nil, "env: K: input should be a valid string (got null)"},
		{`[{"name": "a", "command": "c", "env": "NOEQUALS"}]`, nil, "env: Environment variable 'NOEQUALS' must be in KEY=VALUE format"},
		{`[{"name": "a", "command": "c", "env": "1X=2"}]`, nil, "env: Invalid environment variable name '1X'"},
		{`[{"name": "a", "command": "c", "env": [1]}]`, nil, "env: input should be a valid dictionary of strings"},
		{`[{"name": "a", "command": "c"}, {"name": "b", "command": "c"}, {"name": "a", "command": "d"}]`, nil,
			`index 2: duplicate server name "a" (also at index 0)`},
		{`[1]`, nil, "index 0: must be an object"},
		// Thousands of servers would be thousands of processes started at once.
		{manyServers(MaxServers + 1), nil, "Too many MCP servers: 129 (at most 128)"},
	}
	for _, c := range cases {
		got, err := ParseConfigs([]byte(c.body))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !fault.Is(err, fault.Invalid) {
				t.Errorf("%s: err %v, want %q", c.body, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.body, err)
			continue
		}
		if !slices.EqualFunc(got, c.want, ServerConfig.Equal) {
			t.Errorf("%s: got %+v want %+v", c.body, got, c.want)
		}
	}
}

func TestConfigEqual(t *testing.T) {
	t.Parallel()
	a := ServerConfig{Name: "a", Command: "c", Args: []string{"1", "2"}, Env: map[string]string{"X": "1", "Y": "2"}}
	b := ServerConfig{Name: "a", Command: "c", Args: []string{"1", "2"}, Env: map[string]string{"Y": "2", "X": "1"}}
	if !a.Equal(b) {
		t.Fatal("env order must not matter")
	}
	b.Args = []string{"2", "1"}
	if a.Equal(b) {
		t.Fatal("args order matters")
	}
}

// FuzzParseConfigs: any body gets configs or a fault.Invalid, never a panic; accepted names
// are unique and valid, commands non-empty.
func FuzzParseConfigs(f *testing.F) {
	for _, s := range []string{`[]`, `[{"name":"a","command":"b","args":"x 'y z'","env":"A=1"}]`, `[{"name":"a","command":"b","env":{"A":1}}]`, `{}`, `[`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		cfgs, err := ParseConfigs([]byte(body))
		if err != nil {
			if !fault.Is(err, fault.Invalid) {
				t.Fatalf("not a fault.Invalid: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, c := range cfgs {
			if seen[c.Name] || !nameRe.MatchString(c.Name) || c.Command == "" || strings.Contains(c.Command, " ") {
				t.Fatalf("accepted %+v", c)
			}
			seen[c.Name] = true
		}
	})
}

func manyServers(n int) string {
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf(`{"name": "s%d", "command": "c"}`, i)
	}
	return "[" + strings.Join(items, ",") + "]"
}

func TestParseConfigsMaxServers(t *testing.T) {
	t.Parallel()
	if cfgs, err := ParseConfigs([]byte(manyServers(MaxServers))); err != nil || len(cfgs) != MaxServers {
		t.Fatalf("%d servers: %d, %v", MaxServers, len(cfgs), err)
	}
}
