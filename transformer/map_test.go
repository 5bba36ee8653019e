package transformer_test

import (
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/transformer"
)

// number carries ints as decimal text.
func number() transformer.Transformer[int, int] {
	return transformer.Map(transformer.String(), strconv.Atoi,
		func(n int) (string, error) {
			if n < 0 {
				return "", errors.New("negative")
			}
			return strconv.Itoa(n), nil
		})
}

func TestMap(t *testing.T) {
	n, err := number().Decode(message.KindText, []byte("42"))
	require.NoError(t, err)
	assert.Equal(t, 42, n)

	kind, out, err := number().Encode([]byte("n="), 7)
	require.NoError(t, err)
	assert.Equal(t, message.KindText, kind)
	assert.Equal(t, "n=7", string(out))
}

func TestMapDecodeError(t *testing.T) {
	_, err := number().Decode(message.KindText, []byte("x"))
	ce := requireClose(t, err, message.InvalidPayload)
	assert.Equal(t, `strconv.Atoi: parsing "x": invalid syntax`, ce.Reason)
}

func TestMapKeepsCloseErrors(t *testing.T) {
	// An error of the underlying transformer is returned as it is.
	_, err := number().Decode(message.KindBinary, []byte("1"))
	ce := requireClose(t, err, message.UnsupportedData)
	assert.Equal(t, "this socket accepts only text messages", ce.Reason)

	// So is a close error of decode, even wrapped.
	tr := transformer.Map(transformer.String(),
		func(s string) (string, error) {
			return "", fmt.Errorf("command %q: %w", s, message.NewCloseError(message.PolicyViolation, "unknown command"))
		},
		func(s string) (string, error) { return s, nil })
	_, err = tr.Decode(message.KindText, []byte("jump"))
	ce = requireClose(t, err, message.PolicyViolation)
	assert.Equal(t, "unknown command", ce.Reason)
}

func TestMapEncodeError(t *testing.T) {
	dst := []byte("kept")
	_, out, err := number().Encode(dst, -1)
	assert.EqualError(t, err, "negative", "encode errors pass through unchanged")
	assert.Equal(t, "kept", string(out))
}

func TestMapOfModel(t *testing.T) {
	// A model's rejections survive Map.
	tr := transformer.Map(transformer.Model[calc, calc](),
		func(c calc) (string, error) { return c.Op, nil },
		func(s string) (calc, error) { return calc{Op: s}, nil })
	_, err := tr.Decode(message.KindText, []byte(`{"op":"add"}`))
	ce := requireClose(t, err, message.InvalidPayload)
	assert.Equal(t, `missing required field "a"`, ce.Reason)
}

func TestMapPanicsOnNil(t *testing.T) {
	id := func(s string) (string, error) { return s, nil }
	assert.Panics(t, func() { transformer.Map[string, string, string, string](transformer.String(), nil, id) })
	assert.Panics(t, func() { transformer.Map[string, string, string, string](transformer.String(), id, nil) })
	assert.Panics(t, func() { transformer.Map[string, string, string, string](nil, id, id) })
}
