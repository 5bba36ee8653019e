package transformer_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/transformer"
)

func TestBytesDecodeCopies(t *testing.T) {
	payload := []byte{0x00, 0xff, 0x10, 'a'}
	got, err := transformer.Bytes().Decode(message.KindBinary, payload)
	require.NoError(t, err)
	assert.Equal(t, []byte{0x00, 0xff, 0x10, 'a'}, got)
	payload[0] = 0x42
	assert.Equal(t, byte(0x00), got[0], "the value must not share the payload's memory")

	got, err = transformer.Bytes().Decode(message.KindBinary, []byte{})
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestBytesRejectsText(t *testing.T) {
	for _, payload := range [][]byte{nil, []byte("hello")} {
		_, err := transformer.Bytes().Decode(message.KindText, payload)
		ce := requireClose(t, err, message.UnsupportedData)
		assert.Equal(t, "this socket accepts only binary messages", ce.Reason)
	}
}

func TestBytesEncode(t *testing.T) {
	kind, out, err := transformer.Bytes().Encode([]byte{1, 2}, []byte{3, 0xff})
	require.NoError(t, err)
	assert.Equal(t, message.KindBinary, kind)
	assert.Equal(t, []byte{1, 2, 3, 0xff}, out, "Encode appends to dst")
}
