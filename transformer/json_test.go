package transformer_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/transformer"
)

func TestJSONDecode(t *testing.T) {
	tr := transformer.JSON()
	for _, c := range loadCases(t, "json_cases.json") {
		t.Run(c.Name, func(t *testing.T) {
			payload := c.payload(t)
			got, err := tr.Decode(c.kind(), payload)
			if c.WantCode != 0 {
				requireCase(t, c, err)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			var want string
			require.NoError(t, json.Unmarshal(c.Want, &want), "want is the expected output as a JSON string")
			assert.Equal(t, want, string(got))
			assert.True(t, json.Valid(got))

			// The value is a copy: the payload may be reused after Decode.
			for i := range payload {
				payload[i] = ' '
			}
			assert.Equal(t, want, string(got))
		})
	}
}

func TestJSONEncode(t *testing.T) {
	tests := []struct {
		name string
		in   json.RawMessage
		want string
	}{
		{"compact", json.RawMessage(`{"a":1}`), `{"a":1}`},
		{"white space removed", json.RawMessage(" [ 1 ,\n 2.0 ] "), `[1,2.0]`},
		{"escapes kept", json.RawMessage(`"\u00e9<&>"`), `"\u00e9<&>"`},
		{"nil is null", nil, `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, out, err := transformer.JSON().Encode([]byte("x"), tt.in)
			require.NoError(t, err)
			assert.Equal(t, message.KindText, kind)
			assert.Equal(t, "x"+tt.want, string(out), "Encode appends to dst")
		})
	}
}

func TestJSONEncodeInvalid(t *testing.T) {
	for _, in := range []string{"", "{", "1 2", "nope"} {
		dst := []byte("kept")
		_, out, err := transformer.JSON().Encode(dst, json.RawMessage(in))
		require.Error(t, err, "input %q", in)
		var ce *message.CloseError
		assert.NotErrorAs(t, err, &ce, "an invalid outgoing value is the server's fault, not the peer's")
		assert.Equal(t, "kept", string(out), "dst is returned unchanged")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	tr := transformer.JSON()
	for _, c := range loadCases(t, "json_cases.json") {
		if c.WantCode != 0 {
			continue
		}
		v, err := tr.Decode(c.kind(), c.payload(t))
		require.NoError(t, err, c.Name)
		kind, out, err := tr.Encode(nil, v)
		require.NoError(t, err, c.Name)
		assert.Equal(t, message.KindText, kind, "JSON is always sent as text")
		assert.Equal(t, string(v), string(out), "%s: encoding a compact value keeps it", c.Name)
	}
}
