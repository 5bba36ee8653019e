package router

import (
	"errors"
	"fmt"

	"github.com/coder/websocket"
	"github.com/wsflow/wsflow/message"
)

// connGone ends a socket whose connection can carry nothing more: the
// peer closed it, it broke, or it was dropped. Nothing is sent. The log
// reports the peer's close when it sent one, else 1006 and err as the
// cause.
type connGone struct {
	peer *message.Close // the close frame the peer sent, if it sent one
	code message.Code
	err  error
}

func (e *connGone) Error() string { return fmt.Sprintf("connection ended (%d): %v", e.code, e.err) }
func (e *connGone) Unwrap() error { return e.err }

var (
	errGoingAway = message.NewCloseError(message.GoingAway, "going away")
	errNoPong    = errors.New("no pong before the next ping")
	errDropped   = errors.New("dropped by shutdown")
)

// readEnded describes why reading from the connection stopped.
func readEnded(err error) *connGone {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		peer := message.Close{Code: message.Code(ce.Code), Reason: ce.Reason}
		return &connGone{peer: &peer, code: peer.Code, err: err}
	}
	if errors.Is(err, websocket.ErrMessageTooBig) {
		// coder/websocket has already sent the close frame.
		return &connGone{code: message.MessageTooBig, err: err}
	}
	return &connGone{code: message.AbnormalClosure, err: err}
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
