package router

import (
	"net/http"
	"time"

	"github.com/wsflow/wsflow/internal/wire"
	"github.com/wsflow/wsflow/message"
)

// Observer watches the sockets of a handler (WithObserver): every
// handshake it answers, and through the SocketObserver that Open returns,
// every message in and out and the close. Package metrics builds
// Prometheus series on it.
//
// Its methods are called from the sockets' own goroutines, concurrently:
// an Observer must be safe for concurrent use. They run on the socket's
// path and should return quickly (an atomic add, not a lock or a
// channel send). A handler without an Observer spends nothing on it.
type Observer interface {
	// Handshake is called once for every handshake the handler answers:
	// the route's pattern as served (http.Request.Pattern, e.g.
	// "GET /echo") and the HTTP status sent, 101 when the socket opens.
	Handshake(route string, status int)
	// Open is called when a socket opens on route, after its Handshake.
	// The SocketObserver it returns (nil: none) sees that socket until it
	// closes; one value may serve every socket of a route, so that
	// per-route state is looked up once per socket, not per message.
	Open(route string) SocketObserver
}

// SocketObserver watches one open socket; see Observer.
type SocketObserver interface {
	// MessageIn is called for every data message read whole from the
	// peer, with its kind and payload size in bytes, whether or not the
	// transformer then accepts it.
	MessageIn(kind message.Kind, size int)
	// MessageOut is called for every data message written to the peer.
	MessageOut(kind message.Kind, size int)
	// Closed is called once, when the socket has closed: the close code
	// and reason the log reports (1006 for a connection that ended
	// without a close handshake), who ended it, and how long it was open.
	Closed(c message.Close, by ClosedBy, lived time.Duration)
}

// ClosedBy says which side ended a socket.
type ClosedBy int

// Who ends a socket.
const (
	// ClosedByServer: the flow completed or failed, the transformer
	// refused a frame, the server shut down, or the server refused a
	// frame that broke the protocol or the read limit.
	ClosedByServer ClosedBy = iota
	// ClosedByPeer: the peer sent a close frame.
	ClosedByPeer
	// ClosedByDrop: the connection ended without a close handshake: the
	// peer went away, or the server dropped a peer that took nothing
	// (write timeout, keep-alive) or outlived a shutdown's grace period.
	ClosedByDrop
)

// String returns "server", "peer" or "drop".
func (b ClosedBy) String() string {
	switch b {
	case ClosedByPeer:
		return "peer"
	case ClosedByDrop:
		return "drop"
	}
	return "server"
}

// WithObserver sets the observer of the handler's sockets.
func WithObserver(o Observer) Option { return func(c *config) { c.observer = o } }

// closedBy says who ended a socket that ended for reason.
func closedBy(reason error) ClosedBy {
	switch wire.EndedByOf(reason) {
	case wire.EndedByPeer:
		return ClosedByPeer
	case wire.EndedByDrop:
		return ClosedByDrop
	}
	return ClosedByServer
}

// statusWriter remembers the status of the response written through it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap returns the wrapped ResponseWriter, for http.ResponseController.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
