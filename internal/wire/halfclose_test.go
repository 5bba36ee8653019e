package wire

import (
	"bytes"
	"encoding/binary"
	"net"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/message"
)

// recordingConn is a net.Conn that keeps what is written to it.
type recordingConn struct {
	net.Conn // nil: only Write is called
	written  bytes.Buffer
}

func (c *recordingConn) Write(p []byte) (int, error) { return c.written.Write(p) }

func newRecordedClientConn() (*Conn, *recordingConn) {
	rc := &recordingConn{}
	c := NewClientConn(rc, 0, 0)
	c.BeginFrames()
	return c, rc
}

// clientFrame is a frame as coder/websocket writes it on a client: masked
// (with a zero key, which leaves the payload as it is).
func clientFrame(first byte, payload []byte) []byte {
	return append([]byte{first, 0x80 | byte(len(payload)), 0, 0, 0, 0}, payload...)
}

// unmaskClose checks that b is one masked close frame and returns its
// payload and masking key.
func unmaskClose(t *testing.T, b []byte) (payload, key []byte) {
	t.Helper()
	require.GreaterOrEqual(t, len(b), 6)
	require.Equal(t, byte(0x88), b[0], "a final close frame")
	require.Equal(t, byte(0x80), b[1]&0x80, "masked, as a client's frames must be")
	n := int(b[1] & 0x7f)
	require.Len(t, b, 6+n, "one frame, nothing after it")
	key = b[2:6]
	payload = append([]byte(nil), b[6:]...)
	for i := range payload {
		payload[i] ^= key[i%4]
	}
	return payload, key
}

// WriteClose writes a masked close frame after what is held; coder's
// frames after it (its answer to the server's close, a pong) are dropped
// without an error; data and a second close are refused.
func TestWriteCloseIsAMaskedCloseFrameThatNothingFollows(t *testing.T) {
	c, rc := newRecordedClientConn()
	data := clientFrame(0x81, []byte("last"))
	c.Hold()
	_, err := c.Write(data)
	require.NoError(t, err)
	require.Zero(t, rc.written.Len(), "held")

	require.NoError(t, c.WriteClose(message.NormalClosure, "bye"))
	require.True(t, bytes.HasPrefix(rc.written.Bytes(), data), "what was held goes first")
	payload, key := unmaskClose(t, rc.written.Bytes()[len(data):])
	require.Equal(t, message.NormalClosure, message.Code(binary.BigEndian.Uint16(payload)))
	require.Equal(t, "bye", string(payload[2:]))
	c.Release()

	before := rc.written.Len()
	for _, f := range [][]byte{clientFrame(0x88, []byte{0x03, 0xe8}), clientFrame(0x8a, []byte("pong"))} {
		n, err := c.Write(f)
		require.NoError(t, err, "coder's frames after the close are dropped, not failed")
		require.Equal(t, len(f), n)
	}
	require.Equal(t, before, rc.written.Len(), "nothing follows the close frame")
	require.ErrorIs(t, c.WriteClose(message.NormalClosure, ""), errCloseSent)

	// Each close frame has a key of its own.
	c2, rc2 := newRecordedClientConn()
	require.NoError(t, c2.WriteClose(message.GoingAway, ""))
	payload2, key2 := unmaskClose(t, rc2.written.Bytes())
	require.Equal(t, message.GoingAway, message.Code(binary.BigEndian.Uint16(payload2)))
	require.NotEqual(t, key, key2, "a fresh masking key")
}

// WriteClose waits for no frame: one of coder's that is part-way out
// makes it fail, and the frame goes on undisturbed.
func TestWriteCloseRefusesToCutAFrame(t *testing.T) {
	c, rc := newRecordedClientConn()
	frame := clientFrame(0x82, bytes.Repeat([]byte{7}, 100))
	_, err := c.Write(frame[:50])
	require.NoError(t, err)
	require.Error(t, c.WriteClose(message.NormalClosure, ""))
	_, err = c.Write(frame[50:])
	require.NoError(t, err)
	require.Equal(t, frame, rc.written.Bytes())
	require.NoError(t, c.WriteClose(message.NormalClosure, ""), "at the boundary")
}

func TestWriteCloseRefusesALongReason(t *testing.T) {
	c, rc := newRecordedClientConn()
	require.Error(t, c.WriteClose(message.NormalClosure, string(bytes.Repeat([]byte{'x'}, 124))))
	require.NoError(t, c.WriteClose(message.NormalClosure, string(bytes.Repeat([]byte{'x'}, 123))))
	payload, _ := unmaskClose(t, rc.written.Bytes())
	require.Len(t, payload, 125)
}

// A close frame coder/websocket writes on a client (masked) passes as it
// is, and is the last: WriteClose then refuses to write a second one.
func TestWriteCloseAfterCodersClose(t *testing.T) {
	c, rc := newRecordedClientConn()
	frame := clientFrame(0x88, []byte{0x03, 0xe9})
	_, err := c.Write(frame)
	require.NoError(t, err)
	require.Equal(t, frame, rc.written.Bytes())
	require.ErrorIs(t, c.WriteClose(message.NormalClosure, ""), errCloseSent)
	require.Equal(t, frame, rc.written.Bytes())
}
