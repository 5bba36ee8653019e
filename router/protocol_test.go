package router_test

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
)

// rawConn is a client that writes WebSocket frames byte by byte, so that
// a test can send what no well-behaved library would.
type rawConn struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, srv *wstest.Server) *rawConn {
	t.Helper()
	return dialRawWith(t, srv, "")
}

// dialRawWith is dialRaw with extra header lines, each ending in CRLF.
func dialRawWith(t *testing.T, srv *wstest.Server, headers string) *rawConn {
	t.Helper()
	return dialRawAt(t, strings.TrimPrefix(srv.HTTPURL(""), "http://"), headers)
}

// dialRawAt is dialRawWith against the server at addr (HOST:PORT).
func dialRawAt(t *testing.T, addr, headers string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(wstest.DefaultTimeout))) // a hang guard
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n%s\r\n", addr, headers)
	br := bufioReader(c)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	return &rawConn{t: t, c: c, br: br}
}

// frame writes one frame: first is the byte of FIN, RSV and opcode.
func (r *rawConn) frame(first byte, masked bool, payload []byte) {
	_, err := r.c.Write(encodeFrame(first, masked, payload))
	require.NoError(r.t, err)
}

// encodeFrame returns one frame, masked with the key 1 2 3 4 when masked
// is set: first is the byte of FIN, RSV and opcode.
func encodeFrame(first byte, masked bool, payload []byte) []byte {
	b := []byte{first}
	mask := byte(0)
	if masked {
		mask = 0x80
	}
	switch n := len(payload); {
	case n < 126:
		b = append(b, mask|byte(n))
	case n < 1<<16:
		b = append(b, mask|126, byte(n>>8), byte(n))
	default:
		b = append(b, mask|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	if !masked {
		return append(b, payload...)
	}
	key := [4]byte{1, 2, 3, 4}
	b = append(b, key[:]...)
	for i, c := range payload {
		b = append(b, c^key[i%4])
	}
	return b
}

func bufioReader(c net.Conn) *bufio.Reader { return bufio.NewReader(c) }

// closeCode reads frames until a close frame and returns its code, or 0
// when the server closed the connection without one.
func (r *rawConn) closeCode() int {
	code, _ := r.closeFrame()
	return code
}

// closeFrame reads frames until a close frame and returns its code and
// reason, or 0 when the server closed the connection without one.
func (r *rawConn) closeFrame() (int, string) {
	for {
		op, payload, err := r.readFrame()
		if err != nil {
			return 0, ""
		}
		if op == 0x8 {
			require.GreaterOrEqual(r.t, len(payload), 2, "a close frame without a code")
			return int(binary.BigEndian.Uint16(payload)), string(payload[2:])
		}
	}
}

// readFrame reads one frame and returns its opcode and payload.
func (r *rawConn) readFrame() (byte, []byte, error) {
	var h [2]byte
	if _, err := io.ReadFull(r.br, h[:]); err != nil {
		return 0, nil, err
	}
	n := int64(h[1] & 0x7f)
	switch n {
	case 126:
		var ext [2]byte
		if _, err := io.ReadFull(r.br, ext[:]); err != nil {
			return 0, nil, err
		}
		n = int64(binary.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		if _, err := io.ReadFull(r.br, ext[:]); err != nil {
			return 0, nil, err
		}
		n = int64(binary.BigEndian.Uint64(ext[:]))
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(r.br, payload); err != nil {
		return 0, nil, err
	}
	return h[0] & 0x0f, payload, nil
}

// RFC 6455 section 5: frames a server must refuse, and how it refuses them.
func TestMalformedFrames(t *testing.T) {
	closeFrame := func(code uint16, reason string) []byte {
		return append(binary.BigEndian.AppendUint16(nil, code), reason...)
	}
	tests := []struct {
		name   string
		first  byte
		masked bool
		data   []byte
		code   int // 0: the connection is closed without a close frame
	}{
		{"reserved data opcode", 0x83, true, []byte("x"), 1002},
		{"reserved control opcode", 0x8b, true, nil, 1002},
		{"RSV1 without an extension", 0xc1, true, []byte("x"), 1002},
		{"fragmented ping", 0x09, true, []byte("x"), 1002},
		{"ping over 125 bytes", 0x89, true, make([]byte, 126), 1002},
		{"continuation without a start", 0x80, true, []byte("x"), 1002},
		{"close with a reserved code", 0x88, true, closeFrame(1005, ""), 1002},
		{"close with a one-byte payload", 0x88, true, []byte{3}, 1002},
		{"text that is not UTF-8", 0x81, true, []byte("a\xffb"), 1007},
		{"binary on a text socket", 0x82, true, []byte("x"), 1003},
		{"unmasked frame", 0x81, false, []byte("x"), 0},
	}
	srv := wstest.Serve(t, echo())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := dialRaw(t, srv)
			r.frame(tt.first, tt.masked, tt.data)
			code := r.closeCode()
			if tt.code == 0 {
				require.Contains(t, []int{0, 1002}, code, "an unmasked frame must end the connection")
				return
			}
			require.Equal(t, tt.code, code)
		})
	}
}

// A well-formed fragmented message is reassembled, with a ping between
// its fragments answered.
func TestFragmentedMessage(t *testing.T) {
	r := dialRaw(t, wstest.Serve(t, echo()))
	r.frame(0x01, true, []byte("hel"))  // text, not final
	r.frame(0x89, true, []byte("ping")) // a ping in between
	r.frame(0x80, true, []byte("lo ✓")) // final continuation
	var got []string
	for len(got) < 2 {
		var h [2]byte
		_, err := io.ReadFull(r.br, h[:])
		require.NoError(t, err)
		p := make([]byte, h[1]&0x7f)
		_, err = io.ReadFull(r.br, p)
		require.NoError(t, err)
		got = append(got, fmt.Sprintf("%x:%s", h[0]&0x0f, p))
	}
	require.Equal(t, []string{"a:ping", "1:hello ✓"}, got)
}

// RFC 6455 section 7.1.7: a server that fails the connection sends its
// close frame and closes the TCP connection at once, without waiting for
// the peer's close frame. The peer here never sends one: the read after
// the close frame must see the connection's end before coder/websocket's
// own wait for the peer's close (5 s) would have ended it.
func TestProtocolErrorEndsConnectionAtOnce(t *testing.T) {
	closeFrame := func(code uint16) []byte { return binary.BigEndian.AppendUint16(nil, code) }
	tests := []struct {
		name  string
		first byte
		data  []byte
	}{
		{"close with a one-byte payload", 0x88, []byte{3}},
		{"close with a code that is not allowed", 0x88, closeFrame(1005)},
		{"reserved data opcode", 0x83, []byte("x")},
		{"reserved control opcode", 0x8b, nil},
	}
	srv := wstest.Serve(t, echo())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := dialRaw(t, srv)
			r.frame(tt.first, true, tt.data)
			require.NoError(t, r.c.SetReadDeadline(time.Now().Add(peerCloseWait-time.Second)))
			op, payload, err := r.readFrame()
			require.NoError(t, err)
			require.Equal(t, byte(0x8), op)
			require.Equal(t, uint16(1002), binary.BigEndian.Uint16(payload))
			_, _, err = r.readFrame()
			require.ErrorIs(t, err, io.EOF, "the server must close the TCP connection after its close frame")
		})
	}
}

// peerCloseWait is how long coder/websocket waits for the peer's close
// frame after its own.
const peerCloseWait = 5 * time.Second

// RFC 6455 section 8.1: a text message whose bytes stop being valid UTF-8
// fails as soon as they have arrived, before the rest of the message is
// sent; a code point split between frames or reads is not a fault.
func TestInvalidUTF8FailsBeforeMessageEnds(t *testing.T) {
	const head = "abc ✓"
	tests := []struct {
		name string
		bad  string
	}{
		{"code point above U+10FFFF", "d\xf4\x90\x80\x80e"},
		{"lone continuation octet", "d\x80e"},
		{"octet that is never UTF-8", "d\xffe"},
		{"code point cut by an octet that cannot continue it", "\xe2\x9c("},
	}
	srv := wstest.Serve(t, echo())
	for _, tt := range tests {
		t.Run(tt.name+" in frames", func(t *testing.T) {
			r := dialRaw(t, srv)
			r.frame(0x01, true, []byte(head[:len(head)-1])) // ✓ cut between frames
			r.frame(0x00, true, []byte(head[len(head)-1:]+tt.bad))
			require.Equal(t, 1007, r.closeCode(), "closed before the final frame")
		})
		t.Run(tt.name+" in one frame's parts", func(t *testing.T) {
			r := dialRaw(t, srv)
			msg := head + tt.bad + "the rest"
			f := encodeFrame(0x81, true, []byte(msg))
			cut := len(f) - len(msg) + len(head) - 1 // header, then ✓ cut
			end := len(f) - len("the rest")
			for _, part := range [][]byte{f[:cut], f[cut:end]} {
				_, err := r.c.Write(part)
				require.NoError(t, err)
			}
			require.Equal(t, 1007, r.closeCode(), "closed before the frame's last part")
		})
	}
}

// A text message whose code points are cut between frames, and between
// the parts of a frame, is whole and valid.
func TestSplitCodePointsAreValid(t *testing.T) {
	r := dialRaw(t, wstest.Serve(t, echo()))
	r.frame(0x01, true, []byte("✓\xe2"))
	r.frame(0x00, true, []byte("\x9c"))
	r.frame(0x80, true, []byte("\x93 \xf0\x9f\x98\x80"))
	op, payload, err := r.readFrame()
	require.NoError(t, err)
	require.Equal(t, byte(0x1), op)
	require.Equal(t, "✓✓ 😀", string(payload))
	f := encodeFrame(0x81, true, []byte("😀😀"))
	for i := range f {
		_, err := r.c.Write(f[i : i+1])
		require.NoError(t, err)
	}
	op, payload, err = r.readFrame()
	require.NoError(t, err)
	require.Equal(t, byte(0x1), op)
	require.Equal(t, "😀😀", string(payload))
}

// A compressed text message is checked as it is inflated: invalid UTF-8
// in its second frame closes 1007 before its last frame is sent.
func TestInvalidUTF8InCompressedMessageFailsBeforeItEnds(t *testing.T) {
	const deflate = "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; server_no_context_takeover\r\n"
	r := dialRawWith(t, wstest.Serve(t, echoWith(router.WithCompression(message.CompressionNoContextTakeover))), deflate)
	var b bytes.Buffer
	fw, err := flate.NewWriter(&b, flate.BestSpeed)
	require.NoError(t, err)
	var parts [][]byte
	for _, s := range []string{"abc ✓", "d\xf4\x90\x80\x80e"} {
		fw.Write([]byte(s))
		require.NoError(t, fw.Flush()) // what is written so far can be inflated
		parts = append(parts, bytes.Clone(b.Bytes()))
		b.Reset()
	}
	r.frame(0x41, true, parts[0]) // RSV1: compressed, not final
	r.frame(0x00, true, parts[1])
	require.Equal(t, 1007, r.closeCode(), "closed before the final frame")
}
