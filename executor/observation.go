package executor

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/gohands/gohands/telemetry"
)

// Observation is one V0 observation as the Python client parses it. Extras must hold only
// keys the client's observation class accepts (it fails on unknown ones), so each
// observation type has its own extras struct below.
type Observation struct {
	Observation string
	Content     string
	Message     string
	Extras      any
	Success     *bool // only for run and run_ipython
}

// MarshalJSON writes the keys in the reference's order. Strings (the content) are encoded
// straight into one buffer sized for them.
func (o *Observation) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(o.Content)+len(o.Content)/16+512)
	enc := func(k string, v any) error {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		if s, ok := v.(string); ok {
			b = appendJSONString(b, s)
			return nil
		}
		vb, err := marshalNoEscape(v)
		if err != nil {
			return err
		}
		b = append(b, vb...)
		return nil
	}
	b = append(b, '{')
	extras := o.Extras
	if extras == nil {
		extras = struct{}{}
	}
	for _, kv := range []struct {
		k string
		v any
	}{{"message", o.Message}, {"observation", o.Observation}, {"content", o.Content}, {"extras", extras}} {
		if err := enc(kv.k, kv.v); err != nil {
			return nil, err
		}
	}
	if o.Success != nil {
		if err := enc("success", *o.Success); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// marshalNoEscape is json.Marshal without HTML escaping (<, >, & stay as they are, as in Python).
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// CmdMetadata is CmdOutputMetadata.
type CmdMetadata struct {
	ExitCode          int     `json:"exit_code"`
	PID               int     `json:"pid"`
	Username          *string `json:"username"`
	Hostname          *string `json:"hostname"`
	WorkingDir        *string `json:"working_dir"`
	PyInterpreterPath *string `json:"py_interpreter_path"`
	Prefix            string  `json:"prefix"`
	Suffix            string  `json:"suffix"`
	// Telemetry is gohands' record of the action (GET /commands/{id}), with
	// --telemetry-metadata only. The client's CmdOutputMetadata is a pydantic model that ignores
	// keys it does not know, but it drops them: a re-serialised observation differs.
	Telemetry *telemetry.Record `json:"telemetry,omitempty"`
}

// DefaultCmdMetadata is the metadata of an observation that has no prompt behind it.
func DefaultCmdMetadata() CmdMetadata { return CmdMetadata{ExitCode: -1, PID: -1} }

type cmdExtras struct {
	Command  string      `json:"command"`
	Metadata CmdMetadata `json:"metadata"`
	Hidden   bool        `json:"hidden"`
}

type errorExtras struct {
	ErrorID string `json:"error_id"`
}

type readExtras struct {
	Path       string `json:"path"`
	ImplSource string `json:"impl_source"`
}

type writeExtras struct {
	Path string `json:"path"`
}

// EditExtras are FileEditObservation's extras.
type EditExtras struct {
	Path       string  `json:"path"`
	PrevExist  bool    `json:"prev_exist"`
	OldContent *string `json:"old_content"`
	NewContent *string `json:"new_content"`
	ImplSource string  `json:"impl_source"`
	Diff       *string `json:"diff"`
	DiffCache  *string `json:"_diff_cache"`
}

type ipythonExtras struct {
	Code      string   `json:"code"`
	ImageURLs []string `json:"image_urls"`
}

// truncateLimit is the CmdOutputObservation constructor's content limit.
const truncateLimit = 30000

// TruncateContent applies the reference's head+tail middle truncation (character based).
func TruncateContent(s string) string {
	if len(s) <= truncateLimit { // byte length ≥ rune length: fast path
		return s
	}
	r := []rune(s)
	if len(r) <= truncateLimit {
		return s
	}
	half := truncateLimit / 2
	return string(r[:half]) + "\n[... Observation truncated due to length ...]\n" + string(r[len(r)-half:])
}

// CmdOutputObs builds a `run` observation.
func CmdOutputObs(command, content string, md CmdMetadata, hidden bool) *Observation {
	if !hidden {
		content = TruncateContent(content)
	}
	ok := md.ExitCode == 0
	return &Observation{
		Observation: "run",
		Content:     content,
		Message:     "Command `" + command + "` executed with exit code " + strconv.Itoa(md.ExitCode) + ".",
		Extras:      cmdExtras{Command: command, Metadata: md, Hidden: hidden},
		Success:     &ok,
	}
}

// ErrorObs builds an `error` observation.
func ErrorObs(content string) *Observation {
	return &Observation{Observation: "error", Content: content, Message: content, Extras: errorExtras{}}
}

// ReadObs builds a `read` observation.
func ReadObs(content, path, implSource string) *Observation {
	return &Observation{Observation: "read", Content: content, Message: "I read the file " + path + ".",
		Extras: readExtras{Path: path, ImplSource: implSource}}
}

// WriteObs builds a `write` observation.
func WriteObs(path string) *Observation {
	return &Observation{Observation: "write", Content: "", Message: "I wrote to the file " + path + ".",
		Extras: writeExtras{Path: path}}
}

// EditObs builds an `edit` observation.
func EditObs(content string, ex EditExtras) *Observation {
	return &Observation{Observation: "edit", Content: content, Message: "I edited the file " + ex.Path + ".", Extras: ex}
}

// IPythonObs builds a `run_ipython` observation. images nil gives "image_urls": null.
func IPythonObs(content, code string, images []string) *Observation {
	ok := true
	return &Observation{Observation: "run_ipython", Content: content, Message: "Code executed in IPython cell.",
		Extras: ipythonExtras{Code: code, ImageURLs: images}, Success: &ok}
}
