package router_test

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/transformer"
)

// watchedEcho serves an echo whose every delivered message is recorded,
// with its group and a log of its closing lines, for tests that check
// what reached the flow and what the server reported.
type watchedEcho struct {
	srv   *wstest.Server
	g     *router.Group
	ended chan struct{} // a flow has ended
	mu    sync.Mutex
	got   []string
	log   strings.Builder
}

func serveWatchedEcho(t *testing.T, opts ...router.Option) *watchedEcho {
	w := &watchedEcho{g: router.NewGroup(0), ended: make(chan struct{}, 16)}
	logger := slog.New(slog.NewTextHandler(lockedWriter{&w.mu, &w.log}, nil))
	opts = append([]router.Option{router.WithLogger(logger), router.WithGroup(w.g), router.WithKeepAlive(0)}, opts...)
	w.srv = wstest.Serve(t, router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Map(func(m string) string {
			w.mu.Lock()
			w.got = append(w.got, m)
			w.mu.Unlock()
			return m
		}).OnDone(func(error) { w.ended <- struct{}{} })
	}, opts...))
	return w
}

// closed waits until n flows have ended by themselves, then until every
// socket has closed, and returns the closing log lines.
func (w *watchedEcho) closed(t *testing.T, n int) []string {
	t.Helper()
	for range n {
		<-w.ended
	}
	ctx, cancel := context.WithTimeout(context.Background(), wstest.DefaultTimeout)
	defer cancel()
	require.NoError(t, w.g.Shutdown(ctx))
	w.mu.Lock()
	defer w.mu.Unlock()
	var lines []string
	for _, l := range strings.Split(w.log.String(), "\n") {
		if strings.Contains(l, "websocket closed") {
			lines = append(lines, l)
		}
	}
	return lines
}

func (w *watchedEcho) delivered() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.got...)
}

// header writes a masked frame header declaring n payload bytes, with
// the mask key of rawConn.frame.
func (r *rawConn) header(first byte, n int) {
	b := []byte{first}
	switch {
	case n < 126:
		b = append(b, 0x80|byte(n))
	case n < 1<<16:
		b = append(b, 0x80|126, byte(n>>8), byte(n))
	default:
		b = append(b, 0x80|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	_, err := r.c.Write(append(b, 1, 2, 3, 4))
	require.NoError(r.t, err)
}

// masked writes payload masked with rawConn.frame's key, as the start of
// a frame's payload.
func (r *rawConn) masked(payload []byte) {
	p := append([]byte(nil), payload...)
	for i := range p {
		p[i] ^= byte(i%4 + 1)
	}
	_, err := r.c.Write(p)
	require.NoError(r.t, err)
}

// deflated is s compressed as permessage-deflate sends it (RFC 7692:
// the trailing 00 00 ff ff of a sync flush removed).
func deflated(t *testing.T, s string) []byte {
	var b bytes.Buffer
	fw, err := flate.NewWriter(&b, flate.BestSpeed)
	require.NoError(t, err)
	fw.Write([]byte(s))
	require.NoError(t, fw.Flush())
	return bytes.TrimSuffix(b.Bytes(), []byte{0, 0, 0xff, 0xff})
}

// A message reaches the flow only once its final frame has arrived whole:
// a connection that ends in the middle of one delivers none of it and is
// logged 1006, whether it ends with a FIN or a reset.
func TestTruncatedMessageIsNotDelivered(t *testing.T) {
	const deflate = "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; server_no_context_takeover\r\n"
	tests := []struct {
		name      string
		extension string
		send      func(t *testing.T, r *rawConn)
	}{
		{"fragmented message", "", func(t *testing.T, r *rawConn) {
			r.frame(0x01, true, []byte("hello ")) // text, not final
			r.frame(0x00, true, []byte("wor"))    // continuation, not final
		}},
		{"partial frame", "", func(t *testing.T, r *rawConn) {
			r.header(0x81, 10000) // a final text frame of 10,000 bytes
			r.masked(bytes.Repeat([]byte("a"), 4096))
		}},
		{"partial compressed message", deflate, func(t *testing.T, r *rawConn) {
			r.frame(0x41, true, deflated(t, "hello compressed world")) // RSV1 text, not final
		}},
	}
	ends := []struct {
		name string
		end  func(c net.Conn)
	}{
		{"FIN", func(c net.Conn) { c.(*net.TCPConn).CloseWrite() }},
		{"reset", func(c net.Conn) {
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}},
	}
	for _, tt := range tests {
		for _, end := range ends {
			t.Run(tt.name+" then "+end.name, func(t *testing.T) {
				w := serveWatchedEcho(t, router.WithCompression(message.CompressionNoContextTakeover))
				r := dialRawWith(t, w.srv, tt.extension)
				tt.send(t, r)
				end.end(r.c)
				lines := w.closed(t, 1)
				for _, m := range w.delivered() {
					t.Errorf("an unfinished message reached the flow: %d bytes %.20q", len(m), m)
				}
				require.Len(t, lines, 1)
				require.Contains(t, lines[0], "code=1006")
			})
		}
	}
}

// A whole compressed message is still delivered: the guard above does
// not refuse what is complete.
func TestCompressedMessageIsDelivered(t *testing.T) {
	const deflate = "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; server_no_context_takeover\r\n"
	w := serveWatchedEcho(t, router.WithCompression(message.CompressionNoContextTakeover))
	r := dialRawWith(t, w.srv, deflate)
	r.frame(0xc1, true, deflated(t, "hello compressed world"))
	r.frame(0x88, true, binary.BigEndian.AppendUint16(nil, 1000))
	require.Equal(t, 1000, r.closeCode())
	w.closed(t, 1)
	require.Equal(t, []string{"hello compressed world"}, w.delivered())
}

// RFC 6455 section 4.1: a handshake is a GET without a body. An upgrade
// that declares one is refused with 400 at once, takes no slot of its
// group and does not delay the group's shutdown, even when the body never
// comes.
func TestUpgradeWithBodyIsRefused(t *testing.T) {
	for _, declared := range []string{"Content-Length: 100\r\n", "Transfer-Encoding: chunked\r\n"} {
		t.Run(strings.TrimSpace(declared), func(t *testing.T) {
			g := router.NewGroup(1)
			srv := wstest.Serve(t, echoWith(router.WithGroup(g)))
			addr := strings.TrimPrefix(srv.HTTPURL(""), "http://")
			c, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer c.Close()
			require.NoError(t, c.SetDeadline(time.Now().Add(wstest.DefaultTimeout)))
			fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
				"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n%s\r\n", addr, declared)
			resp, err := http.ReadResponse(bufioReader(c), nil)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			require.Equal(t, http.StatusBadRequest, resp.StatusCode)
			require.Contains(t, string(body), "body")
			require.Equal(t, 0, g.Len())

			// The one slot is free, and shutdown waits only for the
			// socket that holds it, though the body never came.
			ok := srv.Dial(t, "/")
			ok.SendText("still here")
			ok.ExpectText("still here")
			ctx, cancel := context.WithTimeout(context.Background(), wstest.DefaultTimeout)
			defer cancel()
			ok.Close()
			require.NoError(t, g.Shutdown(ctx))
		})
	}
}

// RFC 6455 section 8.1: a close frame whose reason is not UTF-8 is
// answered with 1007, never echoed.
func TestCloseReasonNotUTF8(t *testing.T) {
	w := serveWatchedEcho(t)
	r := dialRaw(t, w.srv)
	r.frame(0x88, true, append(binary.BigEndian.AppendUint16(nil, 1000), "bad \xff\xfe"...))
	require.Equal(t, 1007, r.closeCode())
	lines := w.closed(t, 1)
	require.Len(t, lines, 1)
	require.Contains(t, lines[0], "code=1007")
}

// 1009's reason names the configured limit.
func TestMessageTooBigNamesLimit(t *testing.T) {
	srv := wstest.Serve(t, echoWith(router.WithReadLimit(1000)))
	r := dialRaw(t, srv)
	r.frame(0x81, true, bytes.Repeat([]byte("x"), 1001))
	code, reason := r.closeFrame()
	require.Equal(t, 1009, code)
	require.Contains(t, reason, "1000 bytes")
	require.NotContains(t, reason, "1001")
}

// A peer that floods pings and never reads takes no pong: it is dropped
// and logged 1006, like every other peer that takes nothing.
func TestPingFloodFromPeerThatNeverReads(t *testing.T) {
	w := serveWatchedEcho(t, router.WithWriteTimeout(6*time.Second))
	r := dialRaw(t, w.srv)
	ping := append([]byte{0x89, 0x80 | 125, 1, 2, 3, 4}, bytes.Repeat([]byte("p"), 125)...)
	flood := bytes.Repeat(ping, 64)
	line := r.floodUntilDropped(w, flood)
	require.Contains(t, line, "code=1006")
	require.Contains(t, line, "i/o timeout", "dropped by the write timeout")
	require.NotContains(t, line, "context deadline exceeded", "dropped by coder/websocket's own 5 s")
}

// floodUntilDropped writes flood again and again, never reading, until
// the server drops the connection, and returns the server's closing log
// line of it.
func (r *rawConn) floodUntilDropped(w *watchedEcho, flood []byte) string {
	r.t.Helper()
	require.NoError(r.t, r.c.SetWriteDeadline(time.Time{}))
	for {
		if _, err := r.c.Write(flood); err != nil {
			break // the server dropped the connection
		}
	}
	lines := w.closed(r.t, 1)
	require.Len(r.t, lines, 1)
	return lines[0]
}
