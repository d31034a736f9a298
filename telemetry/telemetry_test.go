package telemetry

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

type wire struct {
	Seq       uint64          `json:"seq"`
	Type      string          `json:"type"`
	CommandID int64           `json:"command_id"`
	Data      json.RawMessage `json:"data"`
}

// One action from start to finish: its record and the events a stream client sees.
func TestCommandRecordAndEvents(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	svc := New(Config{Files: FilesConfig{Roots: []string{dir}}})
	defer svc.Close()
	b := startBash(t, svc, dir, nil)
	sub, _ := svc.Hub.Subscribe(-1)
	defer svc.Hub.Unsubscribe(sub)

	cmd := `printf '\033[1;31mred\033[0m\r\n'; echo -n hello > out.txt`
	c := svc.Begin("run", cmd, b.term)
	if r, ok := svc.Store.Get(c.ID()); !ok || !r.Running || r.End != nil {
		t.Fatalf("running record: %+v", r)
	}
	b.run(cmd)
	rec := c.End(intp(0), "")
	if rec.Running || rec.End == nil || rec.ExitCode == nil || *rec.ExitCode != 0 || rec.OutputBytes == 0 ||
		rec.Files.Total != 1 || rec.Files.Changes[0].Path != filepath.Join(dir, "out.txt") || rec.Files.Changes[0].Size != 5 {
		t.Fatalf("record: %+v", rec)
	}
	if got := svc.Store.Last(1); len(got) != 1 || got[0].ID != rec.ID || got[0].Running {
		t.Fatalf("store: %+v", got)
	}

	var types []string
	var text strings.Builder
	for len(types) == 0 || types[len(types)-1] != EventCommandFinished {
		select {
		case ev := <-sub.C:
			var w wire
			if err := json.Unmarshal(ev.JSON, &w); err != nil {
				t.Fatal(err)
			}
			if w.Seq != ev.Seq || w.Type != ev.Type {
				t.Fatalf("event %s", ev.JSON)
			}
			if w.Type == EventOutput {
				var o outputData
				_ = json.Unmarshal(w.Data, &o)
				text.WriteString(o.Text)
				continue
			}
			if w.CommandID != rec.ID {
				t.Fatalf("event of command %d, want %d: %s", w.CommandID, rec.ID, ev.JSON)
			}
			types = append(types, w.Type)
		case <-time.After(10 * time.Second):
			t.Fatalf("events so far: %v", types)
		}
	}
	if strings.Join(types, ",") != "command_started,file_changed,command_finished" {
		t.Fatalf("events %v", types)
	}
	if !strings.Contains(text.String(), "red\n") || strings.Contains(text.String(), "\033") {
		t.Fatalf("output text %q", text.String())
	}
}

// An action that runs no shell command (write, edit) still gets its file changes.
func TestCommandWithoutTerminal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	svc := New(Config{Files: FilesConfig{Roots: []string{dir}}})
	defer svc.Close()
	c := svc.Begin("write", filepath.Join(dir, "f"), nil)
	must(t, os.WriteFile(filepath.Join(dir, "f"), []byte("abc"), 0o644))
	rec := c.End(nil, "")
	if rec.Usage.Method != "none" || rec.ExitCode != nil || rec.Files.Total != 1 || rec.Files.Changes[0].Op != OpCreated {
		t.Fatalf("%+v", rec)
	}
	if again := c.End(intp(3), ""); again.ID != rec.ID || again.ExitCode != nil {
		t.Fatalf("second End changed the record: %+v", again)
	}
}

func TestScreenText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain\r\n":               "plain\n",
		"\x1b[1;32mgreen\x1b[0m":  "green",
		"\x1b]0;title\x07after":   "after",
		"10%\r20%\r":              "10%\n20%\n",
		"bell\x07 tab\t":          "bell tab\t",
		"\xff\xfe ok":             "\ufffd\ufffd ok",
		"\x1b(Bcharset":           "charset",
		"cut\x1b[":                "cut",
		"\x1bP1;2|dcs\x1b\\ done": " done",
		"ünïcödé \x1b[?2004h":     "ünïcödé ",
	} {
		if got := screenText([]byte(in)); got != want {
			t.Errorf("screenText(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzScreenText(f *testing.F) {
	for _, s := range []string{"a\r\nb", "\x1b[31mx", "\x1b]0;t\x07", "\x1b", "\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		s := screenText(p)
		if strings.ContainsRune(s, 0x1b) || strings.ContainsRune(s, '\r') {
			t.Fatalf("screenText(%q) = %q", p, s)
		}
	})
}

// BenchmarkCommandBeginEnd is what telemetry adds to every action of a terminal: the record,
// the events, the cgroup read and the file barrier (the echo hot path's share).
func BenchmarkCommandBeginEnd(b *testing.B) {
	dir := b.TempDir()
	svc := New(Config{Cgroups: true, Files: FilesConfig{Roots: []string{dir}}})
	defer svc.Close()
	sleeper := exec.Command("sleep", "600")
	sleeper.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := sleeper.Start(); err != nil {
		b.Fatal(err)
	}
	term := svc.Attach(sleeper.Process.Pid, nil)
	defer func() {
		_ = sleeper.Process.Kill()
		_ = sleeper.Wait()
		term.Close()
	}()
	b.Logf("method %s", term.Meter().Method())
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c := svc.Begin("run", "echo hi", term)
		term.Output(int64(i), []byte("hi\r\n"))
		c.End(intp(0), "")
	}
}

// In scan mode the stream still gets a file_changed event per listed change, at the end.
func TestScanModeFileEvents(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i := 0; i < 3; i++ {
		must(t, os.Mkdir(filepath.Join(dir, "d"+strings.Repeat("x", i)), 0o755))
	}
	svc := New(Config{Files: FilesConfig{Roots: []string{dir}, MaxWatches: 2}})
	defer svc.Close()
	sub, _ := svc.Hub.Subscribe(-1)
	defer svc.Hub.Unsubscribe(sub)
	c := svc.Begin("write", "f", nil)
	must(t, os.WriteFile(filepath.Join(dir, "f"), []byte("1"), 0o644))
	rec := c.End(nil, "")
	if rec.Files.Method != "scan" || rec.Files.Total != 1 {
		t.Fatalf("%+v", rec.Files)
	}
	for {
		select {
		case ev := <-sub.C:
			if ev.Type == EventFileChanged {
				return
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no file_changed event")
		}
	}
}
