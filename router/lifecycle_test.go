package router_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
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
	srv := wstest.Serve(t, h)
	conns := []*wstest.Conn{srv.Dial(t, "/"), srv.Dial(t, "/"), srv.Dial(t, "/")}
	for range conns {
		<-written
	}
	require.Equal(t, 3, g.Len())

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- g.Shutdown(ctx) }()
	for _, c := range conns {
		for i := range n {
			c.ExpectText(fmt.Sprint("m", i))
		}
		// Close 1001, possibly after the last message.
		if typ, p, closed := c.Next(); closed != nil {
			require.Equal(t, message.GoingAway, closed.Code)
		} else {
			require.Equal(t, message.KindText, typ)
			require.Equal(t, fmt.Sprint("m", n), string(p))
			c.ExpectClose(message.GoingAway, "going away")
		}
	}
	require.NoError(t, <-done)
	require.Equal(t, 0, g.Len())
	require.Equal(t, http.StatusServiceUnavailable, srv.DialRefused(t, "/").StatusCode)
}

func TestShutdownDropsPeersThatDoNotCloseInTime(t *testing.T) {
	g := router.NewGroup(0)
	srv := wstest.Serve(t, router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]()
	}, router.WithGroup(g)))
	// A peer that never reads never answers the close frame.
	srv.Dial(t, "/").SendText("x")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, g.Shutdown(ctx), context.Canceled)
	require.Equal(t, 0, g.Len())
}

func TestMaxConns(t *testing.T) {
	g := router.NewGroup(2)
	srv := wstest.Serve(t, echoWith(router.WithGroup(g)))
	a, b := srv.Dial(t, "/"), srv.Dial(t, "/")
	resp := srv.DialRefused(t, "/")
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Contains(t, resp.Body, "too many open connections")

	a.Close()
	require.Eventually(t, func() bool { return g.Len() == 1 }, 10*time.Second, time.Millisecond)
	c := srv.Dial(t, "/")
	c.SendText("ok")
	c.ExpectText("ok")
	b.SendText("still")
	b.ExpectText("still")
}

func echoWith(opts ...router.Option) http.Handler {
	return router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]()
	}, opts...)
}

// rawDial opens a coder/websocket connection to url, closed at the end of
// the test, for the keep-alive tests: they need a peer that reads, and
// so answers pings, only as they say, and to see the pings (a wstest.Conn
// answers every ping).
func rawDial(t *testing.T, url string, opts *websocket.DialOptions) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wstest.DefaultTimeout)
	defer cancel()
	c, _, err := websocket.Dial(ctx, url, opts)
	require.NoError(t, err)
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func TestKeepAliveKeepsAnsweringPeer(t *testing.T) {
	srv := wstest.Serve(t, echoWith(router.WithKeepAlive(10*time.Millisecond)))
	pings := make(chan struct{}, 100)
	c := rawDial(t, srv.URL("/"), &websocket.DialOptions{
		OnPingReceived: func(context.Context, []byte) bool {
			select {
			case pings <- struct{}{}:
			default:
			}
			return true
		},
	})
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
	require.NoError(t, c.Write(context.Background(), websocket.MessageText, []byte("alive")))
	require.Equal(t, "alive", <-got)
	require.NoError(t, c.Close(websocket.StatusNormalClosure, ""))
	for range got {
	}
}

func TestKeepAliveDropsSilentPeer(t *testing.T) {
	stopped := make(chan error, 1)
	srv := wstest.Serve(t, router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]().OnDone(func(err error) { stopped <- err })
	}, router.WithKeepAlive(10*time.Millisecond)))
	// This peer never reads, so it never answers a ping.
	rawDial(t, srv.URL("/"), nil)
	<-stopped
}

func TestWriteTimeoutDropsPeerThatNeverReads(t *testing.T) {
	stopped := make(chan error, 1)
	quit := make(chan struct{})
	t.Cleanup(func() { close(quit) })
	big := strings.Repeat("x", 32<<10)
	srv := wstest.Serve(t, router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
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
	srv.Dial(t, "/") // never reads
	require.Error(t, <-stopped)
}

func TestSubprotocol(t *testing.T) {
	srv := wstest.Serve(t, echoWith(router.WithSubprotocols("v2.chat", "v1.chat")))
	c := srv.Dial(t, "/", wstest.WithSubprotocols("v1.chat"))
	require.Equal(t, "v1.chat", c.Subprotocol())
}

func TestCompression(t *testing.T) {
	srv := wstest.Serve(t, echoWith(router.WithCompression(message.CompressionContextTakeover)))
	c := srv.Dial(t, "/", wstest.WithCompression(message.CompressionContextTakeover))
	require.Contains(t, c.Response().Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate")
	msg := strings.Repeat("compressible ", 1000)
	c.SendText(msg)
	c.ExpectText(msg)
}

func TestOrigins(t *testing.T) {
	srv := wstest.Serve(t, echoWith(router.WithOrigins("*.example.com", "https://trusted.io")))
	for _, tt := range []struct {
		origin string
		ok     bool
	}{
		{"", true},
		{srv.HTTPURL(""), true},
		{"https://app.example.com", true},
		{"http://app.example.com", true},
		{"https://trusted.io", true},
		{"http://trusted.io", false},
		{"https://example.com.evil.io", false},
		{"https://evil.io", false},
		{"null", false},
	} {
		t.Run(tt.origin, func(t *testing.T) {
			var opts []wstest.DialOption
			if tt.origin != "" {
				opts = append(opts, wstest.WithHeader("Origin", tt.origin))
			}
			if tt.ok {
				srv.Dial(t, "/", opts...).CloseNow()
				return
			}
			require.Equal(t, http.StatusForbidden, srv.DialRefused(t, "/", opts...).StatusCode)
		})
	}
}

// A handshake still under way when Shutdown's grace ends does not hold
// Shutdown: it returns, and the socket is dropped once it opens.
func TestShutdownDoesNotWaitForHandshakeUnderWay(t *testing.T) {
	g := router.NewGroup(0)
	building := make(chan struct{})
	release := make(chan struct{})
	srv := wstest.Serve(t, router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		close(building)
		<-release
		return flow.Identity[string]()
	}, router.WithGroup(g)))
	dialed := make(chan error, 1)
	go func() {
		c, _, err := websocket.Dial(context.Background(), srv.URL("/"), nil)
		if err == nil {
			_, _, err = c.Read(context.Background())
			c.CloseNow()
		}
		dialed <- err
	}()
	<-building
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, g.Shutdown(ctx), context.Canceled)
	require.Equal(t, 0, g.Len())
	close(release)
	require.Error(t, <-dialed, "the socket opened after Shutdown is dropped")
}
