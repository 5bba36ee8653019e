package wire

import (
	"errors"
	"sync"
	"time"

	"github.com/wsflow/wsflow/message"
)

// ErrNoCloseFrame ends a half-closed socket whose peer sent no close
// frame within Options.HalfClose of the socket's own.
var ErrNoCloseFrame = errors.New("no close frame from the peer in time after ours")

// halfClose is the state of a socket's half-close.
type halfClose struct {
	wait    time.Duration // Options.HalfClose
	mu      sync.Mutex
	started bool        // Start has returned: the socket may close
	pending bool        // the output completed before Start returned
	timer   *time.Timer // drops the connection once the wait is over
	over    bool        // the socket has closed: no timer may start
}

// stop stops the timer, once the socket has closed.
func (h *halfClose) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.over = true
	if h.timer != nil {
		h.timer.Stop()
	}
}

// outputCompleted is the flow's output completing on a socket with
// Options.HalfClose (flowrun.Options.KeepInput). An output that completes
// while Start is still under way (a source with nothing to emit) leaves
// the half-close to Start's end: until then the socket is not whole.
func (s *Socket[In, Out]) outputCompleted() {
	s.half.mu.Lock()
	if !s.half.started {
		s.half.pending = true
		s.half.mu.Unlock()
		return
	}
	s.half.mu.Unlock()
	s.halfClose()
}

// started marks the end of Start, and half-closes if the output has
// completed already.
func (s *Socket[In, Out]) started() {
	s.half.mu.Lock()
	s.half.started = true
	pending := s.half.pending
	s.half.mu.Unlock()
	if pending {
		s.halfClose()
	}
}

// halfClose is the flow's output completing on a socket with
// Options.HalfClose: it writes the close frame 1000 itself (see
// Conn.WriteClose) and leaves the reader delivering what the peer sends
// until the peer's close frame, which ends the socket with the peer's
// code, or until s.half.wait has passed, when the connection is dropped.
// Keep-alive stops: nothing may follow the close frame, pings included,
// and the wait for the peer's close is bounded already.
func (s *Socket[In, Out]) halfClose() {
	s.half.mu.Lock()
	defer s.half.mu.Unlock()
	if s.half.over || s.ending.Load() {
		return // the socket is closing already
	}
	s.keepAlive.halt()
	if err := s.netConn.WriteClose(message.NormalClosure, ""); err != nil {
		if !errors.Is(err, errCloseSent) { // else coder closed first: its reader's error ends the socket
			s.end(&connGone{code: message.AbnormalClosure, err: err, write: true})
		}
		return
	}
	s.half.timer = time.AfterFunc(s.half.wait, func() { s.dropFor(ErrNoCloseFrame) })
}
