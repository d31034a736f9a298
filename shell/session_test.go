package shell

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gohands/gohands/internal/fault"
)

// The cases below are the reference's tests/runtime/test_bash.py (spec §9.2) and the session
// unit tests (§9.4), run against a real bash on a real PTY.

// newTestSession starts bash as the current user in a fresh working dir with a clean HOME.
func newTestSession(t *testing.T, noChange time.Duration, env ...string) *Session {
	t.Helper()
	return startTestSession(t, Config{NoChangeTimeout: noChange, Env: env})
}

// startTestSession starts a session with cfg as the current user, in a fresh working dir
// with a clean HOME (set in front of cfg.Env), closed when the test ends.
func startTestSession(t *testing.T, cfg Config) *Session {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	home := t.TempDir()
	cfg.User = User{Name: u.Username, UID: uid, GID: gid, Home: home}
	cfg.WorkDir = t.TempDir()
	cfg.Env = append([]string{"HOME=" + home}, cfg.Env...)
	s, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// step is one action and what its observation must show.
type step struct {
	cmd     string
	input   bool
	hard    float64 // hard timeout (blocking) when > 0, else the client default 120 s non-blocking
	exit    *int
	has     []string
	hasNot  []string
	content *string // exact content after strings.TrimSpace
	prefix  *string
	suffix  []string // substrings of the suffix
	errHas  string   // the result must be an error observation containing this
	// before runs first (e.g. to let a waiting command go on and wait for what it prints).
	before func(t *testing.T, s *Session)
	// await: a program that may start slowly on a busy machine. After the step's observation,
	// wait until the program has printed this, then collect it with a "" continuation: the
	// step's content checks apply to both observations together.
	await    string
	validate func(t *testing.T, r Result)
}

func ip(n int) *int       { return &n }
func sp(s string) *string { return &s }
func timeoutSuffix(t string) string {
	return "[The command timed out after " + t + " seconds. " + TimeoutMessage + "]"
}

func (st step) request() Request {
	req := Request{Command: st.cmd, IsInput: st.input, Blocking: st.hard > 0, Timeout: 120 * time.Second}
	if st.hard > 0 {
		req.Timeout = time.Duration(st.hard * float64(time.Second))
		req.TimeoutText = strconv.FormatFloat(st.hard, 'f', -1, 64)
		if !strings.Contains(req.TimeoutText, ".") {
			req.TimeoutText += ".0"
		}
	}
	return req
}

func runSteps(t *testing.T, s *Session, steps []step) {
	t.Helper()
	for i, st := range steps {
		if st.before != nil {
			st.before(t, s)
		}
		off := s.OutputEnd()
		r, err := s.Run(context.Background(), st.request())
		where := fmt.Sprintf("step %d %q", i+1, st.cmd)
		if err == nil && st.await != "" && !strings.Contains(r.Content, st.await) {
			awaitOutput(t, s, off, st.await)
			more, err := s.Run(context.Background(), Request{Command: "", Blocking: true, Timeout: time.Second, TimeoutText: "1.0"})
			if err != nil {
				t.Fatalf("%s: collecting %q: %v", where, st.await, err)
			}
			r.Content += "\n" + more.Content
		}
		if st.errHas != "" {
			if _, ok := fault.As(err); !ok || !strings.Contains(err.Error(), st.errHas) {
				t.Fatalf("%s: want a fault containing %q, got %+v, %v", where, st.errHas, r, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: unexpected error %v", where, err)
		}
		if st.exit != nil && r.Metadata.ExitCode != *st.exit {
			t.Fatalf("%s: exit %d, want %d; content %q suffix %q", where, r.Metadata.ExitCode, *st.exit, r.Content, r.Suffix)
		}
		for _, h := range st.has {
			if !strings.Contains(r.Content, h) {
				t.Fatalf("%s: content lacks %q: %q", where, h, r.Content)
			}
		}
		for _, h := range st.hasNot {
			if strings.Contains(r.Content, h) {
				t.Fatalf("%s: content has %q: %q", where, h, r.Content)
			}
		}
		if st.content != nil && strings.TrimSpace(r.Content) != *st.content {
			t.Fatalf("%s: content %q, want %q", where, r.Content, *st.content)
		}
		if st.prefix != nil && r.Prefix != *st.prefix {
			t.Fatalf("%s: prefix %q, want %q", where, r.Prefix, *st.prefix)
		}
		for _, h := range st.suffix {
			if !strings.Contains(r.Suffix, h) {
				t.Fatalf("%s: suffix lacks %q: %q", where, h, r.Suffix)
			}
		}
		if st.validate != nil {
			st.validate(t, r)
		}
	}
}

// awaitOutput waits until bash has printed want since offset off (event-driven, bounded).
func awaitOutput(t *testing.T, s *Session, off int64, want string) {
	t.Helper()
	deadline := time.NewTimer(2 * time.Minute)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		out, _ := s.raw.ReadFrom(off, nil)
		ch := s.changed
		s.mu.Unlock()
		if strings.Contains(string(out), want) {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("bash never printed %q: %q", want, out)
		}
	}
}

// release creates the file a waiting command polls for, then waits until the command printed
// want: `until [ -e NAME ]; do sleep 0.05; done` stands in for "the next second" of a
// command, so that a busy machine cannot shift output between observations.
func release(name, want string) func(t *testing.T, s *Session) {
	return func(t *testing.T, s *Session) {
		t.Helper()
		off := s.OutputEnd()
		if err := os.WriteFile(filepath.Join(s.cfg.WorkDir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if want != "" {
			awaitOutput(t, s, off, want)
		}
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func need(t *testing.T, bins ...string) {
	t.Helper()
	for _, b := range bins {
		if _, err := exec.LookPath(b); err != nil {
			t.Fatalf("test needs %s on PATH (make deps installs it): %v", b, err)
		}
	}
}

func TestBashScenarios(t *testing.T) {
	t.Parallel()
	need(t, "python3", "curl", "git")
	completed0 := "[The command completed with exit code 0.]"
	cases := []struct {
		name     string
		noChange time.Duration
		steps    func(t *testing.T) []step
	}{
		{"basic_command", 0, func(*testing.T) []step {
			return []step{
				{cmd: "echo 'hello world'", exit: ip(0), content: sp("hello world"), suffix: []string{completed0}},
				{cmd: "nonexistent_command", exit: ip(127), has: []string{"nonexistent_command: command not found"},
					suffix: []string{"[The command completed with exit code 127.]"}},
				{cmd: "echo 'hello   world    with\nspecial  chars'", exit: ip(0), has: []string{"hello   world    with\nspecial  chars"}},
				{cmd: `echo "first" && echo "second" && echo "third"`, exit: ip(0), has: []string{"first", "second", "third"}},
			}
		}},
		{"multiline_commands", 0, func(*testing.T) []step {
			return []step{
				{cmd: "echo \\\n -e \"foo\"", exit: ip(0), has: []string{"foo"}},
				{cmd: "echo -e \"hello\nworld\"", exit: ip(0), has: []string{"hello\nworld"}},
				{cmd: `echo -e "a\n\n\nz"`, exit: ip(0), has: []string{"\n\n\n"}},
				// test_no_ps2_in_output: no PS2 and no echoed command.
				{cmd: "echo -e \"hello\nworld\"", exit: ip(0), has: []string{"hello\nworld"}, hasNot: []string{">", "echo"}},
			}
		}},
		{"multiple_multiline_commands", 0, func(*testing.T) []step {
			cmds := []string{"ls -l", "echo -e \"hello\nworld\"", `echo -e "hello it's me"`, "echo \\\n    -e 'hello' \\\n    world",
				`echo -e 'hello\nworld\nare\nyou\nthere?'`, "echo -e 'hello\nworld\nare\nyou\n\nthere?'", "echo -e 'hello\nworld \"'"}
			want := []string{"total 0", "hello\nworld", "hello it's me", "hello world", "hello\nworld\nare\nyou\nthere?",
				"hello\nworld\nare\nyou\n\nthere?", "hello\nworld \""}
			steps := []step{{cmd: strings.Join(cmds, "\n"), errHas: "Cannot execute multiple commands at once"}}
			for i, c := range cmds {
				steps = append(steps, step{cmd: c, exit: ip(0), has: []string{want[i]}})
			}
			return steps
		}},
		{"complex_commands", 0, func(*testing.T) []step {
			return []step{{cmd: `count=0; tries=0; while [ $count -lt 3 ]; do result=$(echo "Heads"); tries=$((tries+1)); echo "Flip $tries: $result"; if [ "$result" = "Heads" ]; then count=$((count+1)); else count=0; fi; done; echo "Got 3 heads in a row after $tries flips!";`,
				exit: ip(0), has: []string{"Got 3 heads in a row after 3 flips!"}}}
		}},
		{"multiline_command_loop", 0, func(*testing.T) []step {
			return []step{
				{cmd: "mkdir -p _modules && for month in {01..04}; do\n    for day in {01..05}; do\n        touch \"_modules/2024-${month}-${day}-sample.md\"\n    done\ndone && echo \"created files\"\n",
					exit: ip(0), has: []string{"created files"}},
				{cmd: "for file in _modules/*.md; do\n    new_date=$(echo $file | sed -E 's/2024-(01|02|03|04)-/2024-/;s/2024-01/2024-08/;s/2024-02/2024-09/;s/2024-03/2024-10/;s/2024-04/2024-11/')\n    mv \"$file\" \"$new_date\"\ndone && echo \"success\"\n",
					exit: ip(0), has: []string{"success"}},
			}
		}},
		{"cmd_run_and_stateful_cwd", 0, func(*testing.T) []step {
			return []step{
				{cmd: "ls -l", exit: ip(0), has: []string{"total 0"}},
				{cmd: "mkdir test", exit: ip(0)},
				{cmd: "touch test/foo.txt", exit: ip(0)},
				{cmd: "ls -l test", exit: ip(0), has: []string{"foo.txt"}},
				{cmd: "cd test", exit: ip(0), validate: func(t *testing.T, r Result) {
					if r.Metadata.WorkingDir == nil || !strings.HasSuffix(*r.Metadata.WorkingDir, "/test") {
						t.Fatalf("working_dir %v", r.Metadata.WorkingDir)
					}
				}},
				{cmd: "pwd", exit: ip(0), has: []string{"/test"}},
				{cmd: "non_existing_command", validate: func(t *testing.T, r Result) {
					if r.Metadata.ExitCode == 0 {
						t.Fatal("want non-zero exit")
					}
				}},
				{cmd: "cd ~ && pwd", exit: ip(0), validate: func(t *testing.T, r Result) {
					if !strings.HasPrefix(r.Content, os.TempDir()) && !strings.Contains(r.Content, "/") {
						t.Fatalf("home %q", r.Content)
					}
				}},
			}
		}},
		{"interactive_read", time.Second, func(*testing.T) []step {
			return []step{
				{cmd: `read -p "Enter name: " name && echo "Hello $name"`, has: []string{"Enter name:"},
					suffix: []string{"[The command has no new output after 1 seconds."}},
				{cmd: "John", input: true, has: []string{"Hello John"}, hasNot: []string{"Enter name"}, suffix: []string{completed0}},
				{cmd: "cat << EOF\nline 1\nline 2\nEOF", exit: ip(0), has: []string{"line 1\nline 2"}, suffix: []string{completed0}},
			}
		}},
		{"heredoc_completed_by_input", time.Second, func(*testing.T) []step {
			return []step{
				{cmd: "cat << EOF", exit: ip(-1), suffix: []string{"no new output after 1 seconds"}},
				{cmd: "line 1", input: true, exit: ip(-1)},
				{cmd: "line 2", input: true, exit: ip(-1)},
				{cmd: "EOF", input: true, exit: ip(0), has: []string{"line 1\nline 2"}, suffix: []string{completed0}},
			}
		}},
		{"python_interactive_input", 2 * time.Second, func(*testing.T) []step {
			start := `python3 -c "name = input('Enter your name: '); age = input('Enter your age: '); print(f'Hello {name}, you are {age} years old')"`
			return []step{
				{cmd: start, hard: 1, exit: ip(-1), has: []string{"Enter your name:"}, await: "Enter your name:"},
				{cmd: "Alice", input: true, exit: ip(-1), has: []string{"Enter your age:"}},
				{cmd: "25", input: true, exit: ip(0), has: []string{"Hello Alice, you are 25 years old"}, suffix: []string{completed0}},
			}
		}},
		{"python_input_without_is_input", 2 * time.Second, func(*testing.T) []step {
			start := `python3 -c "name = input('Enter your name: '); age = input('Enter your age: '); print(f'Hello {name}, you are {age} years old')"`
			return []step{
				{cmd: start, hard: 1, exit: ip(-1), has: []string{"Enter your name:"}, await: "Enter your name:"},
				{cmd: "Alice", exit: ip(-1), hasNot: []string{"Enter your age:"},
					suffix: []string{`Your command "Alice" is NOT executed. The previous command is still running`}},
				{cmd: "Alice", input: true, exit: ip(-1), has: []string{"Enter your age:"}},
				{cmd: "25", input: true, exit: ip(0), has: []string{"Hello Alice, you are 25 years old"}, suffix: []string{completed0}},
			}
		}},
		{"output_continuation", 0, func(*testing.T) []step {
			below := continuePrefix
			// The reference prints every 3 s and looks every 2.5 s; here each number is printed
			// once the test lets the loop go on (see release).
			return []step{
				{cmd: "for i in {1..5}; do echo $i; until [ -e go$i ]; do sleep 0.05; done; done", hard: 2.5, content: sp("1"), prefix: sp(""),
					suffix: []string{"[The command timed out after 2.5 seconds."}},
				{before: release("go1", "2\r\n"), cmd: "", hard: 2.5, content: sp("2"), prefix: &below, suffix: []string{timeoutSuffix("2.5")}},
				{before: release("go2", "3\r\n"), cmd: "", hard: 2.5, content: sp("3"), prefix: &below},
				{before: release("go3", "4\r\n"), cmd: "", hard: 2.5, content: sp("4"), prefix: &below},
				{before: release("go4", "5\r\n"), cmd: "", hard: 2.5, content: sp("5"), prefix: &below},
				{before: release("go5", ""), cmd: "", suffix: []string{completed0}},
			}
		}},
		{"long_running_command_follow_by_execute", 0, func(*testing.T) []step {
			below := continuePrefix
			return []step{
				{cmd: "for i in {1..3}; do echo $i; until [ -e go$i ]; do sleep 0.05; done; done", hard: 2.5, exit: ip(-1), has: []string{"1"}, prefix: sp(""),
					suffix: []string{timeoutSuffix("2.5")}},
				{before: release("go1", "2\r\n"), cmd: "", hard: 2.5, exit: ip(-1), has: []string{"2"}, prefix: &below, suffix: []string{timeoutSuffix("2.5")}},
				{cmd: "sleep 15", hard: 2.5, exit: ip(-1), hasNot: []string{"3"}, prefix: &below,
					suffix: []string{"The previous command is still running"}},
				{before: func(t *testing.T, s *Session) { release("go3", "")(t, s); release("go2", "")(t, s) }, cmd: "", has: []string{"3"}, suffix: []string{completed0}},
			}
		}},
		{"empty_command_errors", 0, func(*testing.T) []step {
			return []step{
				{cmd: "", exit: ip(-1), content: sp("ERROR: No previous running command to retrieve logs from."), prefix: sp(""),
					validate: func(t *testing.T, r Result) {
						if r.Suffix != "" || r.Command != "" {
							t.Fatalf("%+v", r)
						}
					}},
				{cmd: "hello", input: true, exit: ip(-1), content: sp("ERROR: No previous running command to interact with.")},
			}
		}},
		{"ctrl_c_loop_130", 0, func(*testing.T) []step {
			return []step{
				{cmd: "while true; do echo looping; sleep 0.2; done", hard: 1, exit: ip(-1), has: []string{"looping"}},
				{cmd: "ls", exit: ip(-1), suffix: []string{"The previous command is still running"}},
				{cmd: "C-c", input: true, exit: ip(130), has: []string{"^C"}, suffix: []string{"CTRL+C was sent.]"}},
				{cmd: "echo after", exit: ip(0), content: sp("after")},
			}
		}},
		{"command_backslash", 0, func(t *testing.T) []step {
			d := t.TempDir()
			return []step{
				{cmd: fmt.Sprintf(`mkdir -p %s/test_dir && echo "implemented_function" > %s/test_dir/file_1.txt`, d, d), exit: ip(0)},
				{cmd: fmt.Sprintf(`find %s/test_dir -type f -exec grep -l "implemented_function" {} \;`, d), exit: ip(0),
					has: []string{d + "/test_dir/file_1.txt"}},
			}
		}},
		{"long_output_5000", 0, func(*testing.T) []step {
			return []step{{cmd: `for i in $(seq 1 5000); do echo "Line $i"; done`, hard: 10, exit: ip(0),
				has: []string{"Line 1\n", "Line 5000"}, prefix: sp("")}}
		}},
		{"long_output_exceeds_history", 0, func(*testing.T) []step {
			return []step{{cmd: `for i in $(seq 1 50000); do echo "Line $i"; done`, hard: 60, exit: ip(0),
				has: []string{"Line 40000", "Line 50000"}, validate: func(t *testing.T, r Result) {
					if !strings.Contains(r.Prefix, "Previous command outputs are truncated") {
						t.Fatalf("prefix %q", r.Prefix)
					}
				}}}
		}},
		{"git_remote_no_echo", 0, func(*testing.T) []step {
			return []step{
				{cmd: "git init -q && git remote add origin https://github.com/OpenHands/OpenHands", exit: ip(0)},
				{cmd: "git remote -v", exit: ip(0), has: []string{"https://github.com/OpenHands/OpenHands"}, hasNot: []string{"git remote -v"}},
			}
		}},
		{"env_export_persists", 0, func(*testing.T) []step {
			return []step{
				{cmd: `export QUUX="abc\"def"; export FOOBAR="xyz";`, exit: ip(0)},
				{cmd: "echo $QUUX $FOOBAR", exit: ip(0), content: sp(`abc"def xyz`)},
			}
		}},
		{"long_single_line_command", 0, func(*testing.T) []step {
			long := strings.Repeat("x", 9000)
			return []step{{cmd: "echo " + long + " | wc -c", exit: ip(0), content: sp("9001")}}
		}},
		{"progress_bar_rendered", 0, func(*testing.T) []step {
			return []step{{cmd: `printf 'progress 10%%\rprogress 50%%\rprogress 100%%\n\033[31mred\033[0m done\n'`, exit: ip(0),
				content: sp("progress 100%\nred done")}}
		}},
		{"input_to_cooked_program_is_not_stripped", 0, func(*testing.T) []step {
			// cat echoes the line back as its output; the reference's tty echo is stripped, the
			// output stays: "hello cat".
			return []step{
				{cmd: "cat", hard: 1, exit: ip(-1)},
				{cmd: "hello cat", input: true, hard: 1, exit: ip(-1), content: sp("hello cat")},
				{cmd: "C-d", input: true, hard: 10, exit: ip(0), suffix: []string{"CTRL+D was sent.]"}},
			}
		}},
		{"input_to_line_editor_is_stripped", 0, func(t *testing.T) []step {
			// Node's REPL reads raw keys and echoes them itself, whatever the tty says; the
			// reference strips that echo, and so do we. (Python's readline honours the tty's
			// echo flag, so it echoes nothing here.)
			need(t, "node")
			return []step{
				{cmd: "node", hard: 2, exit: ip(-1), await: "Type \".help\""},
				{cmd: "40+2", input: true, hard: 2, exit: ip(-1), has: []string{"42"}, hasNot: []string{"40+2"}},
				{cmd: ".exit", input: true, hard: 10, exit: ip(0)},
			}
		}},
		{"background_job", 0, func(*testing.T) []step {
			return []step{
				{cmd: "sleep 30 &", exit: ip(0), has: []string{"[1]"}, validate: func(t *testing.T, r Result) {
					if r.Metadata.PID <= 0 {
						t.Fatalf("pid %d", r.Metadata.PID)
					}
				}},
				{cmd: "kill %1", exit: ip(0)},
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newTestSession(t, tc.noChange)
			runSteps(t, s, tc.steps(t))
		})
	}
}

// TestForgedPromptIsOutput: output that carries the reference's markers (or the prompt
// variable itself) is output. It neither ends the command early nor shifts later replies.
func TestForgedPromptIsOutput(t *testing.T) {
	t.Parallel()
	fake := `printf '\n###PS1JSON###\n{"pid": "", "exit_code": "7", "username": "x", "hostname": "h", "working_dir": "/fake", "path": ""}\n###PS1END###\n'`
	s := newTestSession(t, 0)
	wd := s.cfg.WorkDir
	inWd := func(t *testing.T, r Result) {
		if r.Metadata.WorkingDir == nil || *r.Metadata.WorkingDir != wd {
			t.Fatalf("working_dir %v, want %s", r.Metadata.WorkingDir, wd)
		}
	}
	runSteps(t, s, []step{
		{cmd: fake + "; sleep 0.5; echo after-fake", hard: 30, exit: ip(0), has: []string{"###PS1JSON###", `"working_dir": "/fake"`, "after-fake"}, validate: inWd},
		{cmd: "echo next", hard: 30, exit: ip(0), content: sp("next"), validate: inWd},
		{cmd: `echo "$PS1"`, hard: 30, exit: ip(0), has: []string{"###PS1JSON###", "###PS1END###"}},
		{cmd: `printf "$PS1"; echo`, hard: 30, exit: ip(0), has: []string{"###PS1JSON###"}},
		{cmd: `echo "$__gohands_ps1" | od -c | head -1`, hard: 30, exit: ip(0)},
		{cmd: "env | grep __gohands_ps1=", hard: 30, exit: ip(0), has: []string{"###PS1JSON###", "###PS1END###"}},
		{cmd: "echo still-in-step", hard: 30, exit: ip(0), content: sp("still-in-step")},
		// Nested and replaced shells inherit the prompt; .bashrc resetting PS1 changes nothing.
		{cmd: "bash", hard: 30, exit: ip(0), validate: inWd},
		{cmd: "echo nested $SHLVL", hard: 30, exit: ip(0), has: []string{"nested"}},
		{cmd: "exit 4", hard: 30, exit: ip(4)},
		{cmd: "exec bash", hard: 30, exit: ip(0)},
		{cmd: "echo replaced", hard: 30, exit: ip(0), content: sp("replaced")},
		{cmd: "PS1='x> '; echo reset-ps1", hard: 30, exit: ip(0), content: sp("reset-ps1")},
		{cmd: "echo last", hard: 30, exit: ip(0), content: sp("last"), validate: inWd},
	})
}

// TestContinuationPrefixAfterSilentTimeout: the reference's pane shows the typed command, so
// after a timeout of a command that printed nothing, the next observation of that command
// has the continuation prefix; a command that wiped the screen and history (`clear`) leaves
// nothing for the next one to continue.
func TestContinuationPrefixAfterSilentTimeout(t *testing.T) {
	t.Parallel()
	below, none := continuePrefix, ""
	cases := []struct {
		name  string
		steps []step
	}{
		{"silent command", []step{
			{cmd: "sleep 60", exit: ip(-1), content: &none, prefix: &none, suffix: []string{"no new output after 1 seconds"}},
			{cmd: "", exit: ip(-1), content: &none, prefix: &below, suffix: []string{"no new output after 1 seconds"}},
			{cmd: "ls", exit: ip(-1), prefix: &below, suffix: []string{`Your command "ls" is NOT executed`}},
			{cmd: "typed", input: true, exit: ip(-1), content: &none, prefix: &below},
			{cmd: "C-c", input: true, exit: ip(130), prefix: &none, suffix: []string{"CTRL+C was sent."}},
			{cmd: "echo fresh", exit: ip(0), content: sp("fresh"), prefix: &none},
		}},
		{"silent hard timeout", []step{
			{cmd: "sleep 60", hard: 1, exit: ip(-1), content: &none, prefix: &none, suffix: []string{timeoutSuffix("1.0")}},
			{cmd: "", hard: 1, exit: ip(-1), content: &none, prefix: &below, suffix: []string{timeoutSuffix("1.0")}},
			{cmd: "C-c", input: true, exit: ip(130), prefix: &none},
		}},
		{"clear wipes the echo", []step{
			{cmd: "clear; sleep 60", exit: ip(-1), content: &none, prefix: &none},
			{cmd: "", exit: ip(-1), content: &none, prefix: &none},
			{cmd: "C-c", input: true, exit: ip(130)},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runSteps(t, newTestSession(t, time.Second), tc.steps)
		})
	}
}

func TestBashServerInterrupt(t *testing.T) {
	t.Parallel()
	need(t, "python3", "curl")
	s := newTestSession(t, 0)
	p := freePort(t)
	server := fmt.Sprintf("python3 -u -m http.server %d", p)
	// serve starts the server and follows its output until it says it serves: a busy machine
	// may take longer than the first observation's second to start Python.
	serve := func() {
		t.Helper()
		var out strings.Builder
		runSteps(t, s, []step{{cmd: server, hard: 1, exit: ip(-1), suffix: []string{timeoutSuffix("1.0")},
			validate: func(_ *testing.T, r Result) { out.WriteString(r.Content) }}})
		deadline := time.Now().Add(2 * time.Minute)
		for !strings.Contains(out.String(), "Serving HTTP on") {
			if time.Now().After(deadline) {
				t.Fatalf("the server never said it serves: %q", out.String())
			}
			runSteps(t, s, []step{{cmd: "", hard: 1, exit: ip(-1), suffix: []string{timeoutSuffix("1.0")},
				validate: func(_ *testing.T, r Result) { out.WriteString(r.Content) }}})
		}
	}
	serve()
	runSteps(t, s, []step{
		{cmd: "C-c", input: true, hard: 30, exit: ip(0), has: []string{"^C", "Keyboard interrupt received, exiting."},
			validate: func(t *testing.T, r Result) {
				if r.Metadata.WorkingDir == nil || *r.Metadata.WorkingDir != s.cfg.WorkDir {
					t.Fatalf("working dir %v", r.Metadata.WorkingDir)
				}
			}},
		{cmd: "ls", hard: 3, exit: ip(0), hasNot: []string{"Keyboard interrupt received, exiting."}},
	})
	serve()
	runSteps(t, s, []step{{cmd: "C-c", input: true, hard: 30, exit: ip(0)}})
	// test_bash_background_server
	runSteps(t, s, []step{{cmd: fmt.Sprintf("python3 -m http.server %d > /dev/null 2>&1 &", p), exit: ip(0)}})
	waitListening(t, p)
	runSteps(t, s, []step{
		{cmd: fmt.Sprintf("curl -s http://localhost:%d", p), exit: ip(0), has: []string{"Directory listing for"}},
		{cmd: "kill %1", exit: ip(0)},
	})
}

// waitListening waits until something accepts connections on the loopback port.
func waitListening(t *testing.T, port int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on port %d: %v", port, err)
		}
		time.Sleep(20 * time.Millisecond) // polling the port: there is no event to wait on
	}
}

func TestBashrcAndUser(t *testing.T) {
	t.Parallel()
	u, _ := user.Current()
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, ".bashrc"), []byte("export FROM_BASHRC=yes\nPS1='custom> '\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	s, err := Start(Config{User: User{Name: u.Username, UID: uid, Home: home}, WorkDir: t.TempDir(), Env: []string{"HOME=" + home}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	runSteps(t, s, []step{
		{cmd: "echo $FROM_BASHRC", exit: ip(0), content: sp("yes")},
		{cmd: "whoami", exit: ip(0), content: sp(u.Username), validate: func(t *testing.T, r Result) {
			if r.Metadata.Username == nil || *r.Metadata.Username != u.Username {
				t.Fatalf("username %v", r.Metadata.Username)
			}
		}},
	})
}

func TestShellExitGivesDeadSession(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"exit 3", "kill -9 $$"} {
		t.Run(cmd, func(t *testing.T) {
			t.Parallel()
			s := newTestSession(t, 2*time.Second)
			r, err := s.Run(context.Background(), Request{Command: cmd, Timeout: 10 * time.Second})
			if err != nil || s.Alive() {
				t.Fatalf("alive=%v %+v %v", s.Alive(), r, err)
			}
			want := map[string]int{"exit 3": 3, "kill -9 $$": 137}[cmd]
			if r.Metadata.ExitCode != want {
				t.Fatalf("exit %d want %d", r.Metadata.ExitCode, want)
			}
			r2, err := s.Run(context.Background(), Request{Command: "echo hi", Timeout: time.Second})
			if !fault.Is(err, fault.Unavailable) || err.Error() != "Bash session was likely interrupted..." {
				t.Fatalf("dead session answered %+v, %v", r2, err)
			}
		})
	}
}

func TestCloseKillsBackgroundJobs(t *testing.T) {
	t.Parallel()
	s := newTestSession(t, 2*time.Second)
	r, _ := s.Run(context.Background(), Request{Command: "sleep 300 & echo $!", Timeout: 10 * time.Second})
	pid, err := strconv.Atoi(strings.TrimSpace(r.Content[strings.LastIndex(r.Content, "\n")+1:]))
	if err != nil {
		t.Fatalf("%q: %v", r.Content, err)
	}
	s.Close()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); os.IsNotExist(err) {
			return
		}
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if strings.Contains(string(b), ") Z ") {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("background job %d survived Close", pid)
}
