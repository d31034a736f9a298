package executor

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestDecodeAction(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in    string
		wantType    string
		wantTimeout float64 // 0: none
		wantErr     string  // prefix
	}{
		{"run with timeout", `{"action":"run","args":{"command":"ls"},"timeout":120.0}`, "run", 120, ""},
		{"null timeout", `{"action":"run","args":{"command":"ls"},"timeout":null}`, "run", 0, ""},
		{"no args", `{"action":"think"}`, "think", 0, ""},
		{"missing arg", `{"action":"read"}`, "", 0, "action={'action': 'read'} has the wrong arguments: FileReadAction.__init__() missing 1 required positional argument: 'path'"},
		{"extra keys", `{"id":3,"source":"agent","llm_metrics":{},"action":"write","args":{"path":"a","content":""},"timeout":1}`, "write", 1, ""},
		{"string timeout", `{"action":"run","args":{"command":"ls"},"timeout":" 1_5 "}`, "run", 15, ""},
		{"observation", `{"observation":"run"}`, "", 0, "400: Invalid action type"},
		{"neither", `{"foo":1}`, "", 0, "Unknown event type: "},
		{"unknown", `{"action":"fly"}`, "", 0, "'action['action']='fly'' is not defined"},
		{"non-string type", `{"action":7}`, "", 0, "'action['action']=7' is not defined"},
		{"args override the handler", `{"action":"think","args":{"action":"run"}}`, "run", 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a, err := DecodeAction(json.RawMessage(c.in))
			if c.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), c.wantErr) {
					t.Fatalf("err %v, want prefix %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Type != c.wantType {
				t.Fatalf("type %q", a.Type)
			}
			if (a.Timeout == nil) != (c.wantTimeout == 0) || (a.Timeout != nil && *a.Timeout != c.wantTimeout) {
				t.Fatalf("timeout %v", a.Timeout)
			}
		})
	}
}

// The reference only tests run's flags for truth.
func TestRunArgsTruthy(t *testing.T) {
	t.Parallel()
	a, err := DecodeAction(json.RawMessage(`{"action":"run","args":{"command":"ls","cwd":null,"blocking":"no","is_input":0,"hidden":[]}}`))
	if err != nil {
		t.Fatal(err)
	}
	var r runArgs
	if err := a.DecodeArgs(&r); err != nil || r.Command.S != "ls" || !r.Blocking || r.IsInput || r.Hidden || r.Cwd != nil {
		t.Fatalf("%+v %v", r, err)
	}
}

func TestTimeoutConversion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		want    float64 // -1: nil
		wantErr string
	}{
		{`1`, 1, ""}, {`2.5`, 2.5, ""}, {`true`, 1, ""}, {`null`, -1, ""}, {`"inf"`, math.Inf(1), ""},
		{`"x"`, -1, "could not convert string to float: 'x'"}, {`"1__0"`, -1, "could not convert string to float: '1__0'"},
		{`[1]`, -1, "float() argument must be a string or a real number, not 'list'"},
		{`{}`, -1, "float() argument must be a string or a real number, not 'dict'"},
	}
	for _, c := range cases {
		a, err := DecodeAction(json.RawMessage(`{"action":"run","args":{"command":""},"timeout":` + c.in + `}`))
		if err != nil {
			t.Fatal(err)
		}
		if a.TimeoutErr != c.wantErr || (a.Timeout == nil) != (c.want == -1) || (a.Timeout != nil && *a.Timeout != c.want) {
			t.Errorf("timeout %s: %v %q", c.in, a.Timeout, a.TimeoutErr)
		}
	}
}

func TestObservationJSON(t *testing.T) {
	t.Parallel()
	wd, user := "/workspace", "openhands"
	md := DefaultCmdMetadata()
	md.ExitCode, md.WorkingDir, md.Username = 0, &wd, &user
	md.Suffix = "\n[The command completed with exit code 0.]"
	cases := []struct {
		name string
		obs  *Observation
		want string
	}{
		{"run", CmdOutputObs("ls -l", "total 0", md, false),
			`{"message":"Command ` + "`ls -l`" + ` executed with exit code 0.","observation":"run","content":"total 0","extras":{"command":"ls -l","metadata":{"exit_code":0,"pid":-1,"username":"openhands","hostname":null,"working_dir":"/workspace","py_interpreter_path":null,"prefix":"","suffix":"\n[The command completed with exit code 0.]"},"hidden":false},"success":true}`},
		{"error", ErrorObs("boom <&>"),
			`{"message":"boom <&>","observation":"error","content":"boom <&>","extras":{"error_id":""}}`},
		{"read", ReadObs("x\n", "/w/a", "default"),
			`{"message":"I read the file /w/a.","observation":"read","content":"x\n","extras":{"path":"/w/a","impl_source":"default"}}`},
		{"write", WriteObs("/w/a"),
			`{"message":"I wrote to the file /w/a.","observation":"write","content":"","extras":{"path":"/w/a"}}`},
		{"ipython", IPythonObs("1", "print(1)", nil),
			`{"message":"Code executed in IPython cell.","observation":"run_ipython","content":"1","extras":{"code":"print(1)","image_urls":null},"success":true}`},
		{"edit", EditObs("ok", EditExtras{Path: "/w/a", ImplSource: "oh_aci"}),
			`{"message":"I edited the file /w/a.","observation":"edit","content":"ok","extras":{"path":"/w/a","prev_exist":false,"old_content":null,"new_content":null,"impl_source":"oh_aci","diff":null,"_diff_cache":null}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b, err := c.obs.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != c.want {
				t.Fatalf("got  %s\nwant %s", b, c.want)
			}
		})
	}
}

func TestTruncateContent(t *testing.T) {
	t.Parallel()
	short := strings.Repeat("a", 30000)
	if TruncateContent(short) != short {
		t.Fatal("30000 chars must stay")
	}
	long := strings.Repeat("a", 15000) + strings.Repeat("é", 100) + strings.Repeat("b", 15000)
	got := TruncateContent(long)
	want := strings.Repeat("a", 15000) + "\n[... Observation truncated due to length ...]\n" + strings.Repeat("b", 15000)
	if got != want {
		t.Fatalf("len %d", len(got))
	}
	if TruncateContent(got) != got && len([]rune(got)) <= 30000 {
		t.Fatal("not idempotent")
	}
}

// FuzzDecodeAction: any body decodes to an action or an error, never a panic, and a decoded
// action's args always unmarshal into every handler's args struct or give an error.
func FuzzDecodeAction(f *testing.F) {
	for _, s := range []string{
		`{"action":"run","args":{"command":"ls"},"timeout":120.0}`,
		`{"action":"edit","args":{"path":"/a","command":"insert","insert_line":"12"}}`,
		`{"observation":"run"}`, `{"action":null}`, `[]`, `{"action":"run","args":[]}`, `{"action":"run","timeout":1e400}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		a, err := DecodeAction(json.RawMessage(in))
		if err != nil {
			if a != nil {
				t.Fatal("action with error")
			}
			return
		}
		if a.Type == "" {
			t.Fatal("empty type")
		}
		var r runArgs
		_ = a.DecodeArgs(&r)
	})
}

// TestKernelEditorArgs: the kernel's file_editor (plugins/agentskills) marks its edit actions
// with gohands_as_sandbox_user and may pass view_range; a client's edit may not.
func TestKernelEditorArgs(t *testing.T) {
	t.Parallel()
	if _, err := DecodeAction(json.RawMessage(`{"action":"edit","args":{"command":"view","path":"/a","view_range":[1,2],"gohands_as_sandbox_user":true}}`)); err != nil {
		t.Fatal(err)
	}
	// a client's view_range is an unknown key: dropped (lenient decoding), never honoured
	a, err := DecodeAction(json.RawMessage(`{"action":"edit","args":{"command":"view","path":"/a","view_range":[1,2]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if a.dict.Has("view_range") {
		t.Fatal("a client's view_range reached the edit action")
	}
}
