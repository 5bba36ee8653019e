package transformer

import (
	"encoding"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"

	"github.com/wsflow/wsflow/message"
)

// isSyntax reports whether err, from json.Decoder.Decode, means the input
// is not JSON at all, rather than JSON that does not fit the value.
func isSyntax(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// decodeError returns the rejection for an error of encoding/json decoding
// valid JSON into a model: a reason naming the field where there is one.
func decodeError(err error) error {
	var ce *message.CloseError
	if errors.As(err, &ce) {
		return err // an UnmarshalJSON method chose how to close
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return misfit(typeMismatch(te))
	}
	// encoding/json reports an unknown field only as text:
	// `json: unknown field "x"`.
	return misfit(strings.TrimPrefix(err.Error(), "json: "))
}

// typeMismatch describes te, e.g. `field "a": want number, got string`,
// `field "n": number 300 does not fit int8`, or `want object, got array`.
func typeMismatch(te *json.UnmarshalTypeError) string {
	var problem string
	if got, ok := strings.CutPrefix(te.Value, "number "); ok {
		problem = "number " + got + " does not fit " + te.Type.String()
	} else {
		problem = "want " + jsonType(te.Type) + ", got " + jsonValue(te.Value)
	}
	if te.Field == "" {
		return problem
	}
	return (&FieldError{Field: te.Field, Problem: problem}).Error()
}

var (
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonNumber      = reflect.TypeFor[json.Number]()
)

// jsonType names the kind of JSON value that decodes into t.
func jsonType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == jsonNumber {
		return "number"
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return "string"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.String:
		return "string"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "base64 string"
		}
		return "array"
	case reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return t.String()
}

// jsonValue names the kind of JSON value encoding/json describes as v.
func jsonValue(v string) string {
	if v == "bool" {
		return "boolean"
	}
	return v
}
