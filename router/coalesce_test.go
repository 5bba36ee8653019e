package router_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/transformer"
)

// The tests of this file show what gathering frames into one write must
// not break: a burst of messages that arrive together is answered in one
// write, and nothing is left behind when the input stops, when a control
// frame or a close comes, or when the server shuts down.

// countingListener counts the writes made on the connections it accepts.
type countingListener struct {
	net.Listener
	writes atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, writes: &l.writes}, nil
}

type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// serveCounting serves h on loopback and returns its listener.
func serveCounting(t *testing.T, h http.Handler) *countingListener {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	cl := &countingListener{Listener: l}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = cl
	srv.Start()
	t.Cleanup(srv.Close)
	return cl
}

// maskedFrame returns one masked frame, as a client sends it.
func maskedFrame(first byte, payload []byte) []byte { return encodeFrame(first, true, payload) }

// burst returns n text messages "m0".."m<n-1>" as masked frames, to be
// written in one write.
func burst(from, n int) []byte {
	var b []byte
	for i := from; i < from+n; i++ {
		b = append(b, maskedFrame(0x81, []byte(fmt.Sprint("m", i)))...)
	}
	return b
}

// next reads one frame and returns its opcode and payload; it fails the
// test when the connection ends instead.
func (r *rawConn) next() (byte, []byte) {
	r.t.Helper()
	op, payload, err := r.readFrame()
	require.NoError(r.t, err, "the connection ended before the frame")
	return op, payload
}

// expectEchoes reads the text frames "m<from>".."m<from+n-1>".
func (r *rawConn) expectEchoes(from, n int) {
	r.t.Helper()
	for i := from; i < from+n; i++ {
		op, p := r.next()
		require.Equal(r.t, byte(0x1), op)
		require.Equal(r.t, fmt.Sprint("m", i), string(p))
	}
}

func TestBurstIsAnsweredInOneWrite(t *testing.T) {
	l := serveCounting(t, echoWith(router.WithKeepAlive(0)))
	r := dialRawAt(t, l.Addr().String(), "")
	const n = 16
	before := l.writes.Load() // the handshake's response
	_, err := r.c.Write(burst(0, n))
	require.NoError(t, err)
	// Then silence: the answers go out although nothing more arrives.
	r.expectEchoes(0, n)
	require.Equal(t, int64(1), l.writes.Load()-before, "writes for %d answers that arrived together", n)

	// A lone message is written at once, on its own.
	_, err = r.c.Write(burst(n, 1))
	require.NoError(t, err)
	r.expectEchoes(n, 1)
	require.Equal(t, int64(2), l.writes.Load()-before)
}

func TestCloseAfterBurstIsAnswered(t *testing.T) {
	srv := wstest.Serve(t, echoWith(router.WithKeepAlive(0)))
	r := dialRaw(t, srv)
	const n = 16
	closeFrame := maskedFrame(0x88, binary.BigEndian.AppendUint16(nil, 1000))
	_, err := r.c.Write(append(burst(0, n), closeFrame...))
	require.NoError(t, err)
	r.expectEchoes(0, n)
	op, p := r.next()
	require.Equal(t, byte(0x8), op, "the close reply, not the connection's end")
	require.Equal(t, uint16(1000), binary.BigEndian.Uint16(p))
}

func TestControlFramesDuringBurst(t *testing.T) {
	srv := wstest.Serve(t, echoWith(router.WithKeepAlive(0)))
	r := dialRaw(t, srv)
	msgs := burst(0, 8)
	msgs = append(msgs, maskedFrame(0x89, []byte("ping-1"))...)
	msgs = append(msgs, burst(8, 8)...)
	_, err := r.c.Write(msgs)
	require.NoError(t, err)
	r.expectEchoes(0, 8)
	op, p := r.next()
	require.Equal(t, byte(0xa), op, "the pong, between the answers as the ping came")
	require.Equal(t, "ping-1", string(p))
	r.expectEchoes(8, 8)
}

func TestPeerThatWritesWithoutReadingIsDropped(t *testing.T) {
	w := serveWatchedEcho(t, router.WithWriteTimeout(time.Second))
	r := dialRaw(t, w.srv)
	var flood []byte
	for range 16 {
		flood = append(flood, maskedFrame(0x81, bytes.Repeat([]byte("f"), 16<<10))...)
	}
	line := r.floodUntilDropped(w, flood)
	require.Contains(t, line, "code=1006")
	require.Contains(t, line, "i/o timeout", "dropped by the write timeout")
}

// A shutdown that comes while the answers to a burst are held sends them
// before its 1001.
func TestShutdownDuringBurst(t *testing.T) {
	g := router.NewGroup(0)
	const n, stall = 16, 8
	reached := make(chan struct{})
	gate := make(chan struct{})
	var once sync.Once
	h := router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Map(func(m string) string {
			if m == fmt.Sprint("m", stall) {
				once.Do(func() { close(reached) })
				<-gate // the answers before it are held meanwhile
			}
			return m
		})
	}, router.WithGroup(g), router.WithKeepAlive(0))
	srv := wstest.Serve(t, h)
	r := dialRaw(t, srv)
	_, err := r.c.Write(burst(0, n))
	require.NoError(t, err)
	<-reached
	ctx, cancel := context.WithTimeout(context.Background(), wstest.DefaultTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- g.Shutdown(ctx) }()
	r.expectEchoes(0, stall)
	op, p := r.next()
	require.Equal(t, byte(0x8), op)
	require.Equal(t, uint16(1001), binary.BigEndian.Uint16(p))
	close(gate)
	_, err = r.c.Write(maskedFrame(0x88, binary.BigEndian.AppendUint16(nil, 1001)))
	require.NoError(t, err)
	require.NoError(t, <-done)
}

// A large answer, over maxHeld, is not held back behind the bound.
func TestBurstOfLargeAnswers(t *testing.T) {
	srv := wstest.Serve(t, echoWith(router.WithKeepAlive(0), router.WithReadLimit(1<<20)))
	r := dialRaw(t, srv)
	big := strings.Repeat("x", 40000)
	var msgs []byte
	for i := range 4 {
		msgs = append(msgs, maskedFrame(0x81, []byte(fmt.Sprint(i, big)))...)
	}
	_, err := r.c.Write(msgs)
	require.NoError(t, err)
	for i := range 4 {
		op, p := r.next()
		require.Equal(t, byte(0x1), op)
		require.True(t, bytes.Equal([]byte(fmt.Sprint(i, big)), p))
	}
}

// The server writes its data frames itself: every length encoding of
// RFC 6455 section 5.2 (7-bit, 16-bit, 64-bit), and a frame larger than
// what the connection gathers, reaches the peer intact.
func TestOwnFramesAtEverySize(t *testing.T) {
	srv := wstest.Serve(t, echoWith(router.WithKeepAlive(0), router.WithReadLimit(1<<20)))
	r := dialRaw(t, srv)
	for _, n := range []int{0, 1, 125, 126, 127, 65535, 65536, 65537, 200000} {
		m := bytes.Repeat([]byte{byte('a' + n%26)}, n)
		r.frame(0x81, true, m)
		var h [2]byte
		_, err := io.ReadFull(r.br, h[:])
		require.NoError(t, err)
		require.Equal(t, byte(0x81), h[0], "a final text frame")
		require.Zero(t, h[1]&0x80, "a server's frame is not masked")
		size := int(h[1] & 0x7f)
		switch {
		case n < 126:
			require.Equal(t, n, size, "the shortest length encoding")
		case n < 1<<16:
			require.Equal(t, 126, size)
			var ext [2]byte
			_, err = io.ReadFull(r.br, ext[:])
			size = int(binary.BigEndian.Uint16(ext[:]))
		default:
			require.Equal(t, 127, size)
			var ext [8]byte
			_, err = io.ReadFull(r.br, ext[:])
			size = int(binary.BigEndian.Uint64(ext[:]))
		}
		require.NoError(t, err)
		require.Equal(t, n, size)
		got := make([]byte, size)
		_, err = io.ReadFull(r.br, got)
		require.NoError(t, err)
		require.True(t, bytes.Equal(m, got), "payload of %d bytes", n)
	}
}
