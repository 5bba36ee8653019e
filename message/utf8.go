package message

import "unicode/utf8"

// ErrInvalidUTF8 closes a socket that received a text frame whose payload
// is not valid UTF-8 (RFC 6455 section 8.1).
var ErrInvalidUTF8 = NewCloseError(InvalidPayload, "text message is not valid UTF-8")

// CheckText returns ErrInvalidUTF8 when payload is not valid UTF-8, and
// nil otherwise.
func CheckText(payload []byte) error {
	if !utf8.Valid(payload) {
		return ErrInvalidUTF8
	}
	return nil
}
