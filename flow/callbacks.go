package flow

import (
	"sync"
	"sync/atomic"

	"github.com/wsflow/wsflow/message"
)

// Inbound is the incoming side of a callback socket: Play Java's
// WebSocket.In.
type Inbound[T any] struct {
	onMessage atomic.Pointer[func(T)]
	onClose   atomic.Pointer[func()]
}

// OnMessage sets the function called with each message from the peer, on
// the goroutine that reads the socket, one message at a time.
func (in *Inbound[T]) OnMessage(fn func(T)) { in.onMessage.Store(&fn) }

// OnClose sets the function called once when the socket has closed, for
// whatever reason.
func (in *Inbound[T]) OnClose(fn func()) { in.onClose.Store(&fn) }

// Outbound is the outgoing side of a callback socket: Play Java's
// WebSocket.Out. It is safe for use by several goroutines.
type Outbound[T any] struct {
	emit     func(T) error
	complete func(error)
	once     sync.Once
}

// Write sends v, waiting while the peer is not taking messages. An error
// means the socket has closed.
func (out *Outbound[T]) Write(v T) error { return out.emit(v) }

// Close closes the socket with code and reason once what was written has
// been sent. A code that may not be sent becomes 1011. Close(1000, "")
// completes the flow as a source completing does.
func (out *Outbound[T]) Close(code message.Code, reason string) {
	out.once.Do(func() {
		if code == message.NormalClosure && reason == "" {
			out.complete(nil)
			return
		}
		out.complete(message.NewCloseError(code, reason))
	})
}

// Callbacks makes a socket of callbacks: Play Java's
// WebSocket.onReady(in, out). onReady runs once the handshake is done; it
// registers what to do with incoming messages and when the socket
// closes, and may write and close at once or keep out for later.
func Callbacks[In, Out any](onReady func(in *Inbound[In], out *Outbound[Out])) Flow[In, Out] {
	needFunc("Callbacks", "onReady", onReady == nil)
	return Flow[In, Out]{open: func(s scope, o outlet[Out]) inlet[In] {
		in := &Inbound[In]{}
		out := &Outbound[Out]{emit: serialize(o.emit), complete: o.complete}
		s.onStop(func(error) {
			if fn := in.onClose.Load(); fn != nil {
				(*fn)()
			}
		})
		onReady(in, out)
		return inlet[In]{
			push: func(v In) error {
				if fn := in.onMessage.Load(); fn != nil {
					(*fn)(v)
				}
				return nil
			},
			close: func() {},
		}
	}}
}
