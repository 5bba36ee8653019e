package wire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/wsflow/wsflow/message"
)

// connGone ends a socket whose connection can carry nothing more: the
// peer closed it, it broke, or it was dropped. Nothing is sent. The log
// reports the peer's close when it sent one, else 1006 and err as the
// cause.
type connGone struct {
	peer     *message.Close // the close frame the peer sent, if it sent one
	code     message.Code
	err      error
	sentSelf bool // coder/websocket sent the close frame itself (1009): finish the handshake
	write    bool // a write failed: the reader may know better why
}

func (e *connGone) Error() string { return fmt.Sprintf("connection ended (%d): %v", e.code, e.err) }
func (e *connGone) Unwrap() error { return e.err }

var (
	errGoingAway = message.NewCloseError(message.GoingAway, "going away")
	errNoPong    = errors.New("no pong before the next ping")
	errDropped   = errors.New("dropped by shutdown")

	errCloseReasonNotUTF8 = errors.New("the peer's close reason is not valid UTF-8")
)

// readEnded describes why reading from the connection stopped.
func readEnded(err error) *connGone {
	var ce websocket.CloseError
	if errors.As(err, &ce) && !utf8.ValidString(ce.Reason) {
		// Answered with 1007 on its way out (Conn.fixClose).
		return &connGone{code: message.InvalidPayload, err: errCloseReasonNotUTF8}
	}
	if errors.As(err, &ce) {
		peer := message.Close{Code: message.Code(ce.Code), Reason: ce.Reason}
		return &connGone{peer: &peer, code: peer.Code, err: err}
	}
	if errors.Is(err, websocket.ErrMessageTooBig) {
		// coder/websocket has sent the close frame; the rest of the
		// message is unread.
		return &connGone{code: message.MessageTooBig, err: err, sentSelf: true}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		// coder/websocket gives a control frame it answers (a pong, a
		// close) at most 5 s to be written: the peer takes nothing.
		return &connGone{code: message.AbnormalClosure, err: err}
	}
	var opErr *net.OpError
	if errors.Is(err, ErrPeerEnded) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) || errors.As(err, &opErr) {
		return &connGone{code: message.AbnormalClosure, err: err}
	}
	// Anything else is a protocol violation coder/websocket has answered
	// with a close frame of its own (1002).
	return &connGone{code: message.ProtocolError, err: err, sentSelf: true}
}

// decodeEnded is the ending of a socket whose transformer refused a frame:
// its *message.CloseError, or 1007 for any other error.
func decodeEnded(err error) error {
	var ce *message.CloseError
	if errors.As(err, &ce) {
		return ce
	}
	return fmt.Errorf("%w: %w", message.NewCloseError(message.InvalidPayload, "invalid message"), err)
}

// EndedBy says which side ended a socket.
type EndedBy int

// The sides that end a socket.
const (
	// EndedHere: the flow completed or failed, the transformer refused a
	// frame, the socket was told to go away, or this side refused a
	// frame that broke the protocol or the read limit.
	EndedHere EndedBy = iota
	// EndedByPeer: the peer sent a close frame.
	EndedByPeer
	// EndedByDrop: the connection ended without a close handshake.
	EndedByDrop
)

// EndedByOf says who ended a socket whose Serve returned reason.
func EndedByOf(reason error) EndedBy {
	var gone *connGone
	switch {
	case !errors.As(reason, &gone):
		return EndedHere
	case gone.peer != nil:
		return EndedByPeer
	case gone.sentSelf:
		return EndedHere
	}
	return EndedByDrop
}

// PeerClose returns the close frame the peer sent, if reason, an error
// Serve returned, records one.
func PeerClose(reason error) (message.Close, bool) {
	var gone *connGone
	if errors.As(reason, &gone) && gone.peer != nil {
		return *gone.peer, true
	}
	return message.Close{}, false
}
