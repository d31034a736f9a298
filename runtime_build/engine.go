package runtime_build

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Engine is a small client of the Docker Engine API: the dozen calls the builder and its tests
// need, over a unix socket or TCP. It talks to Docker and to podman's Docker-compatible service
// alike. (gohands does not use the Docker SDK: it would bring in some forty modules and a
// go-connections pin for these few calls.)
type Engine struct {
	Host          string // unix:///path or tcp://host:port
	APIVersion    string // negotiated: the server's, at most maxAPIVersion
	ServerVersion string
	Podman        bool // the server is podman's compat service
	client        *http.Client
	base          string
}

const maxAPIVersion = "1.47"

// ErrNotFound is returned when an image or container does not exist.
var ErrNotFound = errors.New("not found")

// DefaultEngineHost is DOCKER_HOST, else Docker's default socket.
func DefaultEngineHost(getenv func(string) string) string {
	if h := getenv("DOCKER_HOST"); h != "" {
		return h
	}
	return "unix:///var/run/docker.sock"
}

// NewEngine connects to host and negotiates the API version.
func NewEngine(ctx context.Context, host string) (*Engine, error) {
	e := &Engine{Host: host}
	tr := &http.Transport{}
	switch {
	case strings.HasPrefix(host, "unix://"):
		sock := strings.TrimPrefix(host, "unix://")
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}
		e.base = "http://engine"
	case strings.HasPrefix(host, "tcp://"), strings.HasPrefix(host, "http://"):
		e.base = "http://" + strings.TrimPrefix(strings.TrimPrefix(host, "tcp://"), "http://")
	default:
		return nil, fmt.Errorf("engine host %q: only unix:// and tcp:// are supported", host)
	}
	e.client = &http.Client{Transport: tr}
	var v struct {
		Version    string
		APIVersion string `json:"ApiVersion"`
		Components []struct{ Name string }
	}
	if err := e.getJSON(ctx, "/version", nil, &v); err != nil {
		return nil, fmt.Errorf("engine at %s: %w", host, err)
	}
	e.ServerVersion = v.Version
	e.APIVersion = v.APIVersion
	if e.APIVersion == "" || versionLess(maxAPIVersion, e.APIVersion) {
		e.APIVersion = maxAPIVersion
	}
	e.Podman = len(v.Components) > 0 && strings.HasPrefix(v.Components[0].Name, "Podman")
	return e, nil
}

// versionLess compares dotted numeric versions.
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}

// request sends one call. A path is versioned once the version is known.
func (e *Engine) request(ctx context.Context, method, path string, q url.Values, body io.Reader, hdr http.Header) (*http.Response, error) {
	u := e.base
	if e.APIVersion != "" {
		u += "/v" + e.APIVersion
	}
	u += (&url.URL{Path: path}).EscapedPath()
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		var m struct{ Message string }
		msg := strings.TrimSpace(string(b))
		if json.Unmarshal(b, &m) == nil && m.Message != "" {
			msg = m.Message
		}
		err := fmt.Errorf("%s %s: %s (HTTP %d)", method, path, msg, resp.StatusCode)
		if resp.StatusCode == http.StatusNotFound {
			err = fmt.Errorf("%w: %s", ErrNotFound, err)
		}
		return nil, err
	}
	return resp, nil
}

func (e *Engine) getJSON(ctx context.Context, path string, q url.Values, v any) error {
	resp, err := e.request(ctx, http.MethodGet, path, q, nil, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

func (e *Engine) call(ctx context.Context, method, path string, q url.Values, in, out any) error {
	var body io.Reader
	hdr := http.Header{}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
		hdr.Set("Content-Type", "application/json")
	}
	resp, err := e.request(ctx, method, path, q, body, hdr)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return nil
}

// ImageInfo is the part of an image inspection the builder uses.
type ImageInfo struct {
	ID           string `json:"Id"`
	Size         int64
	Architecture string
	RepoTags     []string
	RootFS       struct{ Layers []string }
	Config       struct {
		Labels     map[string]string
		Env        []string
		WorkingDir string
	}
}

// InspectImage returns the local image, or an error wrapping ErrNotFound.
func (e *Engine) InspectImage(ctx context.Context, image string) (ImageInfo, error) {
	var info ImageInfo
	err := e.getJSON(ctx, "/images/"+image+"/json", nil, &info)
	return info, err
}

// ImageExistsLocal reports whether the engine has the image.
func (e *Engine) ImageExistsLocal(ctx context.Context, image string) (bool, error) {
	_, err := e.InspectImage(ctx, image)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Tag gives image the name target (repo:tag).
func (e *Engine) Tag(ctx context.Context, image, target string) error {
	r, err := ParseReference(target)
	if err != nil {
		return err
	}
	q := url.Values{"repo": {r.Name}}
	if r.Tag != "" {
		q.Set("tag", r.Tag)
	}
	return e.call(ctx, http.MethodPost, "/images/"+image+"/tag", q, nil, nil)
}

// RemoveImage removes an image name (and the image when it was the last name).
func (e *Engine) RemoveImage(ctx context.Context, image string) error {
	return e.call(ctx, http.MethodDelete, "/images/"+image, url.Values{"force": {"1"}}, nil, nil)
}

// PruneBuildStages removes dangling images labelled as a runtime build's compile stage (what a
// multi-stage build leaves behind; a few hundred MB each).
func (e *Engine) PruneBuildStages(ctx context.Context) error {
	f, _ := json.Marshal(map[string][]string{"dangling": {"true"}, "label": {"io.gohands.runtime.stage=build"}})
	return e.call(ctx, http.MethodPost, "/images/prune", url.Values{"filters": {string(f)}}, nil, nil)
}

// Pull fetches image from its registry, streaming progress to p.
func (e *Engine) Pull(ctx context.Context, image, platform string, p *Progress) error {
	r, err := ParseReference(image)
	if err != nil {
		return err
	}
	q := url.Values{"fromImage": {r.Name}}
	switch {
	case r.Digest != "":
		q.Set("tag", r.Digest)
	case r.Tag != "":
		q.Set("tag", r.Tag)
	default:
		q.Set("tag", "latest")
	}
	if platform != "" {
		q.Set("platform", platform)
	}
	hdr := http.Header{"X-Registry-Auth": {registryAuth(r.Name)}}
	resp, err := e.request(ctx, http.MethodPost, "/images/create", q, nil, hdr)
	if err != nil {
		return fmt.Errorf("pull %s: %w", image, err)
	}
	defer resp.Body.Close()
	if _, err := p.Stream(resp.Body); err != nil {
		return fmt.Errorf("pull %s: %w", image, err)
	}
	return nil
}

// Push sends image (repo:tag) to its registry.
func (e *Engine) Push(ctx context.Context, image string, p *Progress) error {
	r, err := ParseReference(image)
	if err != nil {
		return err
	}
	q := url.Values{}
	if r.Tag != "" {
		q.Set("tag", r.Tag)
	}
	hdr := http.Header{"X-Registry-Auth": {registryAuth(r.Name)}}
	resp, err := e.request(ctx, http.MethodPost, "/images/"+r.Name+"/push", q, nil, hdr)
	if err != nil {
		return fmt.Errorf("push %s: %w", image, err)
	}
	defer resp.Body.Close()
	if _, err := p.Stream(resp.Body); err != nil {
		return fmt.Errorf("push %s: %w", image, err)
	}
	return nil
}

// EngineBuildOptions are the /build parameters the builder sets.
type EngineBuildOptions struct {
	Tags     []string
	Platform string
	Labels   map[string]string
	NoCache  bool
	// NoLayers asks podman for no intermediate images: each stage is committed once, as one
	// layer on its FROM image (with vfs storage every intermediate image is a full copy).
	// Docker ignores the parameter.
	NoLayers bool
}

// Build sends a tar build context and returns the new image's ID.
func (e *Engine) Build(ctx context.Context, contextTar io.Reader, o EngineBuildOptions, p *Progress) (string, error) {
	q := url.Values{"dockerfile": {"Dockerfile"}, "rm": {"1"}, "forcerm": {"1"}}
	for _, t := range o.Tags {
		q.Add("t", t)
	}
	if o.Platform != "" {
		q.Set("platform", o.Platform)
	}
	if o.NoCache {
		q.Set("nocache", "1")
	}
	if o.NoLayers {
		q.Set("layers", "false")
	}
	if len(o.Labels) > 0 {
		b, _ := json.Marshal(o.Labels)
		q.Set("labels", string(b))
	}
	hdr := http.Header{"Content-Type": {"application/x-tar"}}
	resp, err := e.request(ctx, http.MethodPost, "/build", q, contextTar, hdr)
	if err != nil {
		return "", fmt.Errorf("build: %w", err)
	}
	defer resp.Body.Close()
	id, err := p.Stream(resp.Body)
	if err != nil {
		return "", fmt.Errorf("build: %w", err)
	}
	return id, nil
}

// registryAuth is the X-Registry-Auth header for an image repository: credentials from the
// Docker CLI's config.json ("auths"; credential helpers are not consulted), else empty ones.
func registryAuth(repo string) string {
	empty := "e30=" // base64("{}")
	host := registryHost(repo)
	dir := os.Getenv("DOCKER_CONFIG")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = home + "/.docker"
	}
	b, err := os.ReadFile(dir + "/config.json")
	if err != nil {
		return empty
	}
	var cfg struct {
		Auths map[string]struct{ Auth string }
	}
	if json.Unmarshal(b, &cfg) != nil {
		return empty
	}
	for k, a := range cfg.Auths {
		k = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(k, "https://"), "http://"), "/")
		if host == "docker.io" && (k == "index.docker.io/v1" || k == "index.docker.io") {
			k = "docker.io"
		}
		if k != host || a.Auth == "" {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(a.Auth)
		if err != nil {
			return empty
		}
		user, pass, _ := strings.Cut(string(raw), ":")
		j, _ := json.Marshal(map[string]string{"username": user, "password": pass, "serveraddress": host})
		return base64.URLEncoding.EncodeToString(j)
	}
	return empty
}

// registryHost is the registry part of a repository name ("docker.io" when there is none).
func registryHost(repo string) string {
	first, _, ok := strings.Cut(repo, "/")
	if ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return first
	}
	return "docker.io"
}

// Containers: what the tests and the CI check need to start an image as the backend does.

// ContainerSpec is the subset of /containers/create the backend (§4.5) uses.
type ContainerSpec struct {
	Image       string
	Cmd         []string
	Entrypoint  []string // empty slice overrides the image's entrypoint, as the backend does
	Env         []string
	WorkingDir  string
	NetworkHost bool
	PortBinding map[int]int // container port → host port on 127.0.0.1
}

// CreateContainer creates (does not start) a container.
func (e *Engine) CreateContainer(ctx context.Context, name string, s ContainerSpec) (string, error) {
	body := map[string]any{
		"Image":      s.Image,
		"Cmd":        s.Cmd,
		"Entrypoint": s.Entrypoint,
		"Env":        s.Env,
		"WorkingDir": s.WorkingDir,
	}
	if s.Entrypoint == nil {
		delete(body, "Entrypoint")
	}
	hc := map[string]any{}
	if s.NetworkHost {
		hc["NetworkMode"] = "host"
	}
	if len(s.PortBinding) > 0 {
		pb := map[string]any{}
		exposed := map[string]any{}
		for cp, hp := range s.PortBinding {
			k := fmt.Sprintf("%d/tcp", cp)
			pb[k] = []map[string]string{{"HostIp": "127.0.0.1", "HostPort": strconv.Itoa(hp)}}
			exposed[k] = struct{}{}
		}
		hc["PortBindings"] = pb
		body["ExposedPorts"] = exposed
	}
	body["HostConfig"] = hc
	var out struct {
		ID string `json:"Id"`
	}
	if err := e.call(ctx, http.MethodPost, "/containers/create", url.Values{"name": {name}}, body, &out); err != nil {
		return "", fmt.Errorf("create container: %w", err)
	}
	return out.ID, nil
}

// StartContainer starts a created container.
func (e *Engine) StartContainer(ctx context.Context, id string) error {
	return e.call(ctx, http.MethodPost, "/containers/"+id+"/start", nil, nil, nil)
}

// ContainerState is the container's State.Status ("running", "exited", ...).
func (e *Engine) ContainerState(ctx context.Context, id string) (string, error) {
	var out struct{ State struct{ Status string } }
	err := e.getJSON(ctx, "/containers/"+id+"/json", nil, &out)
	return out.State.Status, err
}

// RemoveContainer removes a container, running or not.
func (e *Engine) RemoveContainer(ctx context.Context, id string) error {
	return e.call(ctx, http.MethodDelete, "/containers/"+id, url.Values{"force": {"1"}, "v": {"1"}}, nil, nil)
}

// ContainerLogs returns the container's stdout and stderr (demultiplexed when the engine frames them).
func (e *Engine) ContainerLogs(ctx context.Context, id string) (string, error) {
	resp, err := e.request(ctx, http.MethodGet, "/containers/"+id+"/logs", url.Values{"stdout": {"1"}, "stderr": {"1"}}, nil, nil)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return demuxLogs(b), err
}

// demuxLogs strips the 8-byte stream headers of a non-TTY container's log stream.
func demuxLogs(b []byte) string {
	var out strings.Builder
	for len(b) >= 8 && (b[0] == 1 || b[0] == 2) && b[1] == 0 && b[2] == 0 && b[3] == 0 {
		n := int(b[4])<<24 | int(b[5])<<16 | int(b[6])<<8 | int(b[7])
		if 8+n > len(b) {
			break
		}
		out.Write(b[8 : 8+n])
		b = b[8+n:]
	}
	out.Write(b)
	return out.String()
}

// Ping waits until the engine answers (a service that was just started).
func Ping(ctx context.Context, host string, timeout time.Duration) (*Engine, error) {
	deadline := time.Now().Add(timeout)
	for {
		e, err := NewEngine(ctx, host)
		if err == nil {
			return e, nil
		}
		if time.Now().After(deadline) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// ListImages returns the IDs of the images matching filters (the Engine API's JSON filter).
func (e *Engine) ListImages(ctx context.Context, filters string) ([]string, error) {
	var out []struct {
		ID string `json:"Id"`
	}
	q := url.Values{}
	if filters != "" {
		q.Set("filters", filters)
	}
	if err := e.getJSON(ctx, "/images/json", q, &out); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(out))
	for _, i := range out {
		ids = append(ids, i.ID)
	}
	return ids, nil
}
