package shell

import (
	"slices"
	"strings"
	"testing"
)

// The expected values below are what the reference's split_bash_commands returns with
// bashlex 0.18 (each was run through it). The first group is every case of the reference's
// tests/unit/runtime/utils/test_bash_parsing.py (Python line continuations inside its
// non-raw strings already resolved), the second the commands of tests/runtime/test_bash.py,
// the rest pin down bashlex's top-level grouping and where it gives up.
func TestSplitCommands(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		want []string
	}{
		{"reference util: nine commands joined by newlines", "ls -l\necho -e \"hello\nworld\"\necho -e \"hello it\\'s me\"\necho \\\n    -e 'hello' \\\n    -v\necho -e 'hello\\nworld\\nare\\nyou\\nthere?'\necho -e 'hello\nworld\nare\nyou\\n\nthere?'\necho -e 'hello\nworld \"\n'\nkubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: busybox-sleep\nspec:\n  containers:\n  - name: busybox\n    image: busybox:1.28\n    args:\n    - sleep\n    - \"1000000\"\nEOF\nmkdir -p _modules && for month in {01..04}; do\n    for day in {01..05}; do\n        touch \"_modules/2024-${month}-${day}-sample.md\"\n    done\ndone", []string{"ls -l", "echo -e \"hello\nworld\"", "echo -e \"hello it\\'s me\"", "echo \\\n    -e 'hello' \\\n    -v", "echo -e 'hello\\nworld\\nare\\nyou\\nthere?'", "echo -e 'hello\nworld\nare\nyou\\n\nthere?'", "echo -e 'hello\nworld \"\n'", "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: busybox-sleep\nspec:\n  containers:\n  - name: busybox\n    image: busybox:1.28\n    args:\n    - sleep\n    - \"1000000\"\nEOF", "mkdir -p _modules && for month in {01..04}; do\n    for day in {01..05}; do\n        touch \"_modules/2024-${month}-${day}-sample.md\"\n    done\ndone"}},
		{"single: ls", "ls -l", []string{"ls -l"}},
		{"single: quoted", "echo 'Hello, world!'", []string{"echo 'Hello, world!'"}},
		{"single: &&", "cd /tmp && touch test.txt", []string{"cd /tmp && touch test.txt"}},
		{"single: backslash-n in quotes", "echo -e 'line1\\nline2\\nline3'", []string{"echo -e 'line1\\nline2\\nline3'"}},
		{"single: pipes", "grep 'pattern' file.txt | sort | uniq", []string{"grep 'pattern' file.txt | sort | uniq"}},
		{"single: for loop on one line", "for i in {1..5}; do echo $i; done", []string{"for i in {1..5}; do echo $i; done"}},
		{"single: backslash in single quotes", "echo 'Single quotes don\\'t escape'", []string{"echo 'Single quotes don\\'t escape'"}},
		{"single: escaped double quotes", "echo \"Double quotes \\\"do\\\" escape\"", []string{"echo \"Double quotes \\\"do\\\" escape\""}},
		{"heredoc then a command", "\ncat <<EOF\nmultiline\ntext\nEOF\necho \"Done\"\n", []string{"cat <<EOF\nmultiline\ntext\nEOF", "echo \"Done\""}},
		{"continuation inside quotes joined by Python", "\necho \"This is a long command that spans multiple lines\"\necho \"Next command\"\n", []string{"echo \"This is a long command that spans multiple lines\"", "echo \"Next command\""}},
		{"comments attach to the previous command", "\necho \"Hello\" # This is a comment\n# This is another comment\nls -l\n", []string{"echo \"Hello\" # This is a comment\n# This is another comment", "ls -l"}},
		{"complex quoting", "\necho \"This is a \\\"quoted\\\" string\"\necho 'This is a '''single-quoted''' string'\necho \"Mixed 'quotes' in \\\"double quotes\\\"\"\n", []string{"echo \"This is a \\\"quoted\\\" string\"", "echo 'This is a '''single-quoted''' string'", "echo \"Mixed 'quotes' in \\\"double quotes\\\"\""}},
		{"complex quoting, two lines", "\necho \"This is a \\\"quoted\\\" string\"\necho \"Mixed 'quotes' in \\\"double quotes\\\"\"\n", []string{"echo \"This is a \\\"quoted\\\" string\"", "echo \"Mixed 'quotes' in \\\"double quotes\\\"\""}},
		{"unclosed double quote", "echo \"Unclosed quote", []string{"echo \"Unclosed quote"}},
		{"unclosed single quote", "echo 'Unclosed quote", []string{"echo 'Unclosed quote"}},
		{"unclosed heredoc", "cat <<EOF\nUnclosed heredoc", []string{"cat <<EOF\nUnclosed heredoc"}},
		{"unclosed backtick", "echo `unclosed backtick", []string{"echo `unclosed backtick"}},
		{"unclosed backtick in a long curl", "curl -X POST \"https://api.github.com/repos/example-org/example-repo/pulls\" \\ -H \"Authorization: Bearer $GITHUB_TOKEN\" \\ -H \"Accept: application/vnd.github.v3+json\" \\ -d '{ \"title\": \"XXX\", \"head\": \"XXX\", \"base\": \"main\", \"draft\": false }' `echo unclosed", []string{"curl -X POST \"https://api.github.com/repos/example-org/example-repo/pulls\" \\ -H \"Authorization: Bearer $GITHUB_TOKEN\" \\ -H \"Accept: application/vnd.github.v3+json\" \\ -d '{ \"title\": \"XXX\", \"head\": \"XXX\", \"base\": \"main\", \"draft\": false }' `echo unclosed"}},
		{"over-escaped command is one comment line", "# 0. Setup directory\\\\nrm -rf /workspace/repro_sphinx_bug && mkdir -p /workspace/repro_sphinx_bug && cd /workspace/repro_sphinx_bug\\\\n\\\\n# 1. Run sphinx-quickstart\\\\nsphinx-quickstart --no-sep --project myproject --author me -v 0.1.0 --release 0.1.0 --language en . -q\\\\n\\\\n# 2. Create index.rst\\\\necho -e \\'Welcome\\\\\\\\\\\\\\\\n=======\\\\\\\\\\\\\\\\n\\\\\\\\\\\\\\\\n.. toctree::\\\\\\\\n   :maxdepth: 2\\\\\\\\\\\\\\\\n\\\\\\\\\\\\\\\\n   mypackage_file\\\\\\\\\\\\\\\\n\\' > index.rst", []string{"# 0. Setup directory\\\\nrm -rf /workspace/repro_sphinx_bug && mkdir -p /workspace/repro_sphinx_bug && cd /workspace/repro_sphinx_bug\\\\n\\\\n# 1. Run sphinx-quickstart\\\\nsphinx-quickstart --no-sep --project myproject --author me -v 0.1.0 --release 0.1.0 --language en . -q\\\\n\\\\n# 2. Create index.rst\\\\necho -e \\'Welcome\\\\\\\\\\\\\\\\n=======\\\\\\\\\\\\\\\\n\\\\\\\\\\\\\\\\n.. toctree::\\\\\\\\n   :maxdepth: 2\\\\\\\\\\\\\\\\n\\\\\\\\\\\\\\\\n   mypackage_file\\\\\\\\\\\\\\\\n\\' > index.rst"}},
		{"sample: echo", "echo \"Hello, world!\"", []string{"echo \"Hello, world!\""}},
		{"sample: echo -e", "echo -e \"line1\\nline2\\nline3\"", []string{"echo -e \"line1\\nline2\\nline3\""}},
		{"sample: heredoc", "cat <<EOF\nmultiline\ntext\nEOF", []string{"cat <<EOF\nmultiline\ntext\nEOF"}},
		{"sample: escaped quotes", "echo \"Escaped \\\"quotes\\\"\"", []string{"echo \"Escaped \\\"quotes\\\"\""}},
		{"sample: backslash-newline in double quotes", "echo \"Command with a trailing backslash \\\n  and continuation\"", []string{"echo \"Command with a trailing backslash \\\n  and continuation\""}},
		{"empty lines between commands", "\nls -l\n\necho \"Hello\"\n\ncd /tmp\n", []string{"ls -l", "echo \"Hello\"", "cd /tmp"}},
		{"runtime test: seven multiline commands joined", "ls -l\necho -e \"hello\nworld\"\necho -e \"hello it's me\"\necho \\\n    -e 'hello' \\\n    world\necho -e 'hello\\nworld\\nare\\nyou\\nthere?'\necho -e 'hello\nworld\nare\nyou\n\nthere?'\necho -e 'hello\nworld \"'", []string{"ls -l", "echo -e \"hello\nworld\"", "echo -e \"hello it's me\"", "echo \\\n    -e 'hello' \\\n    world", "echo -e 'hello\\nworld\\nare\\nyou\\nthere?'", "echo -e 'hello\nworld\nare\nyou\n\nthere?'", "echo -e 'hello\nworld \"'"}},
		{"runtime test: backslash-newline", "echo \\\n -e \"foo\"", []string{"echo \\\n -e \"foo\""}},
		{"runtime test: loop with && after", "mkdir -p _modules && for month in {01..04}; do\n    for day in {01..05}; do\n        touch \"_modules/2024-${month}-${day}-sample.md\"\n    done\ndone && echo \"created files\"\n", []string{"mkdir -p _modules && for month in {01..04}; do\n    for day in {01..05}; do\n        touch \"_modules/2024-${month}-${day}-sample.md\"\n    done\ndone && echo \"created files\""}},
		{"runtime test: loop with sed", "for file in _modules/*.md; do\n    new_date=$(echo $file | sed -E 's/2024-(01|02|03|04)-/2024-/;s/2024-01/2024-08/;s/2024-02/2024-09/;s/2024-03/2024-10/;s/2024-04/2024-11/')\n    mv \"$file\" \"$new_date\"\ndone && echo \"success\"\n", []string{"for file in _modules/*.md; do\n    new_date=$(echo $file | sed -E 's/2024-(01|02|03|04)-/2024-/;s/2024-01/2024-08/;s/2024-02/2024-09/;s/2024-03/2024-10/;s/2024-04/2024-11/')\n    mv \"$file\" \"$new_date\"\ndone && echo \"success\""}},
		{"runtime test: complex one-liner", "count=0; tries=0; while [ $count -lt 3 ]; do result=$(echo \"Heads\"); tries=$((tries+1)); echo \"Flip $tries: $result\"; if [ \"$result\" = \"Heads\" ]; then count=$((count+1)); else count=0; fi; done; echo \"Got 3 heads in a row after $tries flips!\";", []string{"count=0; tries=0; while [ $count -lt 3 ]; do result=$(echo \"Heads\"); tries=$((tries+1)); echo \"Flip $tries: $result\"; if [ \"$result\" = \"Heads\" ]; then count=$((count+1)); else count=0; fi; done; echo \"Got 3 heads in a row after $tries flips!\";"}},
		{"runtime test: find -exec \\;", "find /tmp/test_dir -type f -exec grep -l \"implemented_function\" {} \\;", []string{"find /tmp/test_dir -type f -exec grep -l \"implemented_function\" {} \\;"}},
		{"runtime test: read -p with if", "read -p \"Do you want to continue? [Y/n] \" answer; if [[ $answer == \"Y\" ]]; then echo \"Proceeding with operation...\"; echo \"Operation completed successfully!\"; else echo \"Operation cancelled.\"; exit 1; fi", []string{"read -p \"Do you want to continue? [Y/n] \" answer; if [[ $answer == \"Y\" ]]; then echo \"Proceeding with operation...\"; echo \"Operation completed successfully!\"; else echo \"Operation cancelled.\"; exit 1; fi"}},
		{"runtime test: interactive heredoc", "cat << EOF\nline 1\nline 2\nEOF", []string{"cat << EOF\nline 1\nline 2\nEOF"}},
		{"empty", "", []string{""}},
		{"whitespace only", " \n\t ", []string{""}},
		{"semicolon and newline", "a; b\nc", []string{"a; b", "c"}},
		{"background then newline", "a &\nb", []string{"a &", "b"}},
		{"&& at line end", "a &&\nb", []string{"a &&\nb"}},
		{"pipe at line end", "a |\nb", []string{"a |\nb"}},
		{"trailing semicolon then newline", "ls;\npwd", []string{"ls;", "pwd"}},
		{"comment after semicolon", "ls; # c\npwd", []string{"ls; # c", "pwd"}},
		{"leading comment is its own command", "# comment\nls", []string{"# comment", "ls"}},
		{"leading blank lines and comment", "\n\n# c\nls\n", []string{"\n\n# c", "ls"}},
		{"only a comment", "# only comment", []string{"# only comment"}},
		{"only a comment, trailing newlines", "# comment\n\n", []string{"# comment\n\n"}},
		{"trailing comment", "ls # c", []string{"ls # c"}},
		{"surrounding whitespace trimmed", "  ls  \n\n  pwd  \n\n", []string{"ls", "pwd"}},
		{"multi-line if", "if true\nthen echo\nfi\nls", []string{"if true\nthen echo\nfi", "ls"}},
		{"function body", "f() {\n echo\n}\nls", []string{"f() {\n echo\n}", "ls"}},
		{"function keyword", "function f { :; }\nls", []string{"function f { :; }", "ls"}},
		{"brace group", "{ a; b; }\nc", []string{"{ a; b; }", "c"}},
		{"subshell over lines", "(\n ls\n)\necho {a,b}", []string{"(\n ls\n)", "echo {a,b}"}},
		{"command substitution over lines", "echo $(\nls\n)\nls", []string{"echo $(\nls\n)", "ls"}},
		{"backticks", "echo `ls`\nls", []string{"echo `ls`", "ls"}},
		{"process substitution", "echo <(ls)\nls", []string{"echo <(ls)", "ls"}},
		{"assignments", "x=1\ny=2", []string{"x=1", "y=2"}},
		{"continuation then command", "a && \\\nb\nc", []string{"a && \\\nb", "c"}},
		{"heredoc after ; on its line", "cat <<EOF; echo hi\nbody\nEOF\necho x", []string{"cat <<EOF; echo hi\nbody\nEOF", "echo x"}},
		{"two heredocs", "cat <<EOF1 <<EOF2\na\nEOF1\nb\nEOF2\nls", []string{"cat <<EOF1 <<EOF2\na\nEOF1\nb\nEOF2", "ls"}},
		{"heredoc with expansions", "cat <<EOF\nbody $(ls) ${x} `ls`\nEOF\nls", []string{"cat <<EOF\nbody $(ls) ${x} `ls`\nEOF", "ls"}},
		{"heredoc with a quote inside", "cat <<EOF\nbody 'quote\nEOF\nls", []string{"cat <<EOF\nbody 'quote\nEOF", "ls"}},
		{"heredoc with -", "cat <<-EOF\n\tbody\n\tEOF\nls", []string{"cat <<-EOF\n\tbody\n\tEOF", "ls"}},
		{"here-string", "cat <<< hi\nls", []string{"cat <<< hi", "ls"}},
		{"quoted heredoc delimiter fails in bashlex", "cat <<'EOF'\nbody\nEOF\nls", []string{"cat <<'EOF'\nbody\nEOF\nls"}},
		{"double-quoted heredoc delimiter", "cat <<\"EOF\"\nbody\nEOF\nls", []string{"cat <<\"EOF\"\nbody\nEOF\nls"}},
		{"escaped heredoc delimiter", "cat <<\\EOF\nbody\nEOF\nls", []string{"cat <<\\EOF\nbody\nEOF\nls"}},
		{"case fails in bashlex", "case x in\n a) echo a;;\nesac\nls", []string{"case x in\n a) echo a;;\nesac\nls"}},
		{"arithmetic expansion fails in bashlex", "echo $((1+2))\nls", []string{"echo $((1+2))\nls"}},
		{"[[ ]] fails in bashlex", "[[ a == b ]]\nls", []string{"[[ a == b ]]\nls"}},
		{"time fails in bashlex", "time ls\nls", []string{"time ls\nls"}},
		{"C-style for fails in bashlex", "for ((i=0;i<3;i++)); do echo; done\nls", []string{"for ((i=0;i<3;i++)); do echo; done\nls"}},
		{"select fails in bashlex", "select x in a b; do break; done\nls", []string{"select x in a b; do break; done\nls"}},
		{"array assignment fails in bashlex", "a=(1 2 3)\nls", []string{"a=(1 2 3)\nls"}},
		{"array append fails in bashlex", "arr+=(y)\nls", []string{"arr+=(y)\nls"}},
		{"declare -A fails in bashlex", "declare -A m=([a]=1)\nls", []string{"declare -A m=([a]=1)\nls"}},
		{"extglob fails in bashlex", "echo @(a|b)\nls", []string{"echo @(a|b)\nls"}},
		{"array element assignment is fine", "arr[0]=x\nls", []string{"arr[0]=x", "ls"}},
		{"parameter expansions", "echo ${x:-d} ${x/a/b} ${x:0:2} \"${a[@]}\"\nls", []string{"echo ${x:-d} ${x/a/b} ${x:0:2} \"${a[@]}\"", "ls"}},
		{"ANSI-C quoting", "echo $'it\\'s'\nls", []string{"echo $'it\\'s'", "ls"}},
		{"trailing backslash fails in bashlex", "echo a \\", []string{"echo a \\"}},
		{"trailing backslash-newline fails in bashlex", "echo a \\\n", []string{"echo a \\\n"}},
		{"continuation then blank line", "echo a \\\n\necho b", []string{"echo a \\", "echo b"}},
		{"even backslashes at the end", "echo a\\\\\nls", []string{"echo a\\\\", "ls"}},
		{"CRLF line endings", "ls\r\npwd", []string{"ls", "pwd"}},
		{"CR makes fi a plain word", "if true\nthen\n  echo y\nfi\r\necho a", []string{"if true\nthen\n  echo y\nfi\r\necho a"}},
		{";; outside case is a syntax error", "a;;b\nc", []string{"a;;b\nc"}},
		{"unclosed if", "if true; then\nls\nc", []string{"if true; then\nls\nc"}},
		{"unicode", "echo été\necho '中'", []string{"echo été", "echo '中'"}},
		{"nested command substitution with heredoc", "x=$(cat <<EOF\nhi\nEOF\n)\nls", []string{"x=$(cat <<EOF\nhi\nEOF\n)", "ls"}},
		{"git commit with multi-line message", "git commit -m \"msg\nbody\"\nls", []string{"git commit -m \"msg\nbody\"", "ls"}},
		{"a line with only CR is a command", "ls\n\r\n", []string{"ls", ""}},
		{"redirections", "cmd <&-\necho a >| f\necho a 1>&2", []string{"cmd <&-", "echo a >| f", "echo a 1>&2"}},
		{"negation", "! true\nls", []string{"! true", "ls"}},
	}
	runSplitCases(t, cases)
}

// TestSplitCommandsDeviations pins where we deliberately differ from bashlex 0.18, always
// towards "one command" (a false rejection blocks the agent; see docs/compatibility.md).
func TestSplitCommandsDeviations(t *testing.T) {
	t.Parallel()
	runSplitCases(t, []struct {
		name string
		in   string
		want []string
	}{
		// bashlex reads "((x++))" as two nested subshells; we do not try to guess which
		// arithmetic it can read that way.
		{"arithmetic command", "((x++))\nls", []string{"((x++))\nls"}},
		// bashlex splits these ["ls", "\\"]: a lone backslash line after a command.
		{"trailing lone backslash line", "ls\n\\", []string{"ls\n\\"}},
		// bashlex raises AssertionError here (the reference fails the request); we split.
		{"multi-line loop in background", "while :\ndo\n :\ndone &\nls", []string{"while :\ndo\n :\ndone &", "ls"}},
	})
}

func runSplitCases(t *testing.T, cases []struct {
	name string
	in   string
	want []string
}) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := SplitCommands(tc.in)
			if !slices.Equal(got, tc.want) {
				t.Errorf("SplitCommands(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzSplitCommands checks what must hold for any input: a non-empty result whose commands
// are, in order, non-overlapping slices of the input that together keep every non-blank
// character, and each of which is one command on its own.
func FuzzSplitCommands(f *testing.F) {
	for _, s := range []string{
		"", "ls", "a; b\nc", "cat <<EOF\nx\nEOF\necho done", "# c\nls", "if a\nthen b\nfi\nc",
		"echo \"a\nb\"\nls", "echo $(\nls\n)\nx", "a \\\nb\nc", "f() {\n:\n}\n\n# x\ny", "ls\r\npwd",
		"cat <<EOF; echo hi\nbody\nEOF\necho x", "echo 'unclosed", "case a in b) c;; esac\nd",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := SplitCommands(in)
		if len(got) == 0 {
			t.Fatalf("SplitCommands(%q) returned nothing", in)
		}
		pos := 0
		for _, c := range got {
			i := strings.Index(in[pos:], c)
			if i < 0 {
				t.Fatalf("SplitCommands(%q) = %q: %q is not a slice of the input after offset %d", in, got, c, pos)
			}
			pos += i + len(c)
			if len(got) > 1 {
				// A line of only CR, VT, FF, NBSP... is a command to bash that Python's
				// rstrip empties.
				if c == "" && !strings.ContainsFunc(in, oddSpace) {
					t.Fatalf("SplitCommands(%q) = %q: empty command", in, got)
				}
				if again := SplitCommands(c); len(again) != 1 {
					t.Fatalf("SplitCommands(%q) = %q: %q splits again into %q", in, got, c, again)
				}
			}
		}
		if a, b := dropSpace(in), dropSpace(strings.Join(got, "")); a != b {
			t.Fatalf("SplitCommands(%q) = %q lost text: %q vs %q", in, got, a, b)
		}
	})
}

// oddSpace is white space to Python that is not a blank to bash (or NUL).
func oddSpace(r rune) bool { return r == 0 || (pySpace(r) && r != ' ' && r != '\t' && r != '\n') }

func dropSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if pySpace(r) {
			return -1
		}
		return r
	}, s)
}
