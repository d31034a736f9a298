package executor

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"

	"github.com/gohands/gohands/telemetry"
)

// Telemetry routes: the records of the last actions, and the live event stream as
// Server-Sent Events and over a WebSocket. They sit behind the same API key as every route.
func (x *Executor) telemetryRoutes(e *echo.Echo) {
	e.GET("/commands", x.listCommands)
	e.GET("/commands/:id", x.getCommand)
	e.GET("/events", x.eventsSSE)
	e.GET("/events/ws", x.eventsWS)
}

// CloseEventStreams ends the /events and /events/ws streams, so that an HTTP shutdown does not
// wait for them.
func (x *Executor) CloseEventStreams() {
	if x.tel != nil {
		x.tel.Hub.CloseAll()
	}
}

func (x *Executor) telemetryOn() error {
	if x.tel == nil {
		return detail(http.StatusNotFound, "Telemetry is turned off (GOHANDS_TELEMETRY=0)")
	}
	return nil
}

// listCommands is GET /commands?limit=N: the newest records first (default 100).
func (x *Executor) listCommands(c echo.Context) error {
	if err := x.telemetryOn(); err != nil {
		return err
	}
	limit := 100
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return detail(http.StatusBadRequest, "limit must be a positive integer")
		}
		limit = n
	}
	return c.JSON(http.StatusOK, map[string]any{"commands": x.tel.Store.Last(limit)})
}

// getCommand is GET /commands/{id}.
func (x *Executor) getCommand(c echo.Context) error {
	if err := x.telemetryOn(); err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return detail(http.StatusBadRequest, "command id must be a positive integer")
	}
	r, ok := x.tel.Store.Get(id)
	if !ok {
		return detail(http.StatusNotFound, "No command record with id "+strconv.FormatInt(id, 10)+" (only the newest are kept)")
	}
	return c.JSON(http.StatusOK, r)
}

// streamWriteTimeout bounds one write to a stream client: a client that stops reading is
// disconnected instead of holding a goroutine forever (the hub has dropped it by then).
const streamWriteTimeout = 10 * time.Second

// streamKeepalive is how often an idle stream sends something, so dead peers are noticed.
const streamKeepalive = 25 * time.Second

// subscribe parses ?after= (or the SSE Last-Event-ID header) and attaches to the hub.
func (x *Executor) subscribe(c echo.Context) (*telemetry.Sub, []*telemetry.Event, error) {
	if err := x.telemetryOn(); err != nil {
		return nil, nil, err
	}
	v := c.QueryParam("after")
	if v == "" {
		v = c.Request().Header.Get("Last-Event-ID")
	}
	after, err := telemetry.ParseAfter(v)
	if err != nil {
		return nil, nil, detail(http.StatusBadRequest, "Invalid after="+strconv.Quote(v)+": "+err.Error())
	}
	sub, backlog := x.tel.Hub.Subscribe(after)
	return sub, backlog, nil
}

// eventsSSE is GET /events: text/event-stream, one event per message, its sequence number as
// the SSE id (so EventSource reconnects resume), its type as the SSE event name.
func (x *Executor) eventsSSE(c echo.Context) error {
	sub, backlog, err := x.subscribe(c)
	if err != nil {
		return err
	}
	defer x.tel.Hub.Unsubscribe(sub)
	w := c.Response()
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// Events are flushed when no more are waiting: a burst costs one flush, not one each.
	buffered := func(b []byte) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
		_, err := w.Write(b)
		return err == nil
	}
	write := func(b []byte) bool { return buffered(b) && rc.Flush() == nil }
	send := func(ev *telemetry.Event, flush bool) bool {
		b := make([]byte, 0, len(ev.JSON)+48)
		if ev.Seq > 0 {
			b = append(b, "id: "...)
			b = strconv.AppendUint(b, ev.Seq, 10)
			b = append(b, '\n')
		}
		b = append(b, "event: "...)
		b = append(b, ev.Type...)
		b = append(b, "\ndata: "...)
		b = append(b, ev.JSON...) // JSON has no raw newlines
		b = append(b, "\n\n"...)
		if flush {
			return write(b)
		}
		return buffered(b)
	}
	if !write([]byte(": gohands event stream\n\n")) {
		return nil
	}
	for i, ev := range backlog {
		if !send(ev, i == len(backlog)-1) {
			return nil
		}
	}
	keep := time.NewTicker(streamKeepalive)
	defer keep.Stop()
	ctx := c.Request().Context()
	for {
		select {
		case ev, ok := <-sub.C:
			if !ok {
				// Dropped for falling behind, or the server stops: say so if the client hears.
				b, _ := json.Marshal(map[string]string{"type": "dropped", "reason": sub.Reason()})
				write([]byte("event: dropped\ndata: " + string(b) + "\n\n"))
				return nil
			}
			if !send(ev, len(sub.C) == 0) {
				return nil
			}
		case <-keep.C:
			if !write([]byte(": keepalive\n\n")) {
				return nil
			}
		case <-ctx.Done():
			// The server cancels every request's context when it stops (a client that left
			// hears nothing anyway).
			write([]byte("event: dropped\ndata: {\"type\":\"dropped\",\"reason\":\"the server is shutting down\"}\n\n"))
			return nil
		}
	}
}

var wsUpgrader = websocket.Upgrader{
	ReadBufferSize:  1024,
	WriteBufferSize: 32 << 10,
	// The API key, not the Origin, authorises a client (as on every other route).
	CheckOrigin: func(*http.Request) bool { return true },
}

// eventsWS is GET /events/ws: the same events as /events, one JSON text message each.
func (x *Executor) eventsWS(c echo.Context) error {
	sub, backlog, err := x.subscribe(c)
	if err != nil {
		return err
	}
	defer x.tel.Hub.Unsubscribe(sub)
	conn, err := wsUpgrader.Upgrade(c.Response(), c.Request(), nil)
	if err != nil {
		return nil // the upgrader has answered
	}
	defer conn.Close()
	closed := make(chan struct{})
	go func() {
		// Reads only to see control frames and the client closing.
		defer close(closed)
		conn.SetReadLimit(4096)
		for {
			if _, _, err := conn.NextReader(); err != nil {
				return
			}
		}
	}()
	send := func(b []byte) bool {
		_ = conn.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
		return conn.WriteMessage(websocket.TextMessage, b) == nil
	}
	for _, ev := range backlog {
		if !send(ev.JSON) {
			return nil
		}
	}
	keep := time.NewTicker(streamKeepalive)
	defer keep.Stop()
	for {
		select {
		case ev, ok := <-sub.C:
			if !ok {
				code := websocket.ClosePolicyViolation
				if !sub.Dropped() {
					code = websocket.CloseGoingAway
				}
				_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, sub.Reason()),
					time.Now().Add(time.Second))
				return nil
			}
			if !send(ev.JSON) {
				return nil
			}
		case <-keep.C:
			if conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(streamWriteTimeout)) != nil {
				return nil
			}
		case <-closed:
			return nil
		}
	}
}
