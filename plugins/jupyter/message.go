package jupyter

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"regexp"
)

// header is a Jupyter message header.
type header struct {
	MsgID    string `json:"msg_id"`
	MsgType  string `json:"msg_type"`
	Username string `json:"username"`
	Session  string `json:"session"`
	Version  string `json:"version"`
}

// message is one Jupyter message in the websocket JSON form.
type message struct {
	Header       header          `json:"header"`
	ParentHeader header          `json:"parent_header"`
	Channel      string          `json:"channel"`
	Content      json.RawMessage `json:"content"`
}

// executeRequest is the reference's execute_request, plus stop_on_error false: a cell sent
// while an interrupted (timed-out) one is still unwinding must run, not be aborted.
func executeRequest(msgID, session, code string) ([]byte, error) {
	return json.Marshal(map[string]any{
		"header": map[string]any{"username": "", "version": "5.0", "session": session,
			"msg_id": msgID, "msg_type": "execute_request"},
		"parent_header": map[string]any{},
		"channel":       "shell",
		"content": map[string]any{"code": code, "silent": false, "store_history": false,
			"user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": false},
		"metadata": map[string]any{},
		"buffers":  map[string]any{},
	})
}

// kernelInfoRequest asks the kernel to identify itself; its reply shows the kernel answers.
func kernelInfoRequest(msgID, session string) ([]byte, error) {
	return json.Marshal(map[string]any{
		"header": map[string]any{"username": "", "version": "5.0", "session": session,
			"msg_id": msgID, "msg_type": "kernel_info_request"},
		"parent_header": map[string]any{}, "channel": "shell", "content": map[string]any{},
		"metadata": map[string]any{}, "buffers": map[string]any{},
	})
}

type streamContent struct {
	Text string `json:"text"`
}

type dataContent struct {
	Data map[string]json.RawMessage `json:"data"`
}

type errorContent struct {
	Traceback []string `json:"traceback"`
}

type statusContent struct {
	ExecutionState string `json:"execution_state"`
}

// ansiSGR is the reference's colour-code pattern; only these sequences are removed.
var ansiSGR = regexp.MustCompile(`\x1b\[\d+(;\d+){0,2}m`)

// StripANSI removes ANSI SGR colour sequences as the reference does.
func StripANSI(s string) string { return ansiSGR.ReplaceAllString(s, "") }

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
