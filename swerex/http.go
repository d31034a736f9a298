package swerex

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/gohands/gohands/files"
	"github.com/gohands/gohands/internal/fault"
	"github.com/gohands/gohands/internal/httpbody"
	"github.com/gohands/gohands/internal/pycompat"
)

// maxBodyBytes bounds a JSON request body (write_file content included).
const maxBodyBytes = 512 << 20

// Handler serves the SWE-ReX routes (swerex/server.py).
type Handler struct {
	rt    *Runtime
	token string

	mu        sync.Mutex // guards the replay cache and inflight
	lastID    string
	lastReply *reply
	inflight  map[string]chan struct{} // request ids being answered, closed when done
}

// NewHandler returns the HTTP handler of rt.
func NewHandler(rt *Runtime) *Handler {
	return &Handler{rt: rt, token: rt.cfg.AuthToken}
}

// reply is a finished answer: status and JSON body (and extra headers).
type reply struct {
	status int
	body   []byte
	header map[string]string
}

func jsonReply(status int, v any) *reply {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // Starlette's JSONResponse writes <, > and & as they are
	if err := enc.Encode(v); err != nil {
		return &reply{status: 500, body: []byte("Internal Server Error")}
	}
	return &reply{status: status, body: bytes.TrimSuffix(b.Bytes(), []byte("\n"))}
}

func detail(status int, msg string) *reply { return jsonReply(status, map[string]any{"detail": msg}) }

func (rp *reply) write(w http.ResponseWriter) {
	for k, v := range rp.header {
		w.Header().Set(k, v)
	}
	switch {
	case rp.status == http.StatusTemporaryRedirect:
	case rp.status == 500 && !bytes.HasPrefix(rp.body, []byte("{")):
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	default:
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(rp.status)
	_, _ = w.Write(rp.body)
}

type route struct {
	method string
	fn     func(h *Handler, r *http.Request) *reply
}

var routes = map[string]route{
	"/":               {http.MethodGet, (*Handler).root},
	"/is_alive":       {http.MethodGet, (*Handler).isAlive},
	"/create_session": {http.MethodPost, (*Handler).createSession},
	"/run_in_session": {http.MethodPost, (*Handler).runInSession},
	"/close_session":  {http.MethodPost, (*Handler).closeSession},
	"/execute":        {http.MethodPost, (*Handler).execute},
	"/read_file":      {http.MethodPost, (*Handler).readFile},
	"/write_file":     {http.MethodPost, (*Handler).writeFile},
	"/upload":         {http.MethodPost, (*Handler).upload},
	"/close":          {http.MethodPost, (*Handler).close},
}

// ServeHTTP authenticates, replays a repeated X-Request-ID, routes, and answers.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rp := h.auth(r); rp != nil {
		rp.write(w)
		return
	}
	id := r.Header.Get("X-Request-ID")
	if id != "" {
		// A retry that arrives while the first attempt still runs waits for it (the
		// reference's single event loop answers them in turn), then takes its answer.
		for {
			h.mu.Lock()
			if h.lastID == id && h.lastReply != nil {
				cached := h.lastReply
				h.mu.Unlock()
				cached.write(w)
				return
			}
			wait, busy := h.inflight[id]
			if !busy {
				if h.inflight == nil {
					h.inflight = map[string]chan struct{}{}
				}
				done := make(chan struct{})
				h.inflight[id] = done
				h.mu.Unlock()
				defer func() {
					h.mu.Lock()
					delete(h.inflight, id)
					h.mu.Unlock()
					close(done)
				}()
				break
			}
			h.mu.Unlock()
			select {
			case <-wait:
			case <-r.Context().Done():
				return
			}
		}
	}
	rp := h.dispatch(r)
	// An exception (511) escapes the reference's idempotency middleware, so it is not kept;
	// every other answer is.
	if id != "" && rp.status != 511 && rp.status != 500 {
		h.mu.Lock()
		h.lastID, h.lastReply = id, rp
		h.mu.Unlock()
	}
	rp.write(w)
}

// auth is the reference's middleware: APIKeyHeader answers a missing key, the middleware a
// wrong one. The replay check runs after it here (the reference replays before checking).
func (h *Handler) auth(r *http.Request) *reply {
	if h.token == "" {
		return nil
	}
	key := r.Header.Get("X-API-Key")
	if key == "" {
		rp := detail(http.StatusUnauthorized, "Not authenticated")
		rp.header = map[string]string{"WWW-Authenticate": "APIKey"}
		return rp
	}
	if subtle.ConstantTimeCompare([]byte(key), []byte(h.token)) != 1 {
		return detail(http.StatusUnauthorized, "Invalid API Key")
	}
	return nil
}

func (h *Handler) dispatch(r *http.Request) (rp *reply) {
	rt, ok := routes[r.URL.Path]
	if !ok {
		// Starlette's redirect_slashes: the other form of the path, when that is a route.
		other := strings.TrimSuffix(r.URL.Path, "/")
		if other == r.URL.Path {
			other += "/"
		}
		if _, ok := routes[other]; ok && other != "" {
			u := "http://" + r.Host + other
			if r.URL.RawQuery != "" {
				u += "?" + r.URL.RawQuery
			}
			return &reply{status: http.StatusTemporaryRedirect, header: map[string]string{"Location": u}}
		}
		return detail(http.StatusNotFound, "Not Found")
	}
	if r.Method != rt.method {
		rp := detail(http.StatusMethodNotAllowed, "Method Not Allowed")
		rp.header = map[string]string{"Allow": rt.method}
		return rp
	}
	defer func() {
		if p := recover(); p != nil {
			log.Printf("swerex: panic in %s: %v", r.URL.Path, p)
			rp = &reply{status: 500, body: []byte("Internal Server Error")}
		}
	}()
	return rt.fn(h, r)
}

// errReply is the 511 exception transfer of err.
func errReply(err error) *reply {
	if errors.Is(err, context.Canceled) {
		return &reply{status: 500, body: []byte("Internal Server Error")}
	}
	return jsonReply(511, asRex(err).transfer())
}

func validation(errs []verr) *reply {
	return jsonReply(http.StatusUnprocessableEntity, omap{{"detail", errs}})
}

// body reads and parses a JSON body as FastAPI does for a body model.
func body(r *http.Request) (*pydict, *reply) {
	data, err := httpbody.Read(r.Body, r.ContentLength, maxBodyBytes)
	if errors.Is(err, httpbody.ErrTooLarge) {
		return nil, detail(http.StatusRequestEntityTooLarge, "Request body too large")
	}
	if err != nil {
		return nil, detail(http.StatusBadRequest, "There was an error parsing the body")
	}
	if len(data) == 0 {
		return nil, validation([]verr{newVerr("missing", []any{"body"}, "Field required", nil)})
	}
	var v any
	if !isJSONType(r.Header.Get("Content-Type")) {
		v = string(data)
	} else {
		parsed, jerr := parsePyJSON(data) // data is not used after this
		if jerr != nil {
			e := newVerr("json_invalid", []any{"body", jerr.pos}, "JSON decode error", map[string]any{})
			e.ctx = omap{{"error", jerr.msg}}
			return nil, validation([]verr{e})
		}
		v = parsed
	}
	obj, ok := v.(*pydict)
	if !ok {
		return nil, validation([]verr{newVerr("model_attributes_type", []any{"body"}, "Input should be a valid dictionary or object to extract fields from", v)})
	}
	return obj, nil
}

// isJSONType is FastAPI's test: no Content-Type, or application/json or application/*+json.
func isJSONType(ct string) bool {
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	main, sub, _ := strings.Cut(mt, "/")
	return main == "application" && (sub == "json" || strings.HasSuffix(sub, "+json"))
}

// model validates a plain body model.
func model(r *http.Request, fields []field) (values, *reply) {
	obj, rp := body(r)
	if rp != nil {
		return nil, rp
	}
	vals, errs := validate(obj, fields, []any{"body"})
	if len(errs) > 0 {
		return nil, validation(errs)
	}
	return vals, nil
}

// unionModel validates a body of a discriminated union (tag field → member fields).
func unionModel(r *http.Request, tagField string, members map[string][]field, order []string) (string, values, *reply) {
	obj, rp := body(r)
	if rp != nil {
		return "", nil, rp
	}
	disc := "'" + tagField + "'"
	raw, ok := obj.get(tagField)
	if !ok {
		e := newVerr("union_tag_not_found", []any{"body"}, "Unable to extract tag using discriminator "+disc, obj)
		e.ctx = omap{{"discriminator", disc}}
		return "", nil, validation([]verr{e})
	}
	tag := pyStr(raw)
	fields, ok := members[tag]
	if _, isStr := raw.(string); !ok || !isStr {
		exp := make([]string, len(order))
		for i, o := range order {
			exp[i] = "'" + o + "'"
		}
		expected := strings.Join(exp, ", ")
		e := newVerr("union_tag_invalid", []any{"body"}, fmt.Sprintf("Input tag '%s' found using %s does not match any of the expected tags: %s", tag, disc, expected), obj)
		e.ctx = omap{{"discriminator", disc}, {"tag", tag}, {"expected_tags", expected}}
		return "", nil, validation([]verr{e})
	}
	vals, errs := validate(obj, fields, []any{"body", tag})
	if len(errs) > 0 {
		return "", nil, validation(errs)
	}
	return tag, vals, nil
}

// pyStr is Python's str() of a decoded JSON value, for tags.
func pyStr(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return "None"
	case bool:
		if t {
			return "True"
		}
		return "False"
	case int64:
		return fmt.Sprint(t)
	case float64:
		return pycompat.FloatRepr(t)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (h *Handler) root(*http.Request) *reply {
	return jsonReply(200, omap{{"message", "hello world"}})
}

func (h *Handler) isAlive(*http.Request) *reply {
	return jsonReply(200, omap{{"is_alive", true}, {"message", ""}})
}

func (h *Handler) createSession(r *http.Request) *reply {
	_, v, rp := unionModel(r, "session_type", map[string][]field{"bash": createSessionFields}, []string{"bash"})
	if rp != nil {
		return rp
	}
	out, err := h.rt.CreateSession(r.Context(), v.str("session", "default"), v.strs("startup_source"), v.float("startup_timeout", 1.0))
	if err != nil {
		return errReply(err)
	}
	return jsonReply(200, omap{{"output", out}, {"session_type", "bash"}})
}

func (h *Handler) runInSession(r *http.Request) *reply {
	tag, v, rp := unionModel(r, "action_type", map[string][]field{"bash": bashActionFields, "bash_interrupt": interruptFields}, []string{"bash", "bash_interrupt"})
	if rp != nil {
		return rp
	}
	var obs Observation
	var err error
	if tag == "bash_interrupt" {
		obs, err = h.rt.Interrupt(r.Context(), InterruptAction{
			Session: v.str("session", "default"),
			Timeout: v.float("timeout", 0.2),
			NRetry:  v.integer("n_retry", 3),
			Expect:  v.strs("expect"),
		})
	} else {
		obs, err = h.rt.Run(r.Context(), BashAction{
			Command:           v.str("command", ""),
			Session:           v.str("session", "default"),
			Timeout:           v.optFloat("timeout"),
			IsInteractiveCmd:  v.boolean("is_interactive_command"),
			IsInteractiveQuit: v.boolean("is_interactive_quit"),
			Check:             v.str("check", "raise"),
			ErrorMsg:          v.str("error_msg", ""),
			Expect:            v.strs("expect"),
		})
	}
	if err != nil {
		return errReply(err)
	}
	return jsonReply(200, obs)
}

func (h *Handler) closeSession(r *http.Request) *reply {
	_, v, rp := unionModel(r, "session_type", map[string][]field{"bash": closeSessionFields}, []string{"bash"})
	if rp != nil {
		return rp
	}
	if err := h.rt.CloseSession(v.str("session", "default")); err != nil {
		return errReply(err)
	}
	return jsonReply(200, map[string]any{"session_type": "bash"})
}

func (h *Handler) execute(r *http.Request) *reply {
	v, rp := model(r, commandFields)
	if rp != nil {
		return rp
	}
	c := Command{
		Timeout:     v.optFloat("timeout"),
		Shell:       v.boolean("shell"),
		Check:       v.boolean("check"),
		ErrorMsg:    v.str("error_msg", ""),
		Cwd:         v.optStr("cwd"),
		MergeOutput: v.boolean("merge_output_streams"),
	}
	switch t := v["command"].(type) {
	case string:
		c.Str = t
	case []string:
		c.Argv, c.IsList = t, true
	}
	if env, ok := v["env"].(map[string]string); ok {
		c.Env = env
	}
	res, err := h.rt.Execute(r.Context(), c)
	if err != nil {
		return errReply(err)
	}
	return jsonReply(200, res)
}

func (h *Handler) readFile(r *http.Request) *reply {
	v, rp := model(r, readFileFields)
	if rp != nil {
		return rp
	}
	content, err := files.ReadText(pycompat.PurePosixPath(v.str("path", "")), v.optStr("encoding"), v.optStr("errors"), 0)
	if err != nil {
		return errReply(fileErr(err))
	}
	return jsonReply(200, map[string]any{"content": content})
}

func (h *Handler) writeFile(r *http.Request) *reply {
	v, rp := model(r, writeFileFields)
	if rp != nil {
		return rp
	}
	p := pycompat.PurePosixPath(v.str("path", ""))
	if err := pyMkdirParentsError(filepath.Dir(p)); err != nil {
		return errReply(fileErr(err))
	}
	if err := h.rt.cfg.Files.WriteText(p, v.str("content", "")); err != nil {
		return errReply(fileErr(err))
	}
	return jsonReply(200, map[string]any{})
}

// fileErr names the Python exception of a files error.
func fileErr(err error) error {
	switch {
	case errors.Is(err, files.ErrDecode):
		return &rexError{class: clsUnicodeDecode, msg: err.Error(), cause: err}
	case errors.Is(err, files.ErrLookup):
		return &rexError{class: clsLookupError, msg: err.Error(), cause: err}
	case fault.Is(err, fault.Invalid) && err.Error() == "File is not a zip file":
		return &rexError{class: clsBadZip, msg: err.Error(), cause: err}
	case strings.HasPrefix(err.Error(), "[Errno "): // files renders OS errors as Python's str(OSError)
		// The subclass comes from the errno, as Python picks it (FileExistsError ...).
		class := clsOSError
		if n, _, ok := strings.Cut(strings.TrimPrefix(err.Error(), "[Errno "), "]"); ok {
			if e, cerr := strconv.Atoi(n); cerr == nil {
				class = osErrorClass(syscall.Errno(e))
			}
		}
		return &rexError{class: class, msg: err.Error(), cause: err}
	}
	return err
}

func (h *Handler) upload(r *http.Request) *reply {
	mr, err := r.MultipartReader()
	if err != nil {
		return validation([]verr{
			newVerr("missing", []any{"body", "file"}, "Field required", nil),
			newVerr("missing", []any{"body", "target_path"}, "Field required", nil),
		})
	}
	// The file part comes first: keep it in a temporary file until target_path is known,
	// as the reference does.
	var tmp *os.File
	defer func() {
		if tmp != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	form := map[string]string{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return detail(http.StatusBadRequest, "There was an error parsing the body")
		}
		name := p.FormName()
		switch {
		case name == "file" && hasFilename(p) && tmp == nil:
			tmp, err = os.CreateTemp("", "gohands-swerex-upload-*")
			if err != nil {
				return errReply(err)
			}
			src := io.Reader(p)
			limit := h.rt.cfg.Files.MaxUploadBytes()
			if limit >= 0 {
				src = io.LimitReader(p, limit+1)
			}
			n, err := io.Copy(tmp, src)
			if err != nil {
				return errReply(err)
			}
			if limit >= 0 && n > limit {
				return errReply(rexErr(clsValueError, fmt.Sprintf("File exceeds the maximum upload size of %d bytes", limit)))
			}
		case name != "" && name != "file":
			b, err := io.ReadAll(io.LimitReader(p, 1<<20))
			if err != nil {
				return detail(http.StatusBadRequest, "There was an error parsing the body")
			}
			form[name] = string(b) // Starlette's FormData.get: the last value
		}
		p.Close()
	}
	var errs []verr
	if tmp == nil {
		errs = append(errs, newVerr("missing", []any{"body", "file"}, "Field required", nil))
	}
	// FastAPI takes an empty form value as absent.
	target := form["target_path"]
	if target == "" {
		errs = append(errs, newVerr("missing", []any{"body", "target_path"}, "Field required", nil))
	}
	unzip := false
	if s := form["unzip"]; s != "" {
		b, e := coerce(s, field{name: "unzip", kind: kBool}, []any{"body", "unzip"})
		errs = append(errs, e...)
		unzip, _ = b.(bool)
	}
	if len(errs) > 0 {
		return validation(errs)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return errReply(err)
	}
	if err := h.rt.cfg.Files.UploadTo(r.Context(), target, unzip, tmp); err != nil {
		return errReply(fileErr(err))
	}
	return jsonReply(200, map[string]any{})
}

func (h *Handler) close(*http.Request) *reply {
	h.rt.Close()
	return jsonReply(200, map[string]any{})
}

// hasFilename: the part carries a filename parameter, which makes it an UploadFile for
// Starlette even when empty (Part.FileName cannot tell empty from absent).
func hasFilename(p *multipart.Part) bool {
	_, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	_, ok := params["filename"]
	return err == nil && ok
}
