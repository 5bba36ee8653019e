package demo

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestPlainRequestBodyIsBounded: a plain HTTP request that declares a
// body and never sends it is closed once -handshake-timeout has passed, on
// every route that is not an upgrade, whether the body has a length or is
// chunked: net/http discards an unread body before it answers, and would
// wait for it for ever.
func TestPlainRequestBodyIsBounded(t *testing.T) {
	d := startCommand(t, "-handshake-timeout", "200ms")
	paths := []string{"/", "/healthz", "/metrics", "/login?user=ann", "/no-such-route", "/echo"}
	bodies := []string{"Content-Length: 1000\r\n", "Transfer-Encoding: chunked\r\n"}
	var wg sync.WaitGroup
	for _, path := range paths {
		for _, body := range bodies {
			conn, err := net.Dial("tcp", d.addr)
			require.NoError(t, err)
			t.Cleanup(func() { conn.Close() })
			_, err = fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", path, d.addr, body)
			require.NoError(t, err)
			// The deadline only bounds the wait: the server must close the
			// connection well before.
			require.NoError(t, conn.SetReadDeadline(time.Now().Add(testTimeout)))
			wg.Go(func() {
				_, err := io.ReadAll(conn)
				require.NoError(t, err, "GET %s with %q: the server did not close the connection", path, body)
			})
		}
	}
	wg.Wait()
}

// A keep-alive connection whose requests send the bodies they declare is
// answered request after request, past -handshake-timeout.
func TestKeepAliveRequestsWithBodies(t *testing.T) {
	const timeout = 200 * time.Millisecond
	d := startCommand(t, "-handshake-timeout", timeout.String())
	conn, err := net.Dial("tcp", d.addr)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(testTimeout)))
	br := bufio.NewReader(conn)
	began := time.Now()
	for i := 0; i < 3 || time.Since(began) < 3*timeout; i++ {
		_, err = fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: %s\r\nContent-Length: 2\r\n\r\nhi", d.addr)
		require.NoError(t, err)
		resp, err := http.ReadResponse(br, nil)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, "ok", string(body[:2]))
		require.False(t, resp.Close, "request %d: the connection is kept", i)
	}
}
