package bench

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseChatLine(t *testing.T) {
	for in, want := range map[string]chatLine{
		"m3: hello":           {kind: lineSaid, name: []byte("m3"), text: []byte("hello")},
		"m3: a: b":            {kind: lineSaid, name: []byte("m3"), text: []byte("a: b")},
		"m3: ":                {kind: lineSaid, name: []byte("m3"), text: []byte("")},
		"* m3 joined":         {kind: lineJoined, name: []byte("m3")},
		"* Anne_B-2 left":     {kind: lineLeft, name: []byte("Anne_B-2")},
		"anonymous: * x left": {kind: lineSaid, name: []byte("anonymous"), text: []byte("* x left")},
	} {
		got, err := parseChatLine([]byte(in))
		require.NoError(t, err, in)
		assert.Equal(t, want.kind, got.kind, in)
		assert.Equal(t, string(want.name), string(got.name), in)
		assert.Equal(t, string(want.text), string(got.text), in)
	}
	for _, in := range []string{
		"",
		"hello",
		"m3:hello",                      // no space after the colon
		"m 3: hello",                    // a space in the name
		": hello",                       // no name
		"* m3 arrived",                  // no such announcement
		"* m3 joined ",                  // trailing space
		"*  joined",                     // no name
		"* m:3 left",                    // a colon in the name
		"{\"seq\":1,\"joined\":\"m3\"}", // /rooms, not /chat
		"abcdefghijklmnopqrstuvwxyz0123456: too long a name",
	} {
		_, err := parseChatLine([]byte(in))
		assert.ErrorIs(t, err, errNotChat, "%q", in)
	}
}
