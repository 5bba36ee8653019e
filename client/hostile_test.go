package client_test

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	endian "encoding/binary"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/internal/flowtest"
	"github.com/wsflow/wsflow/internal/peertest"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/transformer"
)

// The client against hostile servers: servers written by hand on a
// loopback listener, which write raw bytes.

// RFC 6455 section 5.1: a client fails the connection (1002) on a masked
// frame from the server, and delivers nothing of it.
func TestMaskedFrameFromServer(t *testing.T) {
	key := []byte{1, 2, 3, 4}
	for _, tt := range []struct {
		name   string
		frames []byte
	}{
		{"text", peertest.Frame(0x81, "masked!", key)},
		{"continuation", append(peertest.Frame(0x01, "mas", nil), peertest.Frame(0x80, "ked!", key)...)},
		{"ping", peertest.Frame(0x89, "ping", key)},
	} {
		for _, late := range []bool{false, true} {
			name := tt.name + ", with the handshake's response"
			if late {
				name = tt.name + ", after the client's message"
			}
			t.Run(name, func(t *testing.T) {
				closed := make(chan message.Close, 1)
				srv := peertest.Serve(t, func(nc net.Conn, br *bufio.Reader, r *http.Request) {
					first := append(peertest.Frame(0x81, "before", nil), tt.frames...)
					if late {
						first = peertest.Frame(0x81, "before", nil)
					}
					peertest.SwitchProtocols(nc, r, first)
					if late {
						peertest.ReadFrame(br) // the client's "go"
						nc.Write(tt.frames)
					}
					closed <- peertest.CloseFrom(br)
				})
				got := make(chan string, 3)
				err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flowtest.Listen([]string{"go"}, got))
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
	target := peertest.Serve(t, func(nc net.Conn, _ *bufio.Reader, _ *http.Request) {
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
			err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flowtest.Listen(nil, make(chan string)), credentials...)
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
		err := client.Dial(testCtx(t), "wss"+strings.TrimPrefix(srv.URL, "https")+"/", transformer.String(), flowtest.Listen(nil, make(chan string)), opts...)
		var he *client.HandshakeError
		require.ErrorAs(t, err, &he)
		require.Equal(t, http.StatusFound, he.StatusCode)
		require.Equal(t, target.URL("/"), he.Location)
		require.ErrorContains(t, err, `websocket: handshake refused with HTTP 302: a redirect to "`+target.URL("/")+`", not followed`)
	})
	require.Zero(t, target.Conns.Load(), "connections to the redirect's target")
}

// A server that accepts the connection and never answers the handshake
// is given up after the handshake timeout.
func TestHandshakeTimeout(t *testing.T) {
	srv := peertest.Serve(t, func(_ net.Conn, br *bufio.Reader, _ *http.Request) { io.Copy(io.Discard, br) })
	err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flowtest.Listen(nil, make(chan string)),
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
	srv := peertest.Serve(t, func(nc net.Conn, br *bufio.Reader, r *http.Request) {
		n := client.DefaultReadLimit + 1
		big := endian.BigEndian.AppendUint64([]byte{0x81, 127}, uint64(n))
		peertest.SwitchProtocols(nc, r, append(big, make([]byte, n)...))
		closed <- peertest.CloseFrom(br)
	})
	err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flowtest.Listen(nil, make(chan string)))
	require.Error(t, err)
	require.Equal(t, message.Close{Code: message.MessageTooBig, Reason: "message too big: the limit is 65536 bytes"}, <-closed)
}
