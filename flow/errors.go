package flow

import (
	"errors"
	"fmt"
	"runtime/debug"
)

// ErrStopped is returned to a producer whose downstream has stopped, for
// instance because the socket has closed.
var ErrStopped = errors.New("flow: stopped")

// PanicError is the failure of a flow whose user code panicked. The socket
// closes with message.InternalError; the panic value and stack go to the
// log, never to the peer.
type PanicError struct {
	Value any
	Stack []byte
}

func panicError(v any) *PanicError {
	return &PanicError{Value: v, Stack: debug.Stack()}
}

// Error returns the panic value, e.g. "flow: panic: boom".
func (e *PanicError) Error() string {
	return fmt.Sprintf("flow: panic: %v", e.Value)
}
