package transformer_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/transformer"
)

func TestStringDecode(t *testing.T) {
	tr := transformer.String()
	for _, in := range []string{"", "hello", "日本語 🎉", "{\"not\": \"parsed\"}"} {
		got, err := tr.Decode(message.KindText, []byte(in))
		require.NoError(t, err)
		assert.Equal(t, in, got)
	}
}

func TestStringDecodeCopies(t *testing.T) {
	payload := []byte("hello")
	got, err := transformer.String().Decode(message.KindText, payload)
	require.NoError(t, err)
	copy(payload, "XXXXX")
	assert.Equal(t, "hello", got, "the value must not share the payload's memory")
}

func TestStringRejectsBinary(t *testing.T) {
	for _, payload := range [][]byte{nil, []byte("text in a binary frame"), {0xff, 0x00}} {
		_, err := transformer.String().Decode(message.KindBinary, payload)
		ce := requireClose(t, err, message.UnsupportedData)
		assert.Equal(t, "this socket accepts only text messages", ce.Reason)
	}
}

func TestStringEncode(t *testing.T) {
	dst := []byte("prefix:")
	kind, out, err := transformer.String().Encode(dst, "héllo")
	require.NoError(t, err)
	assert.Equal(t, message.KindText, kind)
	assert.Equal(t, "prefix:héllo", string(out), "Encode appends to dst")

	kind, out, err = transformer.String().Encode(nil, "")
	require.NoError(t, err)
	assert.Equal(t, message.KindText, kind)
	assert.Empty(t, out)
}
