package message

import (
	"errors"
	"fmt"
)

// CloseError is an error that ends a socket with a particular Close. A flow
// or transformer that fails with a *CloseError closes the socket with its
// code and reason; any other error closes it with InternalError and the
// error's text stays on the server.
//
// Find it in a chain of wrapped errors with errors.As.
type CloseError struct {
	Close
}

// NewCloseError returns a *CloseError for code and reason. A code that may
// not be sent is replaced by InternalError, and the reason is trimmed with
// TrimReason, so the result can always be written to the wire as it is.
func NewCloseError(code Code, reason string) *CloseError {
	if !code.Sendable() {
		code = InternalError
	}
	return &CloseError{Close{Code: code, Reason: TrimReason(reason)}}
}

// Errorf returns a *CloseError for code whose reason is formatted as by
// fmt.Sprintf.
func Errorf(code Code, format string, args ...any) *CloseError {
	return NewCloseError(code, fmt.Sprintf(format, args...))
}

// Error returns a description such as
// `websocket closed: 1008 policy violation: "unknown command"`.
func (e *CloseError) Error() string {
	return "websocket closed: " + e.Close.String()
}

// CloseFor returns the Close a socket ends with when its flow ends with
// err: nil gives
// NormalClosure; an error wrapping a *CloseError gives that Close; any
// other error gives InternalError with the reason "internal error", so
// nothing internal reaches the peer.
func CloseFor(err error) Close {
	if err == nil {
		return Close{Code: NormalClosure}
	}
	var ce *CloseError
	if errors.As(err, &ce) {
		return Close{Code: ce.Code, Reason: ce.Reason}
	}
	return Close{Code: InternalError, Reason: "internal error"}
}
