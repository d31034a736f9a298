package runtime_build

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestProgressStream(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, in   string
		tty, quiet bool
		wantOut    string
		wantID     string
		wantErr    string
	}{
		{name: "build", in: `{"stream":"STEP 1/2: FROM x\n"}{"stream":"STEP 2/2: RUN true\n"}{"aux":{"ID":"sha256:abc"}}{"stream":"Successfully built abc\n"}`,
			wantOut: "STEP 1/2: FROM x\nSTEP 2/2: RUN true\nSuccessfully built abc\n", wantID: "sha256:abc"},
		{name: "quiet", quiet: true, in: `{"stream":"STEP 1/2\n"}{"aux":{"ID":"sha256:abc"}}`, wantID: "sha256:abc"},
		{name: "pull, not a terminal: one line per state", in: `{"status":"Pulling fs layer","id":"l1"}{"status":"Downloading","progress":"[=>  ] 1MB/9MB","id":"l1"}{"status":"Downloading","progress":"[==> ] 2MB/9MB","id":"l1"}{"status":"Pull complete","id":"l1"}{"status":"Digest: sha256:x"}`,
			wantOut: "l1: Pulling fs layer\nl1: Pull complete\nDigest: sha256:x\n"},
		{name: "pull on a terminal redraws", tty: true, in: `{"status":"Downloading","progress":"[=> ]","id":"l1"}{"status":"Downloading","progress":"[==>]","id":"l1"}{"status":"Pull complete","id":"l1"}`,
			wantOut: "\r\x1b[Kl1: Downloading [=> ]\r\x1b[Kl1: Downloading [==>]\r\x1b[Kl1: Pull complete\n"},
		{name: "error carries the tail", in: `{"stream":"STEP 2/2: RUN false\n"}{"stream":"sh: oops\n"}{"errorDetail":{"message":"exit status 1"},"error":"exit status 1"}{"stream":"never\n"}`,
			wantOut: "STEP 2/2: RUN false\nsh: oops\n", wantErr: "exit status 1\n--- last output ---\nSTEP 2/2: RUN false\nsh: oops\nexit status 1"},
		{name: "broken stream", in: `{"stream":"a\n"}{not json`, wantOut: "a\n", wantErr: "reading engine stream"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			p := &Progress{Out: &out, TTY: c.tty, Quiet: c.quiet}
			id, err := p.Stream(strings.NewReader(c.in))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if out.String() != c.wantOut {
				t.Errorf("output %q, want %q", out.String(), c.wantOut)
			}
			if id != c.wantID {
				t.Errorf("id %q, want %q", id, c.wantID)
			}
		})
	}
	var se *StreamError
	_, err := (&Progress{}).Stream(strings.NewReader(`{"error":"boom"}`))
	if !errors.As(err, &se) || se.Message != "boom" {
		t.Errorf("got %#v", err)
	}
}

func TestBuildxArgs(t *testing.T) {
	t.Parallel()
	got := strings.Join(buildxArgs(BuildRequest{Dir: "/ctx", Tags: []string{"r:a", "r:b", "r:c"}, Platform: "linux/amd64,linux/arm64",
		Push: true, Labels: map[string]string{"z": "1", "a": "2"}}, "plain"), " ")
	want := "buildx build --progress=plain --tag=r:a --tag=r:b --tag=r:c --platform=linux/amd64,linux/arm64 --label=a=2 --label=z=1 --push --provenance=false /ctx"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	got = strings.Join(buildxArgs(BuildRequest{Dir: "/ctx", Tags: []string{"r:a"}}, "tty"), " ")
	if got != "buildx build --progress=tty --tag=r:a --load /ctx" {
		t.Errorf("got %s", got)
	}
}

func TestRegistryHost(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"ubuntu": "docker.io", "nikolaik/python-nodejs": "docker.io", "ghcr.io/openhands/runtime": "ghcr.io",
		"localhost:5000/x": "localhost:5000", "localhost/x": "localhost",
	} {
		if got := registryHost(in); got != want {
			t.Errorf("registryHost(%q) = %q, want %q", in, got, want)
		}
	}
}
