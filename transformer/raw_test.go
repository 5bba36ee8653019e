package transformer_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/transformer"
)

func TestRawRoundTrip(t *testing.T) {
	tr := transformer.Raw()
	tests := []struct {
		kind    message.Kind
		payload []byte
		want    message.Message
	}{
		{message.KindText, []byte("hello"), message.Text("hello")},
		{message.KindText, []byte(""), message.Text("")},
		{message.KindBinary, []byte{0, 0xff, 'a'}, message.Binary{0, 0xff, 'a'}},
		{message.KindBinary, []byte{}, message.Binary{}},
	}
	for _, tt := range tests {
		payload := bytes.Clone(tt.payload)
		m, err := tr.Decode(tt.kind, payload)
		require.NoError(t, err)
		assert.Equal(t, tt.want, m)
		for i := range payload {
			payload[i] = '?'
		}
		assert.Equal(t, tt.want, m, "the message must not share the payload's memory")

		kind, out, err := tr.Encode([]byte(">"), m)
		require.NoError(t, err)
		assert.Equal(t, tt.kind, kind, "a message goes back in the kind of frame it came in")
		assert.Equal(t, append([]byte(">"), tt.payload...), out, "Encode appends to dst")
	}
}

func TestRawEncodeClose(t *testing.T) {
	tests := []struct {
		in   message.Close
		want message.Close
	}{
		{message.Close{Code: message.NormalClosure}, message.Close{Code: message.NormalClosure}},
		{message.Close{Code: 4000, Reason: "bye"}, message.Close{Code: 4000, Reason: "bye"}},
		{message.Close{Code: message.AbnormalClosure, Reason: "x"}, message.Close{Code: message.InternalError, Reason: "x"}},
	}
	for _, tt := range tests {
		dst := []byte("kept")
		_, out, err := transformer.Raw().Encode(dst, tt.in)
		ce := requireClose(t, err, tt.want.Code)
		assert.Equal(t, tt.want, ce.Close)
		assert.Equal(t, "kept", string(out))
	}
}

func TestRawEncodeRejects(t *testing.T) {
	for _, m := range []message.Message{message.Ping("p"), message.Pong("p"), nil} {
		_, _, err := transformer.Raw().Encode(nil, m)
		require.Error(t, err, "%T", m)
		var ce *message.CloseError
		assert.NotErrorAs(t, err, &ce, "%T: a flow's mistake is an ordinary error", m)
	}
	_, _, err := transformer.Raw().Encode(nil, message.Ping("p"))
	assert.ErrorContains(t, err, "answers pings")
}

func TestRawDecodeControlKind(t *testing.T) {
	_, err := transformer.Raw().Decode(message.KindPing, nil)
	requireClose(t, err, message.UnsupportedData)
}
