package rooms

import (
	"encoding/json"
	"reflect"

	"github.com/wsflow/wsflow/broker"
)

// Codec turns a room's values into the bytes that cross the broker and
// back. Encode runs once per publish; Decode once per live event on each
// server, and its result is what every member of the server receives, so
// Decode may, for instance, put the event's sequence number into the
// value. Decode must not keep or modify ev.Data past its return unless it
// only reads it: the broker shares it.
type Codec[T any] struct {
	Encode func(T) ([]byte, error)
	Decode func(broker.Event) (T, error)
}

// DefaultCodec returns the codec of a Config without one: a string or a
// byte slice (or a type defined on one, such as json.RawMessage or
// message.Text) crosses as its bytes, and any other type as its
// encoding/json encoding.
func DefaultCodec[T any]() Codec[T] {
	t := reflect.TypeFor[T]()
	switch {
	case t.Kind() == reflect.String:
		return Codec[T]{
			Encode: func(v T) ([]byte, error) { return []byte(reflect.ValueOf(v).String()), nil },
			Decode: func(ev broker.Event) (T, error) {
				var v T
				reflect.ValueOf(&v).Elem().SetString(string(ev.Data))
				return v, nil
			},
		}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return Codec[T]{
			Encode: func(v T) ([]byte, error) { return reflect.ValueOf(v).Bytes(), nil },
			Decode: func(ev broker.Event) (T, error) {
				var v T
				reflect.ValueOf(&v).Elem().SetBytes(ev.Data)
				return v, nil
			},
		}
	}
	return Codec[T]{
		Encode: func(v T) ([]byte, error) { return json.Marshal(v) },
		Decode: func(ev broker.Event) (T, error) {
			var v T
			err := json.Unmarshal(ev.Data, &v)
			return v, err
		},
	}
}
