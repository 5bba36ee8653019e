package transformer

import (
	"unsafe"

	"github.com/wsflow/wsflow/message"
)

// String returns the Transformer of text sockets: each text message is a
// string, and each string is sent as a text message.
//
// A binary message closes the socket with message.UnsupportedData and the
// reason "this socket accepts only text messages". Decode does not check
// UTF-8 again: the connection runtime has already done so.
func String() Transformer[string, string] { return stringTransformer{} }

type stringTransformer struct{}

// Decode copies a text payload into a string.
func (stringTransformer) Decode(kind message.Kind, payload []byte) (string, error) {
	if kind != message.KindText {
		return "", errTextOnly
	}
	return string(payload), nil
}

// DecodeLent returns a string that refers to payload's memory: the
// connection runtime's decoding without a copy, for a flow done with each
// message when its push returns (an echo).
func (stringTransformer) DecodeLent(kind message.Kind, payload []byte) (string, error) {
	if kind != message.KindText {
		return "", errTextOnly
	}
	return unsafe.String(unsafe.SliceData(payload), len(payload)), nil
}

// Encode appends s to dst; it allocates only if dst must grow.
func (stringTransformer) Encode(dst []byte, s string) (message.Kind, []byte, error) {
	return message.KindText, append(dst, s...), nil
}
