package transformer

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/wsflow/wsflow/message"
)

// The rejections of a frame whose type the socket does not accept. They are
// shared: a *message.CloseError is never modified once made.
var (
	errTextOnly   = message.NewCloseError(message.UnsupportedData, "this socket accepts only text messages")
	errBinaryOnly = message.NewCloseError(message.UnsupportedData, "this socket accepts only binary messages")
	errNotUTF8    = invalidJSON("binary message is not valid UTF-8")
)

// invalidJSON returns the rejection of a payload that is not JSON, whose
// reason starts with "invalid JSON".
func invalidJSON(detail string) *message.CloseError {
	return message.NewCloseError(message.InvalidPayload, "invalid JSON: "+detail)
}

// misfit returns the rejection of JSON that does not fit the model: the
// reason says what is wrong, naming the field where there is one.
func misfit(reason string) *message.CloseError {
	return message.NewCloseError(message.InvalidPayload, reason)
}

// checkUTF8 rejects a binary payload that is not valid UTF-8, since JSON
// text is UTF-8 (RFC 8259 section 8.1). The runtime has already checked
// text payloads.
func checkUTF8(kind message.Kind, payload []byte) error {
	if kind != message.KindText && !utf8.Valid(payload) {
		return errNotUTF8
	}
	return nil
}

// syntaxError returns the rejection of payload, which is known not to be
// exactly one JSON value, with the scanner's description of the first
// problem. It is only called on the error path.
func syntaxError(payload []byte) *message.CloseError {
	var scratch bytes.Buffer
	if err := json.Compact(&scratch, payload); err != nil {
		return invalidJSON(err.Error())
	}
	// Not reached for invalid input; keep a sensible reason regardless.
	return invalidJSON("not a single JSON value")
}
