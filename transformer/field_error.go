package transformer

import "strconv"

// FieldError reports a problem with one field of a decoded value. A
// Validate method (see Model) returns one to say which field failed and
// why; the socket then closes with message.InvalidPayload and the error's
// text as its reason.
type FieldError struct {
	// Field is the field's name as it appears in the JSON object, e.g.
	// "op", or a dotted path such as "point.x" for a nested field.
	Field string

	// Problem says what is wrong with the field's value, e.g.
	// "must not be zero".
	Problem string
}

// Error returns the field and the problem, e.g. `field "b": must not be zero`.
func (e *FieldError) Error() string {
	return "field " + strconv.Quote(e.Field) + ": " + e.Problem
}
