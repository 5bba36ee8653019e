package router_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
)

// Over TLS the hijacked connection has no file descriptor of its own:
// the socket reads into its buffer through the tls.Conn, and writes its
// frames, gathered or not, through it too. Messages sent in a burst, of
// every length encoding, come back intact and in order.
func TestEchoOverTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(echoWith(router.WithKeepAlive(0), router.WithReadLimit(1<<20)))
	srv.StartTLS()
	defer srv.Close()
	require.True(t, strings.HasPrefix(srv.Listener.Addr().String(), "127.0.0.1:"))
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	ctx, cancel := context.WithTimeout(context.Background(), wstest.DefaultTimeout)
	defer cancel()
	c, err := client.Open(ctx, "wss"+strings.TrimPrefix(srv.URL, "https")+"/", client.WithTLSConfig(&tls.Config{RootCAs: pool}), client.WithReadLimit(1<<20))
	require.NoError(t, err)
	defer c.CloseNow()
	var want []string
	for i, n := range []int{0, 1, 125, 126, 65535, 65536, 100000, 3, 4, 5} {
		want = append(want, fmt.Sprint(i, strings.Repeat("t", n)))
	}
	for _, m := range want { // all sent before any is read: a burst
		require.NoError(t, c.Send(ctx, message.Text(m)))
	}
	for _, m := range want {
		got, err := c.Receive(ctx)
		require.NoError(t, err)
		require.Equal(t, message.Text(m), got)
	}
	require.NoError(t, c.Close(message.NormalClosure, ""))
}
