package client_test

import (
	"bufio"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	endian "encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/transformer"
)

// The client against hostile servers: servers written by hand on a
// loopback listener, which write raw bytes.

// rawServer is a loopback listener whose connections serve handles; it
// counts the connections it accepts.
type rawServer struct {
	l     net.Listener
	conns atomic.Int32
}

// serveRaw serves each connection with serve, given the handshake request
// read from it, until the end of the test, when the listener and every
// connection still open are closed and the handlers waited for.
func serveRaw(t *testing.T, serve func(nc net.Conn, br *bufio.Reader, r *http.Request)) *rawServer {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &rawServer{l: l}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		open []net.Conn
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := l.Accept()
			if err != nil {
				return
			}
			s.conns.Add(1)
			mu.Lock()
			open = append(open, nc)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer nc.Close()
				br := bufio.NewReader(nc)
				r, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				serve(nc, br, r)
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, nc := range open {
			nc.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return s
}

// URL returns the ws:// URL of path on the server.
func (s *rawServer) URL(path string) string { return "ws://" + s.l.Addr().String() + path }

// switchProtocols writes the response 101 to the handshake request r, and
// frames after it in the same write.
func switchProtocols(nc net.Conn, r *http.Request, frames []byte) {
	sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + base64.StdEncoding.EncodeToString(sum[:]) + "\r\n\r\n"
	nc.Write(append([]byte(resp), frames...))
}

// frame returns a frame whose first byte is b0 (FIN, opcode) with payload
// of less than 126 bytes, masked with key when key is not nil.
func frame(b0 byte, payload string, key []byte) []byte {
	f := []byte{b0, byte(len(payload))}
	if key == nil {
		return append(f, payload...)
	}
	f[1] |= 0x80
	f = append(f, key...)
	for i := range len(payload) {
		f = append(f, payload[i]^key[i%4])
	}
	return f
}

// readFrame reads one frame from br and returns its first byte and its
// payload, unmasked.
func readFrame(br *bufio.Reader) (b0 byte, payload []byte, err error) {
	var h [2]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return 0, nil, err
	}
	n := int(h[1] & 0x7f)
	switch n {
	case 126:
		var ext [2]byte
		if _, err := io.ReadFull(br, ext[:]); err != nil {
			return 0, nil, err
		}
		n = int(endian.BigEndian.Uint16(ext[:]))
	case 127:
		return 0, nil, errors.New("a frame too long for a test")
	}
	var key [4]byte
	if h[1]&0x80 != 0 {
		if _, err := io.ReadFull(br, key[:]); err != nil {
			return 0, nil, err
		}
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(br, payload); err != nil {
		return 0, nil, err
	}
	for i := range payload {
		payload[i] ^= key[i%4]
	}
	return h[0], payload, nil
}

// closeFrom reads frames from br up to a close frame and returns its
// code and reason, or code 0 when the connection ends first.
func closeFrom(br *bufio.Reader) message.Close {
	for {
		b0, p, err := readFrame(br)
		if err != nil {
			return message.Close{}
		}
		if b0&0x0f == 0x8 && len(p) >= 2 {
			return message.Close{Code: message.Code(endian.BigEndian.Uint16(p)), Reason: string(p[2:])}
		}
	}
}

// RFC 6455 section 5.1: a client fails the connection (1002) on a masked
// frame from the server, and delivers nothing of it.
func TestMaskedFrameFromServer(t *testing.T) {
	key := []byte{1, 2, 3, 4}
	for _, tt := range []struct {
		name   string
		frames []byte
	}{
		{"text", frame(0x81, "masked!", key)},
		{"continuation", append(frame(0x01, "mas", nil), frame(0x80, "ked!", key)...)},
		{"ping", frame(0x89, "ping", key)},
	} {
		for _, late := range []bool{false, true} {
			name := tt.name + ", with the handshake's response"
			if late {
				name = tt.name + ", after the client's message"
			}
			t.Run(name, func(t *testing.T) {
				closed := make(chan message.Close, 1)
				srv := serveRaw(t, func(nc net.Conn, br *bufio.Reader, r *http.Request) {
					first := append(frame(0x81, "before", nil), tt.frames...)
					if late {
						first = frame(0x81, "before", nil)
					}
					switchProtocols(nc, r, first)
					if late {
						readFrame(br) // the client's "go"
						nc.Write(tt.frames)
					}
					closed <- closeFrom(br)
				})
				got := make(chan string, 3)
				err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), listen([]string{"go"}, got))
				require.Error(t, err)
				close(got)
				var msgs []string
				for m := range got {
					msgs = append(msgs, m)
				}
				require.Equal(t, []string{"before"}, msgs, "the masked frame was delivered")
				require.Equal(t, message.ProtocolError, (<-closed).Code, "the client's close")
				require.ErrorContains(t, err, "masked frame")
			})
		}
	}
}

// A redirect is not followed (as browsers and gorilla/websocket do not
// follow one on a WebSocket handshake): the 3xx is a *HandshakeError, and
// nothing, the credentials least of all, goes to its Location.
func TestRedirectIsNotFollowed(t *testing.T) {
	target := serveRaw(t, func(nc net.Conn, _ *bufio.Reader, _ *http.Request) {
		nc.Write([]byte("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
	})
	credentials := []client.Option{
		client.WithHeader("Authorization", "Bearer secret"),
		client.WithHeader("Cookie", "session=secret"),
		client.WithHeader("X-Api-Key", "secret"),
	}
	redirect := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, target.URL("/"), status) }
	}
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(strconv.Itoa(status)+" to another port", func(t *testing.T) {
			srv := wstest.Serve(t, redirect(status))
			err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), listen(nil, make(chan string)), credentials...)
			var he *client.HandshakeError
			require.ErrorAs(t, err, &he)
			require.Equal(t, status, he.StatusCode)
			require.Equal(t, target.URL("/"), he.Location)
		})
	}
	t.Run("wss:// to ws://", func(t *testing.T) {
		srv := httptest.NewTLSServer(redirect(http.StatusFound))
		defer srv.Close()
		pool := x509.NewCertPool()
		pool.AddCert(srv.Certificate())
		opts := append([]client.Option{client.WithTLSConfig(&tls.Config{RootCAs: pool})}, credentials...)
		err := client.Dial(testCtx(t), "wss"+strings.TrimPrefix(srv.URL, "https")+"/", transformer.String(), listen(nil, make(chan string)), opts...)
		var he *client.HandshakeError
		require.ErrorAs(t, err, &he)
		require.Equal(t, http.StatusFound, he.StatusCode)
		require.Equal(t, target.URL("/"), he.Location)
		require.ErrorContains(t, err, `websocket: handshake refused with HTTP 302: a redirect to "`+target.URL("/")+`", not followed`)
	})
	require.Zero(t, target.conns.Load(), "connections to the redirect's target")
}

// A server that accepts the connection and never answers the handshake
// is given up after the handshake timeout.
func TestHandshakeTimeout(t *testing.T) {
	srv := serveRaw(t, func(_ net.Conn, br *bufio.Reader, _ *http.Request) { io.Copy(io.Discard, br) })
	err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), listen(nil, make(chan string)),
		client.WithHandshakeTimeout(50*time.Millisecond))
	require.ErrorIs(t, err, client.ErrHandshakeTimeout)
	require.EqualError(t, err, "websocket: handshake timed out after 50ms")

	_, err = client.Open(testCtx(t), srv.URL("/"), client.WithHandshakeTimeout(50*time.Millisecond))
	require.ErrorIs(t, err, client.ErrHandshakeTimeout)
}

// The close 1009 names the read limit, as the server's does, not the
// limit plus one byte that coder/websocket reads to find it exceeded.
func TestMessageTooBigNamesLimit(t *testing.T) {
	closed := make(chan message.Close, 1)
	srv := serveRaw(t, func(nc net.Conn, br *bufio.Reader, r *http.Request) {
		n := client.DefaultReadLimit + 1
		big := endian.BigEndian.AppendUint64([]byte{0x81, 127}, uint64(n))
		switchProtocols(nc, r, append(big, make([]byte, n)...))
		closed <- closeFrom(br)
	})
	err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), listen(nil, make(chan string)))
	require.Error(t, err)
	require.Equal(t, message.Close{Code: message.MessageTooBig, Reason: "message too big: the limit is 65536 bytes"}, <-closed)
}
