package router_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/transformer"
)

func TestShutdownFlushesThenGoesAway(t *testing.T) {
	g := router.NewGroup(0)
	const n = 50
	written := make(chan struct{}, 3)
	h := router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		ch := make(chan string, n+1)
		for i := range n + 1 {
			ch <- fmt.Sprint("m", i)
		}
		seen := 0
		// Emits are sequential: when Map sees message n, messages 0..n-1
		// have been written. Message n itself may or may not be.
		src := flow.Through(flow.FromChannel(ch), flow.Map(func(m string) string {
			if seen++; seen == n+1 {
				written <- struct{}{}
			}
			return m
		}))
		return flow.Wrap(flow.Ignore[string](), src)
	}, router.WithGroup(g))
	url := serve(t, h)
	conns := []*websocket.Conn{dial(t, url), dial(t, url), dial(t, url)}
	for range conns {
		<-written
	}
	require.Equal(t, 3, g.Len())

	done := make(chan error, 1)
	go func() { done <- g.Shutdown(testCtx(t)) }()
	for _, c := range conns {
		for i := range n {
			expectText(t, c, fmt.Sprint("m", i))
		}
		expectGoingAwayAfter(t, c, fmt.Sprint("m", n))
	}
	require.NoError(t, <-done)
	require.Equal(t, 0, g.Len())

	_, resp, err := websocket.Dial(testCtx(t), url, nil)
	require.Error(t, err)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	resp.Body.Close()
}

// expectGoingAwayAfter expects close 1001, possibly after the message
// last.
func expectGoingAwayAfter(t *testing.T, c *websocket.Conn, last string) {
	t.Helper()
	typ, p, err := c.Read(testCtx(t))
	if err == nil {
		require.Equal(t, websocket.MessageText, typ)
		require.Equal(t, last, string(p))
	} else {
		require.Equal(t, websocket.StatusGoingAway, websocket.CloseStatus(err))
		return
	}
	expectClose(t, c, websocket.StatusGoingAway, "going away")
}

func TestShutdownDropsPeersThatDoNotCloseInTime(t *testing.T) {
	g := router.NewGroup(0)
	url := serve(t, router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]()
	}, router.WithGroup(g)))
	// A peer that never reads never answers the close frame.
	c := dial(t, url)
	send(t, c, websocket.MessageText, "x")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, g.Shutdown(ctx), context.Canceled)
	require.Equal(t, 0, g.Len())
}

func TestMaxConns(t *testing.T) {
	g := router.NewGroup(2)
	url := serve(t, echoWith(router.WithGroup(g)))
	a, b := dial(t, url), dial(t, url)
	_, resp, err := websocket.Dial(testCtx(t), url, nil)
	require.Error(t, err)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Contains(t, string(body), "too many open connections")

	require.NoError(t, a.Close(websocket.StatusNormalClosure, ""))
	require.Eventually(t, func() bool { return g.Len() == 1 }, 10*time.Second, time.Millisecond)
	c := dial(t, url)
	send(t, c, websocket.MessageText, "ok")
	expectText(t, c, "ok")
	send(t, b, websocket.MessageText, "still")
	expectText(t, b, "still")
}

func echoWith(opts ...router.Option) http.Handler {
	return router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]()
	}, opts...)
}

func TestKeepAliveKeepsAnsweringPeer(t *testing.T) {
	url := serve(t, echoWith(router.WithKeepAlive(10*time.Millisecond)))
	pings := make(chan struct{}, 100)
	c, _, err := websocket.Dial(testCtx(t), url, &websocket.DialOptions{
		OnPingReceived: func(context.Context, []byte) bool {
			select {
			case pings <- struct{}{}:
			default:
			}
			return true
		},
	})
	require.NoError(t, err)
	defer c.CloseNow()
	// Reading in the background answers the pings.
	got := make(chan string)
	go func() {
		defer close(got)
		for {
			_, p, err := c.Read(context.Background())
			if err != nil {
				return
			}
			got <- string(p)
		}
	}()
	for range 5 {
		<-pings
	}
	send(t, c, websocket.MessageText, "alive")
	require.Equal(t, "alive", <-got)
	require.NoError(t, c.Close(websocket.StatusNormalClosure, ""))
	for range got {
	}
}

func TestKeepAliveDropsSilentPeer(t *testing.T) {
	stopped := make(chan error, 1)
	url := serve(t, router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]().OnDone(func(err error) { stopped <- err })
	}, router.WithKeepAlive(10*time.Millisecond)))
	// This peer never reads, so it never answers a ping.
	dial(t, url)
	<-stopped
}

func TestWriteTimeoutDropsPeerThatNeverReads(t *testing.T) {
	stopped := make(chan error, 1)
	quit := make(chan struct{})
	t.Cleanup(func() { close(quit) })
	big := strings.Repeat("x", 32<<10)
	url := serve(t, router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		ch := make(chan string)
		go func() {
			for {
				select {
				case ch <- big:
				case <-quit:
					return
				}
			}
		}()
		return flow.Wrap(flow.Ignore[string](), flow.FromChannel(ch)).OnDone(func(err error) { stopped <- err })
	}, router.WithKeepAlive(0), router.WithWriteTimeout(20*time.Millisecond)))
	dial(t, url) // never reads
	require.Error(t, <-stopped)
}

func TestSubprotocol(t *testing.T) {
	url := serve(t, echoWith(router.WithSubprotocols("v2.chat", "v1.chat")))
	c, _, err := websocket.Dial(testCtx(t), url, &websocket.DialOptions{Subprotocols: []string{"v1.chat"}})
	require.NoError(t, err)
	defer c.CloseNow()
	require.Equal(t, "v1.chat", c.Subprotocol())
}

func TestCompression(t *testing.T) {
	url := serve(t, echoWith(router.WithCompression(router.CompressionContextTakeover)))
	c, resp, err := websocket.Dial(testCtx(t), url, &websocket.DialOptions{CompressionMode: websocket.CompressionContextTakeover})
	require.NoError(t, err)
	defer c.CloseNow()
	require.Contains(t, resp.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate")
	msg := strings.Repeat("compressible ", 1000)
	send(t, c, websocket.MessageText, msg)
	expectText(t, c, msg)
}

func TestOrigins(t *testing.T) {
	url := serve(t, echoWith(router.WithOrigins("*.example.com", "https://trusted.io")))
	host := strings.TrimPrefix(url, "ws://")
	for _, tt := range []struct {
		origin string
		ok     bool
	}{
		{"", true},
		{"http://" + host, true},
		{"https://app.example.com", true},
		{"http://app.example.com", true},
		{"https://trusted.io", true},
		{"http://trusted.io", false},
		{"https://example.com.evil.io", false},
		{"https://evil.io", false},
		{"null", false},
	} {
		t.Run(tt.origin, func(t *testing.T) {
			h := http.Header{}
			if tt.origin != "" {
				h.Set("Origin", tt.origin)
			}
			c, resp, err := websocket.Dial(testCtx(t), url, &websocket.DialOptions{HTTPHeader: h})
			if tt.ok {
				require.NoError(t, err)
				c.CloseNow()
				return
			}
			require.Error(t, err)
			require.Equal(t, http.StatusForbidden, resp.StatusCode)
			resp.Body.Close()
		})
	}
}
