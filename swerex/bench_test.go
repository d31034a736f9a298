package swerex

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gohands/gohands/files"
)

// BenchmarkRunInSession is run_in_session('echo hi') over loopback HTTP against the handler
// (bench/swerex/bench.py measures the built binary against the Python server).
func BenchmarkRunInSession(b *testing.B) {
	rt := NewRuntime(Config{AuthToken: testToken, WorkDir: b.TempDir(), Files: files.New(files.Config{})})
	srv := httptest.NewServer(NewHandler(rt))
	defer func() {
		srv.Close()
		rt.Close()
	}()
	post := func(path, body string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
		req.Header.Set("X-API-Key", testToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}
	post("/create_session", `{"session_type":"bash"}`)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		post("/run_in_session", `{"action_type":"bash","command":"echo hi"}`)
	}
}

// BenchmarkWriteFile50MB is write_file of a 50 MB content through the handler (no network):
// B/op is the memory one large write costs the server.
func BenchmarkWriteFile50MB(b *testing.B) {
	dir := b.TempDir()
	rt := NewRuntime(Config{AuthToken: testToken, WorkDir: dir, Files: files.New(files.Config{})})
	h := NewHandler(rt)
	defer rt.Close()
	content := strings.Repeat("0123456789abcdef\"\\\n", 50<<20/19)
	quoted, _ := json.Marshal(content)
	body := `{"path":"` + dir + `/out.txt","content":` + string(quoted) + `}`
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest(http.MethodPost, "/write_file", strings.NewReader(body))
		req.Header.Set("X-API-Key", testToken)
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}
