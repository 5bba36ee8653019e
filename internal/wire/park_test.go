package wire

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/transformer"
)

// parkedEcho serves an echo over loopback whose sockets park as the
// router's do, 1 ms after their peer falls silent (see TestMain), and dials it with a bare TCP
// client that speaks frames itself (coder/websocket's would answer pings
// by itself).
type parkedEcho struct {
	t      *testing.T
	sock   *Socket[string, string]
	done   chan error // the socket's end, from Run
	client net.Conn
	br     *bufio.Reader
}

func newParkedEcho(t *testing.T, keepAlive time.Duration) *parkedEcho {
	return newEcho(t, Options{KeepAlive: keepAlive, OwnFrames: true, Park: true})
}

// newEcho is newParkedEcho with the socket's options.
func newEcho(t *testing.T, opts Options) *parkedEcho {
	e := &parkedEcho{t: t, done: make(chan error, 1)}
	started := make(chan *Socket[string, string], 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hw := &testHijacker{ResponseWriter: w}
		conn, err := websocket.Accept(hw, r, &websocket.AcceptOptions{
			OnPingReceived: func(_ context.Context, p []byte) bool {
				hw.conn.Pong(p)
				return false
			},
		})
		if err != nil {
			t.Error(err)
			return
		}
		s := Start(context.Background(), conn, hw.conn, transformer.String(), flow.Identity[string](), opts)
		started <- s
		s.Run(func(reason error) { e.done <- reason })
	}))
	t.Cleanup(srv.Close)
	c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
	e.client, e.br = c, bufio.NewReader(c)
	resp, err := http.ReadResponse(e.br, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	e.sock = <-started
	return e
}

// testHijacker is the router's hijackWriter, reduced to what the socket
// needs.
type testHijacker struct {
	http.ResponseWriter
	conn *Conn
}

func (w *testHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := brw.Writer.Flush(); err != nil {
		nc.Close()
		return nil, nil, err
	}
	w.conn = NewServerConn(nc, 5*time.Second, 1<<16)
	early, _ := brw.Reader.Peek(brw.Reader.Buffered())
	w.conn.Preload(early)
	return w.conn, bufio.NewReadWriter(bufio.NewReaderSize(w.conn, CoderReadBuffer), bufio.NewWriterSize(w.conn, CoderWriteBuffer)), nil
}

func (w *testHijacker) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// send writes a masked frame.
func (e *parkedEcho) send(first byte, payload string) {
	_, err := e.client.Write(clientFrame(first, []byte(payload)))
	require.NoError(e.t, err)
}

// frame reads one frame of the server's.
func (e *parkedEcho) frame() (first byte, payload string) {
	var h [2]byte
	_, err := io.ReadFull(e.br, h[:])
	require.NoError(e.t, err)
	require.Less(e.t, int(h[1]), 126)
	p := make([]byte, h[1])
	_, err = io.ReadFull(e.br, p)
	require.NoError(e.t, err)
	return h[0], string(p)
}

// echo sends a text message and checks that it comes back.
func (e *parkedEcho) echo(msg string) {
	e.send(0x81, msg)
	first, got := e.frame()
	require.Equal(e.t, byte(0x81), first)
	require.Equal(e.t, msg, got)
}

// parked waits until the socket is parked, and checks that no goroutine
// of the socket's is left reading.
func (e *parkedEcho) parked() {
	p := e.sock.park
	require.NotNil(e.t, p, "the socket may park")
	// The reader marks the socket parked just before it returns: both
	// are awaited, as nothing signals the goroutine's end.
	require.Eventually(e.t, func() bool {
		p.mu.Lock()
		parked := p.parked
		p.mu.Unlock()
		buf := make([]byte, 1<<20)
		return parked && !strings.Contains(string(buf[:runtime.Stack(buf, true)]), "wire.(*Socket[...]).read(")
	}, 10*time.Second, time.Millisecond, "the socket parks, and no goroutine of its is left reading")
}

// closeCode reads the server's close frame and returns its code.
func (e *parkedEcho) closeCode() message.Code {
	first, p := e.frame()
	require.Equal(e.t, byte(0x88), first, "a close frame")
	require.GreaterOrEqual(e.t, len(p), 2)
	return message.Code(uint16(p[0])<<8 | uint16(p[1]))
}

func TestParkedSocketWakesForMessages(t *testing.T) {
	e := newParkedEcho(t, 0)
	e.echo("first")
	e.parked()
	e.echo("second")
	e.parked()
	// A frame that comes in parts: the first wakes the socket, which
	// waits in its read for the rest.
	f := clientFrame(0x81, []byte("in parts"))
	_, err := e.client.Write(f[:3])
	require.NoError(t, err)
	_, err = e.client.Write(f[3:])
	require.NoError(t, err)
	first, got := e.frame()
	require.Equal(t, byte(0x81), first)
	require.Equal(t, "in parts", got)
	// Two messages in one write are both answered.
	_, err = e.client.Write(append(clientFrame(0x81, []byte("one")), clientFrame(0x81, []byte("two"))...))
	require.NoError(t, err)
	_, got = e.frame()
	require.Equal(t, "one", got)
	_, got = e.frame()
	require.Equal(t, "two", got)
	e.parked()
	e.send(0x88, string(closePayload(1000, "")))
	require.Equal(t, message.NormalClosure, e.closeCode())
	reason := <-e.done
	c, ok := PeerClose(reason)
	require.True(t, ok, "ended by the peer's close: %v", reason)
	require.Equal(t, message.NormalClosure, c.Code)
}

func TestParkedSocketAnswersPingsAndParksAgain(t *testing.T) {
	e := newParkedEcho(t, 0)
	e.parked()
	e.send(0x89, "are you there")
	first, got := e.frame()
	require.Equal(t, byte(0x8a), first, "a pong")
	require.Equal(t, "are you there", got)
	e.parked()
	e.echo("still here")
	e.sock.GoAway()
	require.Equal(t, message.GoingAway, e.closeCode())
	e.send(0x88, string(closePayload(1001, "")))
	<-e.done
}

func TestShutdownReachesParkedSocket(t *testing.T) {
	e := newParkedEcho(t, 0)
	e.echo("hello")
	e.parked()
	e.sock.GoAway()
	require.Equal(t, message.GoingAway, e.closeCode(), "the parked socket sends its close")
	e.send(0x88, string(closePayload(1001, "")))
	require.Equal(t, message.GoingAway, CloseOf(<-e.done).Code)
}

func TestParkedSocketWakesForReset(t *testing.T) {
	e := newParkedEcho(t, 0)
	e.parked()
	require.NoError(t, e.client.(*net.TCPConn).SetLinger(0))
	require.NoError(t, e.client.Close())
	reason := <-e.done
	require.Equal(t, message.AbnormalClosure, CloseOf(reason).Code, "reason: %v", reason)
	require.Equal(t, EndedByDrop, EndedByOf(reason))
}

func TestKeepAliveDropsSilentParkedPeer(t *testing.T) {
	e := newParkedEcho(t, 20*time.Millisecond)
	first, _ := e.frame()
	require.Equal(t, byte(0x89), first, "an idle peer is pinged")
	e.send(0x8a, "") // the pong keeps the peer
	first, _ = e.frame()
	require.Equal(t, byte(0x89), first, "and it is pinged again while idle")
	// No pong this time: the socket is dropped.
	reason := <-e.done
	require.ErrorIs(t, reason, errNoPong)
}

// panickyObserver panics when a message comes in: a bug in the runtime's
// own path, outside the flow.
type panickyObserver struct{}

func (panickyObserver) MessageIn(message.Kind, int)  { panic("observer bug") }
func (panickyObserver) MessageOut(message.Kind, int) {}

// A panic on the reader's goroutine drops the connection and is the
// socket's reason, parked or not: the process goes on.
func TestRuntimePanicDropsTheSocket(t *testing.T) {
	for _, park := range []bool{true, false} {
		e := newEcho(t, Options{OwnFrames: true, Park: park, Observer: panickyObserver{}})
		e.send(0x81, "boom")
		reason := <-e.done
		require.ErrorIs(t, reason, errRuntimePanic, "park %v", park)
		require.Equal(t, message.AbnormalClosure, CloseOf(reason).Code)
	}
}
