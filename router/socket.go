package router

import (
	"context"
	"log/slog"
	"time"

	"github.com/wsflow/wsflow/internal/wire"
)

// socket is what a handler keeps of one socket from its handshake to its
// end, in one allocation: its place in its group, its connection (for the
// pongs), and what its closing line and its observer report.
type socket struct {
	member
	group       *Group     // nil: none
	conn        *wire.Conn // set once hijacked; pings are read only after that
	logger      *slog.Logger
	route       string // the route's pattern as served
	remote      string // the peer's address
	subprotocol string
	began       time.Time
	observer    SocketObserver // nil: none
}

// pong answers a ping: coder/websocket's OnPingReceived. The pong is
// bounded by the write timeout, not coder's 5 s.
func (s *socket) pong(_ context.Context, payload []byte) bool {
	s.conn.Pong(payload)
	return false
}

// release frees the socket's place in its group: a handshake may take it
// while the socket's end is still being reported.
func (s *socket) release() {
	if s.group != nil {
		s.group.release(&s.member)
	}
}

// leave releases the socket's place and ends its group's wait for it.
func (s *socket) leave() {
	if s.group != nil {
		s.group.leave(&s.member)
	}
}

// attrs returns the attributes of the socket's log lines.
func (s *socket) attrs() []any {
	attrs := []any{"route", s.route, "remote", s.remote}
	if s.subprotocol != "" {
		attrs = append(attrs, "subprotocol", s.subprotocol)
	}
	return attrs
}

// ended reports the end of the socket, for reason: wire.Socket.Run's
// done.
func (s *socket) ended(reason error) {
	defer s.leave()
	defer func() {
		if p := recover(); p != nil { // the observer's or the logger's: Run's done must not panic
			s.logger.Error("websocket runtime panic", append(s.attrs(), "panic", p)...)
		}
	}()
	// Whoever learns of the end from the log or the observer may open
	// the next socket at once: the place is free by then.
	s.release()
	wire.LogEnd(s.logger, s.attrs(), reason, s.began)
	if s.observer != nil {
		s.observer.Closed(wire.CloseOf(reason), closedBy(reason), time.Since(s.began))
	}
}
