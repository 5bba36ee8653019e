package transformer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/wsflow/wsflow/message"
)

// Model returns the Transformer of sockets that carry typed JSON, like
// Play's model transformers: each message, text or binary, holds one JSON
// value that is decoded into an In, and each Out is sent as a text message
// holding its JSON encoding (as by json.Marshal, without HTML escaping).
//
// A message is rejected, closing the socket with message.InvalidPayload,
// when it
//
//   - is not exactly one JSON value: the reason starts with "invalid JSON";
//   - is not an object though In is a struct: `want object, got array`;
//   - has a member that In has no field for: `unknown field "x"`;
//   - has a value of the wrong type: `field "a": want number, got string`;
//   - lacks a required field, or has it null: `missing required field "op"`;
//   - fails validation: the reason is the text of Validate's error.
//
// A field is required when its json tag has the option "required", as in
// `json:"op,required"` (encoding/json itself ignores the option). Only the
// fields of the top-level object are checked: those of In, which must be a
// struct or a pointer to one to have any, including the fields of
// embedded structs that encoding/json promotes. Object keys match field
// names as they do in encoding/json: exactly, or else ignoring case.
//
// When In or *In has a method Validate() error, Decode calls it after
// decoding. It may return a *FieldError to name the field at fault; a
// *message.CloseError it returns closes the socket with its own code.
//
// Model inspects In once, when it is called; the result is safe for
// concurrent use.
func Model[In, Out any]() Transformer[In, Out] {
	t := reflect.TypeFor[In]()
	return &model[In, Out]{
		object:   structType(t) != nil,
		required: newRequired(t),
	}
}

type model[In, Out any] struct {
	object   bool      // In is a struct or a pointer to one: the value must be an object
	required *required // the top-level fields that must be present, or nil
}

// validator is what a model value implements to check itself after decoding.
type validator interface{ Validate() error }

// Decode decodes payload into an In and checks it.
func (m *model[In, Out]) Decode(kind message.Kind, payload []byte) (In, error) {
	var v In
	if err := checkUTF8(kind, payload); err != nil {
		return v, err
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	err := dec.Decode(&v)
	if isSyntax(err) || !onlySpace(payload[dec.InputOffset():]) {
		return v, syntaxError(payload)
	}
	if err != nil {
		return v, decodeError(err)
	}
	if m.object && firstByte(payload) == 'n' {
		return v, misfit("want object, got null")
	}
	if m.required != nil {
		name, err := m.required.missing(payload)
		if err != nil {
			return v, decodeError(err)
		}
		if name != "" {
			return v, misfit(fmt.Sprintf("missing required field %q", name))
		}
	}
	if err := validate(&v); err != nil {
		return v, validationError(err)
	}
	return v, nil
}

// Encode appends the JSON encoding of v to dst, without the trailing
// newline of json.Encoder and without escaping <, > and &. On error dst is
// returned unchanged.
func (m *model[In, Out]) Encode(dst []byte, v Out) (message.Kind, []byte, error) {
	buf := bytes.NewBuffer(dst)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return message.KindText, dst, fmt.Errorf("transformer: encode %T: %w", v, err)
	}
	b := buf.Bytes()
	return message.KindText, b[:len(b)-1], nil
}

// validate calls the Validate method of *v or v, if either has one.
func validate[In any](v *In) error {
	if x, ok := any(v).(validator); ok {
		return x.Validate()
	}
	if x, ok := any(*v).(validator); ok {
		if p := reflect.ValueOf(x); p.Kind() == reflect.Pointer && p.IsNil() {
			return nil // a nil *T: decoding null leaves no value to check
		}
		return x.Validate()
	}
	return nil
}

// validationError returns the rejection for the error of a Validate method.
func validationError(err error) error {
	var ce *message.CloseError
	if errors.As(err, &ce) {
		return err
	}
	return misfit(err.Error())
}

// onlySpace reports whether b holds nothing but JSON white space.
func onlySpace(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r':
		default:
			return false
		}
	}
	return true
}

// firstByte returns the first byte of b that is not JSON white space, or 0.
func firstByte(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r':
		default:
			return c
		}
	}
	return 0
}
