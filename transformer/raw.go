package transformer

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/wsflow/wsflow/message"
)

// Raw returns the Transformer of sockets that see messages as they are:
// a text message is a message.Text and a binary message a message.Binary,
// and each is sent back as the same kind of frame.
//
// A flow closes its socket by emitting a message.Close: Encode returns it
// as a *message.CloseError, which the runtime sends as the close frame.
// Pings and pongs are the connection's business (it answers pings itself),
// so encoding a message.Ping or message.Pong is an ordinary error, as is a
// nil message.
func Raw() Transformer[message.Message, message.Message] { return rawTransformer{} }

type rawTransformer struct{}

var (
	errControlFrame = errors.New("transformer: the connection sends ping and pong frames itself (it answers pings automatically); a flow cannot")
	errNilMessage   = errors.New("transformer: cannot encode a nil message")
)

// Decode returns a message.Text or a copied message.Binary.
func (rawTransformer) Decode(kind message.Kind, payload []byte) (message.Message, error) {
	switch kind {
	case message.KindText:
		return message.Text(payload), nil
	case message.KindBinary:
		return message.Binary(bytes.Clone(payload)), nil
	}
	return nil, message.NewCloseError(message.UnsupportedData, "unexpected "+kind.String()+" frame")
}

// Encode appends the payload of a Text or Binary to dst, or returns the
// *message.CloseError of a Close.
func (rawTransformer) Encode(dst []byte, m message.Message) (message.Kind, []byte, error) {
	switch m := m.(type) {
	case message.Text:
		return message.KindText, append(dst, m...), nil
	case message.Binary:
		return message.KindBinary, append(dst, m...), nil
	case message.Close:
		return message.KindClose, dst, message.NewCloseError(m.Code, m.Reason)
	case message.Ping, message.Pong:
		return m.Kind(), dst, errControlFrame
	case nil:
		return 0, dst, errNilMessage
	}
	return 0, dst, fmt.Errorf("transformer: cannot encode a %T", m)
}
