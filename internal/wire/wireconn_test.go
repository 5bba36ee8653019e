package wire

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
)

// serverFrame is an unmasked frame as a server writes it.
func serverFrame(first byte, payload []byte) []byte {
	b := []byte{first}
	switch n := len(payload); {
	case n < 126:
		b = append(b, byte(n))
	case n < 1<<16:
		b = append(b, 126, byte(n>>8), byte(n))
	default:
		b = append(b, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, payload...)
}

func closePayload(code uint16, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, code), reason...)
}

// However coder/websocket's buffer cuts the stream into writes, what
// reaches the connection is the same frames, with each close frame
// corrected and nothing else changed.
func TestOutFramesCorrectsCloseFramesAcrossWrites(t *testing.T) {
	wc := &Conn{readLimit: 1000}
	var in, want []byte
	add := func(frame, expected []byte) {
		in = append(in, frame...)
		want = append(want, expected...)
	}
	text := serverFrame(0x81, bytes.Repeat([]byte("a\r\n"), 100))
	add(text, text)
	big := serverFrame(0x82, bytes.Repeat([]byte{0x88}, 70000)) // looks like close frames inside
	add(big, big)
	kept := serverFrame(0x88, closePayload(1000, "bye ✓"))
	add(kept, kept)
	add(serverFrame(0x88, closePayload(1000, "bad \xff")), serverFrame(0x88, closePayload(1007, "")))
	add(serverFrame(0x88, closePayload(1009, "read limited at 1001 bytes")),
		serverFrame(0x88, closePayload(1009, "message too big: the limit is 1000 bytes")))
	own := serverFrame(0x88, closePayload(1009, "too big for me"))
	add(own, own)

	for _, size := range []int{1, 2, 3, 7, 64, 4096, len(in)} {
		var out bytes.Buffer
		var o outFrames
		for p := in; len(p) > 0; {
			n := min(size, len(p))
			require.NoError(t, o.write(&out, p[:n], wc.fixClose))
			p = p[n:]
		}
		require.Equal(t, want, out.Bytes(), "writes of %d bytes", size)
	}
}

// A pong goes out at once between frames, and waits for a frame that is
// part-way out.
func TestOutFramesPutsPongsBetweenFrames(t *testing.T) {
	var out bytes.Buffer
	var o outFrames
	fix := func(p []byte) []byte { return p }
	frame := serverFrame(0x81, []byte("hello"))
	require.NoError(t, o.write(&out, frame[:4], fix))
	require.False(t, o.atBoundary())
	o.pong = serverFrame(0x8a, []byte("p1"))
	require.NoError(t, o.write(&out, frame[4:], fix))
	require.True(t, o.atBoundary())
	require.Equal(t, append(append([]byte(nil), frame...), serverFrame(0x8a, []byte("p1"))...), out.Bytes())

	// After a close frame, no pong.
	out.Reset()
	require.NoError(t, o.write(&out, serverFrame(0x88, closePayload(1000, "")), fix))
	o.pong = serverFrame(0x8a, []byte("p2"))
	require.True(t, o.closeSent)
}
