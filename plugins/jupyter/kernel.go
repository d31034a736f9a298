package jupyter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gohands/gohands/plugins/proc"
)

// ErrKernelDied is returned when the kernel died while (or before) running the cell. The
// gateway starts a fresh kernel; the next cell runs there with the setup cells replayed.
var ErrKernelDied = errors.New("the Jupyter kernel died and was restarted")

// ErrDisconnected is returned when the connection to the gateway broke during the cell.
var ErrDisconnected = errors.New("the connection to the Jupyter gateway was lost")

// maxOutput bounds the text one cell can return; the rest is dropped with a note.
const maxOutput = 10 << 20

// Result is what one cell produced.
type Result struct {
	// Text is every text output concatenated, ANSI colours stripped.
	Text string
	// Outputs counts the text outputs; 0 means the cell printed nothing.
	Outputs int
	// Images are image/png outputs as data URLs.
	Images []string
	// TimedOut is set when the cell ran past its timeout and was interrupted.
	TimedOut bool
}

// Cell is one execution.
type Cell struct {
	Code    string
	Timeout time.Duration // 0: no limit
	// Cwd is bash's working directory, pushed into the kernel before the cell when it changed.
	Cwd string
}

// Kernel is a client of one kernel behind one gateway process. It runs one cell at a time.
type Kernel struct {
	base   string // http://127.0.0.1:port
	token  string
	httpc  *http.Client
	logf   func(string, ...any)
	debug  bool
	setup  []string // cells replayed on every fresh kernel, after the cwd sync
	closed bool

	mu      sync.Mutex
	id      string
	ws      *wsConn
	session string
	gen     uint64 // bumped for every fresh kernel (created or restarted)
	initGen uint64 // gen the init and setup cells ran for
	interp  string
	pid     int
	lastCwd string
}

func newKernel(base, token string, setup []string, logf func(string, ...any), debug bool) *Kernel {
	return &Kernel{base: base, token: token, setup: setup, logf: logf, debug: debug,
		httpc: &http.Client{Timeout: 30 * time.Second}, session: newID()}
}

// Interpreter is the kernel's sys.executable (empty before the first cell).
func (k *Kernel) Interpreter() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.interp
}

// pidLocked is the kernel pid (for stopping an orphan).
func (k *Kernel) pidLocked() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.pid
}

// Start creates the kernel and runs the init and setup cells for cwd.
func (k *Kernel) Start(ctx context.Context, cwd string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.ensure(ctx, cwd)
}

// Execute runs one cell, first bringing the kernel up and its cwd in line with c.Cwd.
func (k *Kernel) Execute(ctx context.Context, c Cell) (Result, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.ensure(ctx, c.Cwd); err != nil {
		return Result{}, notSent{err}
	}
	return k.run(ctx, c.Code, c.Timeout)
}

// notSent marks an error that happened before the cell reached the kernel.
type notSent struct{ err error }

func (e notSent) Error() string { return e.err.Error() }
func (e notSent) Unwrap() error { return e.err }

// NotSent reports whether the cell never reached the kernel (the gateway went away, or the
// kernel could not be brought up), so running it again once the gateway is back is safe.
func NotSent(err error) bool {
	var ns notSent
	return errors.As(err, &ns)
}

// Close drops the websocket.
func (k *Kernel) Close() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.closed = true
	if k.ws != nil {
		k.ws.close()
		k.ws = nil
	}
}

// ensure makes sure a live kernel with a websocket exists and that the init cells (and the
// cwd) are current. Called with k.mu held.
func (k *Kernel) ensure(ctx context.Context, cwd string) error {
	if k.closed {
		return ErrDisconnected
	}
	if k.id == "" {
		if err := k.create(ctx); err != nil {
			return err
		}
	}
	if k.ws == nil {
		err := k.connect(ctx)
		if errors.Is(err, errNoKernel) { // the gateway forgot it: start over
			k.id = ""
			if err = k.create(ctx); err == nil {
				err = k.connect(ctx)
			}
		}
		if err != nil {
			return err
		}
	}
	if err := k.drain(); err != nil {
		return err
	}
	// A kernel killed between cells is noticed by the gateway's restarter only after a few
	// seconds; waiting for its restart beats sending the cell into a dead kernel.
	if k.pid > 0 && k.initGen == k.gen && !proc.Alive(k.pid) {
		if err := k.awaitRestart(ctx); err != nil {
			return err
		}
	}
	if k.initGen != k.gen {
		if err := k.awaitReady(ctx); err != nil {
			return err
		}
		// %colors nocolor as the reference does on a fresh kernel; then learn the interpreter
		// and the pid (the pid lets us notice a dead kernel and reap an orphan).
		if _, err := k.run(ctx, "%colors nocolor", 30*time.Second); err != nil {
			return err
		}
		r, err := k.run(ctx, "import sys, os; print(sys.executable); print(os.getpid())", 30*time.Second)
		if err != nil {
			return err
		}
		lines := strings.Split(strings.TrimSpace(r.Text), "\n")
		if len(lines) >= 2 {
			k.interp = strings.TrimSpace(lines[0])
			k.pid, _ = strconv.Atoi(strings.TrimSpace(lines[1]))
		}
		k.initGen = k.gen
		k.lastCwd = ""
		if err := k.sync(ctx, cwd); err != nil {
			return err
		}
		for _, code := range k.setup {
			if _, err := k.run(ctx, code, 60*time.Second); err != nil {
				return err
			}
		}
		return nil
	}
	return k.sync(ctx, cwd)
}

// sync pushes cwd into the kernel when it differs from the last one pushed. The kernel's own
// os.chdir is never read back, as in the reference.
func (k *Kernel) sync(ctx context.Context, cwd string) error {
	if cwd == "" || cwd == k.lastCwd {
		return nil
	}
	cwd = strings.ReplaceAll(cwd, `\`, "/")
	lit, _ := json.Marshal(cwd) // a JSON string is a valid Python string literal
	if _, err := k.run(ctx, "import os; os.chdir("+string(lit)+")", 30*time.Second); err != nil {
		return err
	}
	k.lastCwd = cwd
	return nil
}

// awaitRestart waits for the gateway to report the dead kernel restarted, and asks for the
// restart itself when it does not come.
func (k *Kernel) awaitRestart(ctx context.Context) error {
	deadline := time.NewTimer(8 * time.Second)
	defer deadline.Stop()
	for {
		select {
		case m, ok := <-k.ws.in:
			if !ok {
				k.dropWS()
				return ErrDisconnected
			}
			if k.noteStatus(m) {
				return nil
			}
		case <-deadline.C:
			if err := k.post(ctx, "/api/kernels/"+k.id+"/restart", nil); err != nil {
				return fmt.Errorf("restart dead kernel: %w", err)
			}
			k.gen++
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// awaitReady probes a fresh kernel with kernel_info requests until one is answered, as
// jupyter_client's wait_for_ready does: a request sent while the gateway is still wiring the
// restarted kernel's channels can be lost, and a lost execute_request would hang the cell.
func (k *Kernel) awaitReady(ctx context.Context) error {
	deadline := time.Now().Add(60 * time.Second)
	for attempt := 0; ; attempt++ {
		msgID := newID()
		req, err := kernelInfoRequest(msgID, k.session)
		if err != nil {
			return err
		}
		if err := k.ws.write(req); err != nil {
			k.dropWS()
			return fmt.Errorf("%w: %v", ErrDisconnected, err)
		}
		wait := time.NewTimer(time.Duration(250*(attempt+1)) * time.Millisecond)
		gotReply, gotStatus := false, false
	recv:
		for {
			select {
			case m, ok := <-k.ws.in:
				if !ok {
					wait.Stop()
					k.dropWS()
					return ErrDisconnected
				}
				k.noteStatus(m)
				if m.ParentHeader.MsgID != msgID {
					continue
				}
				// The reply proves the shell channel, a status for the same request the iopub
				// subscription (which joins late after a restart on new ports).
				switch m.Header.MsgType {
				case "kernel_info_reply":
					gotReply = true
				case "status":
					gotStatus = true
				}
				if gotReply && gotStatus {
					wait.Stop()
					return nil
				}
			case <-wait.C:
				break recv
			case <-ctx.Done():
				wait.Stop()
				return ctx.Err()
			}
		}
		if time.Now().After(deadline) {
			return errors.New("the restarted kernel does not answer")
		}
	}
}

// drain consumes messages left over from earlier cells, noting kernel restarts.
func (k *Kernel) drain() error {
	for {
		select {
		case m, ok := <-k.ws.in:
			if !ok {
				k.dropWS()
				return ErrDisconnected
			}
			k.noteStatus(m)
		default:
			return nil
		}
	}
}

// noteStatus handles the gateway's restarting/dead notices; it reports whether m was one.
func (k *Kernel) noteStatus(m *message) bool {
	if m.Header.MsgType != "status" {
		return false
	}
	var st statusContent
	_ = json.Unmarshal(m.Content, &st)
	switch st.ExecutionState {
	case "restarting":
		k.gen++
		return true
	case "dead":
		// The restart failed: a new kernel is needed.
		k.gen++
		k.id = ""
		k.dropWS()
		return true
	}
	return false
}

// run sends one execute_request and collects its outputs. Called with k.mu held.
func (k *Kernel) run(ctx context.Context, code string, timeout time.Duration) (Result, error) {
	if k.ws == nil {
		return Result{}, ErrDisconnected
	}
	msgID := newID()
	req, err := executeRequest(msgID, k.session, code)
	if err != nil {
		return Result{}, err
	}
	if err := k.ws.write(req); err != nil {
		k.dropWS()
		return Result{}, notSent{fmt.Errorf("%w: %v", ErrDisconnected, err)}
	}
	seen := false // whether the kernel said anything about this cell
	var timer <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		timer = t.C
	}
	var res Result
	var text strings.Builder
	truncated := false
	add := func(s string) {
		res.Outputs++
		if text.Len()+len(s) > maxOutput {
			if !truncated {
				text.WriteString(s[:max(0, maxOutput-text.Len())])
				text.WriteString("\n[... output truncated: more than 10 MiB ...]\n")
				truncated = true
			}
			return
		}
		text.WriteString(s)
	}
	gotReply, gotIdle := false, false
	var grace <-chan time.Time // after the reply, idle gets a short while to arrive
	for {
		select {
		case <-grace:
			// iopub lost the end of the cell; the reference stops at the reply too.
			res.Text = StripANSI(text.String())
			return res, nil
		case m, ok := <-k.ws.in:
			if !ok {
				k.dropWS()
				if !seen {
					// The gateway died before the kernel acknowledged the cell.
					return Result{}, notSent{ErrDisconnected}
				}
				return Result{}, ErrDisconnected
			}
			if k.debug {
				k.logf("kernel message %s (%s) parent %s", m.Header.MsgType, m.Channel, m.ParentHeader.MsgID)
			}
			if k.noteStatus(m) {
				if !seen {
					// The cell went to a kernel that was already dead: it never ran.
					return Result{}, notSent{ErrKernelDied}
				}
				return Result{}, ErrKernelDied
			}
			if m.ParentHeader.MsgID != msgID {
				continue // a late message of an earlier (timed-out) cell
			}
			seen = true
			switch m.Header.MsgType {
			case "error":
				var c errorContent
				_ = json.Unmarshal(m.Content, &c)
				add(strings.Join(c.Traceback, "\n"))
			case "stream":
				var c streamContent
				_ = json.Unmarshal(m.Content, &c)
				add(c.Text)
			case "execute_result", "display_data":
				var c dataContent
				_ = json.Unmarshal(m.Content, &c)
				if raw, ok := c.Data["text/plain"]; ok {
					var s string
					_ = json.Unmarshal(raw, &s)
					add(s)
				}
				if raw, ok := c.Data["image/png"]; ok {
					var s string
					if json.Unmarshal(raw, &s) == nil {
						res.Images = append(res.Images, "data:image/png;base64,"+strings.TrimSpace(s))
					}
				}
			case "execute_reply":
				gotReply = true
				if !gotIdle {
					t := time.NewTimer(2 * time.Second)
					defer t.Stop()
					grace = t.C
				}
			case "status":
				var c statusContent
				_ = json.Unmarshal(m.Content, &c)
				if c.ExecutionState == "idle" {
					gotIdle = true
				}
			}
			// idle on iopub comes after every output of the cell; the reply comes on shell,
			// in either order relative to it.
			if gotReply && gotIdle {
				res.Text = StripANSI(text.String())
				return res, nil
			}
		case <-timer:
			k.interrupt()
			return Result{TimedOut: true}, nil
		case <-ctx.Done():
			k.interrupt()
			return Result{}, ctx.Err()
		}
	}
}

// interrupt asks the gateway to interrupt the kernel (SIGINT to the kernel process).
func (k *Kernel) interrupt() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	body, _ := json.Marshal(map[string]string{"kernel_id": k.id})
	if err := k.post(ctx, "/api/kernels/"+k.id+"/interrupt", body); err != nil {
		k.logf("interrupt kernel %s: %v", k.id, err)
	}
}

func (k *Kernel) dropWS() {
	if k.ws != nil {
		k.ws.close()
		k.ws = nil
	}
}

var errNoKernel = errors.New("no such kernel")

// create starts a kernel of the gateway's default kind.
func (k *Kernel) create(ctx context.Context) error {
	var model struct {
		ID string `json:"id"`
	}
	var lastErr error
	// The reference tries five times, a second apart.
	for i := 0; i < 5; i++ {
		b, err := k.request(ctx, http.MethodPost, "/api/kernels", []byte(`{}`))
		if err == nil {
			if err = json.Unmarshal(b, &model); err == nil && model.ID != "" {
				k.id = model.ID
				k.gen++
				return nil
			}
			err = fmt.Errorf("bad kernel model %q", b)
		}
		lastErr = err
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return fmt.Errorf("failed to connect to kernel: %w", lastErr)
}

func (k *Kernel) post(ctx context.Context, path string, body []byte) error {
	_, err := k.request(ctx, http.MethodPost, path, body)
	return err
}

func (k *Kernel) request(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, k.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "token "+k.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := k.httpc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode == http.StatusNotFound {
		return nil, errNoKernel
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(b))
	}
	return b, nil
}

// connect opens the kernel's channels websocket.
func (k *Kernel) connect(ctx context.Context) error {
	u, err := url.Parse(k.base)
	if err != nil {
		return err
	}
	u.Scheme = "ws"
	u.Path = "/api/kernels/" + k.id + "/channels"
	u.RawQuery = "session_id=" + url.QueryEscape(k.session)
	h := http.Header{}
	h.Set("Authorization", "token "+k.token)
	var nd net.Dialer
	d := websocket.Dialer{HandshakeTimeout: 60 * time.Second,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := nd.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return quickAck(c), nil
		}}
	c, resp, err := d.DialContext(ctx, u.String(), h)
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return errNoKernel
		}
		return fmt.Errorf("connect to kernel %s: %w", k.id, err)
	}
	c.SetReadLimit(64 << 20)
	k.ws = startReader(c, k.logf)
	return nil
}

// wsConn owns one websocket: a reader goroutine feeds in, closed when the socket ends.
type wsConn struct {
	c    *websocket.Conn
	in   chan *message
	done chan struct{}
	wmu  sync.Mutex
	once sync.Once
}

func startReader(c *websocket.Conn, logf func(string, ...any)) *wsConn {
	w := &wsConn{c: c, in: make(chan *message, 256), done: make(chan struct{})}
	go func() {
		defer close(w.in)
		for {
			typ, data, err := c.ReadMessage()
			if err != nil {
				return
			}
			if typ != websocket.TextMessage {
				continue // binary frames carry buffers (widgets); the reference ignores them too
			}
			var m message
			if err := json.Unmarshal(data, &m); err != nil {
				logf("bad kernel message: %v", err)
				continue
			}
			select {
			case w.in <- &m:
			case <-w.done:
				return
			}
		}
	}()
	return w
}

func (w *wsConn) write(b []byte) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	_ = w.c.SetWriteDeadline(time.Now().Add(30 * time.Second))
	return w.c.WriteMessage(websocket.TextMessage, b)
}

func (w *wsConn) close() {
	w.once.Do(func() {
		close(w.done)
		_ = w.c.Close()
	})
}
