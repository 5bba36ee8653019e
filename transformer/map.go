package transformer

import (
	"errors"

	"github.com/wsflow/wsflow/message"
)

// Map derives a Transformer from t, like Play's MessageFlowTransformer.map:
// incoming values are decoded by t and then converted by decode, and
// outgoing values are converted by encode and then encoded by t.
//
// An error from decode rejects the message: unless it is (or wraps) a
// *message.CloseError, the socket closes with message.InvalidPayload and
// the error's text as reason. An error from encode is returned unchanged.
// Errors of t itself are returned unchanged too.
//
// Map panics if t, decode or encode is nil. The result is safe for concurrent
// use if t, decode and encode are.
func Map[In, Out, NewIn, NewOut any](t Transformer[In, Out], decode func(In) (NewIn, error), encode func(NewOut) (Out, error)) Transformer[NewIn, NewOut] {
	if t == nil || decode == nil || encode == nil {
		panic("transformer: Map with a nil transformer or function")
	}
	return &mapped[In, Out, NewIn, NewOut]{t: t, decode: decode, encode: encode}
}

type mapped[In, Out, NewIn, NewOut any] struct {
	t      Transformer[In, Out]
	decode func(In) (NewIn, error)
	encode func(NewOut) (Out, error)
}

// Decode decodes with t, then converts with decode.
func (m *mapped[In, Out, NewIn, NewOut]) Decode(kind message.Kind, payload []byte) (NewIn, error) {
	var zero NewIn
	in, err := m.t.Decode(kind, payload)
	if err != nil {
		return zero, err
	}
	v, err := m.decode(in)
	if err != nil {
		var ce *message.CloseError
		if errors.As(err, &ce) {
			return zero, err
		}
		return zero, message.NewCloseError(message.InvalidPayload, err.Error())
	}
	return v, nil
}

// Encode converts with encode, then encodes with t.
func (m *mapped[In, Out, NewIn, NewOut]) Encode(dst []byte, v NewOut) (message.Kind, []byte, error) {
	out, err := m.encode(v)
	if err != nil {
		return 0, dst, err
	}
	return m.t.Encode(dst, out)
}
