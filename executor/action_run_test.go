package executor

import (
	"context"
	"encoding/json"
	"os/user"
	"strconv"
	"strings"
	"testing"

	"github.com/gohands/gohands/shell"
)

// newRunExecutor is an executor with only its main bash session, as the current user, in a
// fresh working dir: what the run action needs, without creating users or plugins.
func newRunExecutor(t *testing.T) *Executor {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	x := New(Config{WorkingDir: t.TempDir()})
	x.user = shell.User{Name: u.Username, UID: uid, GID: gid, Home: t.TempDir()}
	s, err := x.newSession(x.cfg.WorkingDir)
	if err != nil {
		t.Fatal(err)
	}
	x.setBash(s)
	t.Cleanup(x.Close)
	return x
}

func runAction(t *testing.T, x *Executor, args string) string {
	t.Helper()
	a, err := DecodeAction(json.RawMessage(`{"action":"run","args":` + args + `,"timeout":10}`))
	if err != nil {
		t.Fatal(err)
	}
	obs, err := x.Execute(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	b, err := obs.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRunFaultsAreErrorObservations: the shell's faults reach the wire as the reference's
// error observations, text unchanged.
func TestRunFaultsAreErrorObservations(t *testing.T) {
	t.Parallel()
	x := newRunExecutor(t)
	got := runAction(t, x, `{"command":"echo a\necho b"}`)
	msg := "ERROR: Cannot execute multiple commands at once.\\nPlease run each command separately OR chain them into a single command via && or ;\\nProvided commands:\\n(1) echo a\\n(2) echo b"
	want := `{"message":"` + msg + `","observation":"error","content":"` + msg + `","extras":{"error_id":""}}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// TestCwdWhileBashIsReplaced is the plugins' view of the session (plugins.Env.Cwd, called from
// the supervisor's goroutine while Jupyter starts or restarts) racing with a run action that
// replaces a dead bash. Under -race this caught the unguarded read of the session pointer.
func TestCwdWhileBashIsReplaced(t *testing.T) {
	t.Parallel()
	x := newRunExecutor(t)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
				if x.cwd() == "" {
					t.Error("empty cwd")
					return
				}
			}
		}
	}()
	for i := 0; i < 3; i++ {
		runAction(t, x, `{"command":"exit 3"}`)
		if got := runAction(t, x, `{"command":"echo again"}`); !strings.Contains(got, `"content":"again"`) {
			t.Fatalf("after a replaced bash: %s", got)
		}
	}
	close(stop)
	<-done
}
