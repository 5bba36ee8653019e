package client_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/internal/flowtest"
	"github.com/wsflow/wsflow/internal/peertest"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/transformer"
)

func TestTLS(t *testing.T) {
	srv := httptest.NewTLSServer(hello)
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	var got []string
	err := client.Dial(testCtx(t), "wss"+strings.TrimPrefix(srv.URL, "https")+"/", transformer.String(),
		flowtest.Script([]string{"tls"}, 1, &got), client.WithTLSConfig(&tls.Config{RootCAs: pool}))
	require.NoError(t, err)
	require.Equal(t, []string{"Hello, tls"}, got)
}

// A server whose connection ends in the middle of a message: the client
// delivers nothing of it (the runtime's wire rules hold on the client).
func TestTruncatedMessageIsNotDelivered(t *testing.T) {
	tests := []struct {
		name   string
		frames []byte
	}{
		{"fragmented message", append(append([]byte{0x01, 6}, "hello "...), append([]byte{0x00, 3}, "wor"...)...)},
		{"partial frame", append([]byte{0x81, 10}, "trunc"...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := handshakeOnly(t, tt.frames, nil)
			got := make(chan string, 1)
			err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flowtest.Listen(nil, got))
			require.Error(t, err)
			var sc *client.ServerClosed
			require.False(t, errors.As(err, &sc))
			require.Empty(t, got, "a truncated message was delivered")
		})
	}
}

// handshakeOnly is a server that completes the handshake by hand, writes
// frames, runs then (if not nil) and closes the connection.
func handshakeOnly(t *testing.T, frames []byte, then func(nc net.Conn)) *wstest.Server {
	return wstest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nc, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer nc.Close()
		peertest.SwitchProtocols(nc, r, frames)
		if then != nil {
			then(nc)
		}
	}))
}

// A server that never answers pings is dropped at the second tick.
func TestKeepAliveDropsASilentServer(t *testing.T) {
	srv := handshakeOnly(t, nil, func(nc net.Conn) { io.Copy(io.Discard, nc) }) // answers nothing
	err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flowtest.Listen(nil, make(chan string)),
		client.WithKeepAlive(5*time.Millisecond))
	require.ErrorContains(t, err, "no pong before the next ping")
}

// A server that takes nothing is dropped once a write has waited for the
// write timeout.
func TestWriteTimeoutDropsAServerThatTakesNothing(t *testing.T) {
	release := make(chan struct{})
	srv := handshakeOnly(t, nil, func(net.Conn) { <-release }) // reads nothing
	t.Cleanup(func() { close(release) })                       // before the server's cleanup
	chunk := strings.Repeat("x", 60<<10)
	flood := flow.SourceFunc(func(ctx context.Context, emit func(string) error) error {
		for {
			if err := emit(chunk); err != nil {
				return err
			}
		}
	})
	err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flow.Wrap(flow.Ignore[string](), flood),
		client.WithWriteTimeout(20*time.Millisecond))
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
}
