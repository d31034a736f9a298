package mcp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/gohands/gohands/internal/fault"
)

// ServerConfig is one stdio MCP server the backend syncs: the reference's MCPStdioServerConfig.
type ServerConfig struct {
	Name    string            `json:"name"`
	Command string            `json:"command"`
	Args    []string          `json:"args"`
	Env     map[string]string `json:"env"`
}

// Equal is the reference's MCPStdioServerConfig.__eq__: the order of args matters, the order
// of env does not.
func (c ServerConfig) Equal(o ServerConfig) bool {
	return c.Name == o.Name && c.Command == o.Command && slices.Equal(c.Args, o.Args) && maps.Equal(c.Env, o.Env)
}

// ErrNotList is the reference's answer to a body that is not a JSON list.
const ErrNotList = "Request must be a list of MCP tools to sync"

// MaxServers bounds the servers one update may list. Every server is a process started at
// once with three pipes: a list of thousands (the reference takes any number) used up the
// server's file descriptors, and its own requests and shells failed with them.
const MaxServers = 128

var (
	nameRe   = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	envKeyRe = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

// ParseConfigs decodes and validates the body of POST /update_mcp_server with the rules of the
// reference's MCPStdioServerConfig validators (names and commands trimmed, args given as a
// string split like shlex.split, env given as "K=V,K2=V2"). Every failure is a fault.Invalid
// whose message names the item and the field; a body that is not a list gets ErrNotList.
func ParseConfigs(body []byte) ([]ServerConfig, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return nil, fault.Invalidf(ErrNotList)
	}
	if len(raw) > MaxServers {
		return nil, fault.Invalidf("Too many MCP servers: %d (at most %d)", len(raw), MaxServers)
	}
	out := make([]ServerConfig, 0, len(raw))
	seen := map[string]int{}
	for i, r := range raw {
		c, err := parseOne(r)
		if err != nil {
			return nil, fault.Invalidf("Invalid MCP server config at index %d: %s", i, err)
		}
		if j, dup := seen[c.Name]; dup {
			return nil, fault.Invalidf("Invalid MCP server config at index %d: duplicate server name %q (also at index %d)", i, c.Name, j)
		}
		seen[c.Name] = i
		out = append(out, c)
	}
	return out, nil
}

func parseOne(r json.RawMessage) (ServerConfig, error) {
	var c ServerConfig
	var m map[string]json.RawMessage
	if err := json.Unmarshal(r, &m); err != nil || m == nil {
		return c, fmt.Errorf("must be an object with name, command, args and env")
	}
	str := func(field string) (string, error) {
		v, ok := m[field]
		if !ok {
			return "", fmt.Errorf("%s: field required", field)
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil || isNull(v) {
			return "", fmt.Errorf("%s: input should be a valid string", field)
		}
		return s, nil
	}
	var err error
	if c.Name, err = str("name"); err != nil {
		return c, err
	}
	c.Name = strings.TrimSpace(c.Name)
	switch {
	case c.Name == "":
		return c, fmt.Errorf("name: Server name cannot be empty")
	case !nameRe.MatchString(c.Name):
		return c, fmt.Errorf("name: Server name can only contain letters, numbers, hyphens, and underscores")
	}
	if c.Command, err = str("command"); err != nil {
		return c, err
	}
	c.Command = strings.TrimSpace(c.Command)
	switch {
	case c.Command == "":
		return c, fmt.Errorf("command: Command cannot be empty")
	case strings.Contains(c.Command, " "):
		return c, fmt.Errorf("command: Command should be a single executable without spaces (use arguments field for parameters)")
	}
	if c.Args, err = parseArgs(m["args"]); err != nil {
		return c, fmt.Errorf("args: %s", err)
	}
	if c.Env, err = parseEnv(m["env"]); err != nil {
		return c, fmt.Errorf("env: %s", err)
	}
	return c, nil
}

func isNull(v json.RawMessage) bool {
	return len(v) == 0 || bytes.Equal(bytes.TrimSpace(v), []byte("null"))
}

func parseArgs(v json.RawMessage) ([]string, error) {
	if isNull(v) {
		return []string{}, nil
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return shlexSplit(strings.TrimSpace(s))
	}
	var items []json.RawMessage
	if err := json.Unmarshal(v, &items); err != nil {
		return nil, fmt.Errorf("input should be a valid list of strings")
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		var a string
		if err := json.Unmarshal(it, &a); err != nil || isNull(it) {
			return nil, fmt.Errorf("item %d: input should be a valid string", i)
		}
		out = append(out, a)
	}
	return out, nil
}

func parseEnv(v json.RawMessage) (map[string]string, error) {
	out := map[string]string{}
	if isNull(v) {
		return out, nil
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		for pair := range strings.SplitSeq(s, ",") {
			pair = strings.TrimSpace(pair)
			if pair == "" {
				continue
			}
			k, val, ok := strings.Cut(pair, "=")
			if !ok {
				return nil, fmt.Errorf("Environment variable '%s' must be in KEY=VALUE format", pair)
			}
			k = strings.TrimSpace(k)
			if k == "" {
				return nil, fmt.Errorf("Environment variable key cannot be empty")
			}
			if !envKeyRe.MatchString(k) {
				return nil, fmt.Errorf("Invalid environment variable name '%s'. Must start with letter or underscore, contain only alphanumeric characters and underscores", k)
			}
			out[k] = val
		}
		return out, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil {
		return nil, fmt.Errorf("input should be a valid dictionary of strings")
	}
	for k, raw := range m {
		var val string
		if err := json.Unmarshal(raw, &val); err != nil || isNull(raw) {
			return nil, fmt.Errorf("%s: input should be a valid string (got %s)", k, shorten(string(raw), 40))
		}
		if k == "" || strings.ContainsAny(k, "=\x00") || strings.Contains(val, "\x00") {
			return nil, fmt.Errorf("%q: not a valid environment variable", k)
		}
		out[k] = val
	}
	return out, nil
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// shlexSplit is Python's shlex.split (POSIX mode, no comments): the reference splits an args
// string with it.
func shlexSplit(s string) ([]string, error) {
	out := []string{}
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		case ch == '\\':
			inWord = true
			if i+1 >= len(s) {
				return nil, fmt.Errorf("Invalid argument format: No escaped character")
			}
			i++
			cur.WriteByte(s[i])
		case ch == '\'':
			inWord = true
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("Invalid argument format: No closing quotation")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case ch == '"':
			inWord = true
			i++
			for ; ; i++ {
				if i >= len(s) {
					return nil, fmt.Errorf("Invalid argument format: No closing quotation")
				}
				c := s[i]
				if c == '"' {
					break
				}
				if c == '\\' && i+1 < len(s) && strings.IndexByte("\\\"$`\n", s[i+1]) >= 0 {
					i++
					c = s[i]
				}
				cur.WriteByte(c)
			}
		default:
			inWord = true
			cur.WriteByte(ch)
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out, nil
}
