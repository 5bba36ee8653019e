package transformer

import (
	"bytes"

	"github.com/wsflow/wsflow/message"
)

// Bytes returns the Transformer of binary sockets: each binary message is
// a []byte, and each []byte is sent as a binary message.
//
// A text message closes the socket with message.UnsupportedData and the
// reason "this socket accepts only binary messages". Decode returns a
// copy of the payload, which the flow may keep.
func Bytes() Transformer[[]byte, []byte] { return bytesTransformer{} }

type bytesTransformer struct{}

// Decode copies a binary payload.
func (bytesTransformer) Decode(kind message.Kind, payload []byte) ([]byte, error) {
	if kind != message.KindBinary {
		return nil, errBinaryOnly
	}
	return bytes.Clone(payload), nil
}

// DecodeLent returns payload itself: the connection runtime's decoding
// without a copy, for a flow done with each message when its push returns
// (an echo).
func (bytesTransformer) DecodeLent(kind message.Kind, payload []byte) ([]byte, error) {
	if kind != message.KindBinary {
		return nil, errBinaryOnly
	}
	return payload, nil
}

// Encode appends b to dst; it allocates only if dst must grow.
func (bytesTransformer) Encode(dst []byte, b []byte) (message.Kind, []byte, error) {
	return message.KindBinary, append(dst, b...), nil
}
