package router_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/transformer"
)

// readersRunning counts the goroutines reading a socket's frames.
func readersRunning() int {
	buf := make([]byte, 1<<20)
	return strings.Count(string(buf[:runtime.Stack(buf, true)]), "wire.(*Socket[...]).read(")
}

// A socket whose peer falls silent parks, holding no goroutine, and
// serves the peer as before when it speaks again: messages, pings (the
// client's Ping waits for the pong) and the close.
func TestSilentPeerParksAndIsServedAfter(t *testing.T) {
	g := router.NewGroup(0)
	srv := httptest.NewServer(router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]()
	}, router.WithGroup(g), router.WithKeepAlive(0)))
	defer srv.Close()
	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	require.NoError(t, err)
	defer c.CloseNow()
	// The client reads in the background, so that its Ping sees the pong.
	got := make(chan string, 4)
	go func() {
		for {
			_, p, err := c.Read(ctx)
			if err != nil {
				close(got)
				return
			}
			got <- string(p)
		}
	}()

	require.NoError(t, c.Write(ctx, websocket.MessageText, []byte("one")))
	require.Equal(t, "one", <-got)
	require.Eventually(t, func() bool { return readersRunning() == 0 }, 10*time.Second, 10*time.Millisecond, "the socket parks once its peer is silent")

	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second) // a hang guard
	defer cancel()
	require.NoError(t, c.Ping(pingCtx), "a parked socket answers a ping")
	require.Eventually(t, func() bool { return readersRunning() == 0 }, 10*time.Second, 10*time.Millisecond, "and parks again")

	require.NoError(t, c.Write(ctx, websocket.MessageText, []byte("two")))
	require.Equal(t, "two", <-got)
	require.NoError(t, c.Close(websocket.StatusNormalClosure, ""))
	require.NoError(t, g.Shutdown(ctx), "the socket has closed")
}
