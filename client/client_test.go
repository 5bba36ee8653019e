package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/internal/flowtest"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/transformer"
)

// testCtx bounds a test against hangs; it is a guard, not a speed
// assertion.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), wstest.DefaultTimeout)
	t.Cleanup(cancel)
	return ctx
}

var hello = router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
	return flow.Map(func(m string) string { return "Hello, " + m })
})

func TestEcho(t *testing.T) {
	srv := wstest.Serve(t, hello)
	var got []string
	err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flowtest.Script([]string{"a", "b", "ünï"}, 3, &got))
	require.NoError(t, err)
	require.Equal(t, []string{"Hello, a", "Hello, b", "Hello, ünï"}, got)
}

func TestJSON(t *testing.T) {
	type point struct{ X, Y int }
	srv := wstest.Serve(t, router.Accept(transformer.Model[point, point](), func(*http.Request) flow.Flow[point, point] {
		return flow.Map(func(p point) point { return point{p.Y, p.X} })
	}))
	var got []point
	f := flow.StageFunc(func(ctx context.Context, in <-chan point, emit func(point) error) error {
		if err := emit(point{1, 2}); err != nil {
			return err
		}
		got = append(got, <-in)
		return nil
	})
	require.NoError(t, client.Dial(testCtx(t), srv.URL("/"), transformer.Model[point, point](), f))
	require.Equal(t, []point{{2, 1}}, got)

	// The raw JSON transformer too.
	var raw []string
	j := flow.StageFunc(func(ctx context.Context, in <-chan json.RawMessage, emit func(json.RawMessage) error) error {
		if err := emit(json.RawMessage(`{"X":3,"Y":4}`)); err != nil {
			return err
		}
		raw = append(raw, string(<-in))
		return nil
	})
	require.NoError(t, client.Dial(testCtx(t), srv.URL("/"), transformer.JSON(), j))
	require.JSONEq(t, `{"X":4,"Y":3}`, raw[0])
}

// recorder is a coder/websocket server that sends what the test gives it
// and reports the close the client sent.
type recorder struct {
	send     []func(ctx context.Context, c *websocket.Conn) // run in order after the upgrade
	closed   chan error                                     // the error that ended reading
	received []string                                       // what came before it; read after closed
}

func serveRecorder(t *testing.T, send ...func(ctx context.Context, c *websocket.Conn)) (*wstest.Server, *recorder) {
	r := &recorder{send: send, closed: make(chan error, 1)}
	srv := wstest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		c, err := websocket.Accept(w, req, nil)
		if err != nil {
			r.closed <- err
			return
		}
		defer c.CloseNow()
		ctx := context.Background()
		for _, s := range r.send {
			s(ctx, c)
		}
		for {
			_, p, err := c.Read(ctx)
			if err != nil {
				r.closed <- err
				return
			}
			r.received = append(r.received, string(p))
		}
	}))
	return srv, r
}

func text(s string) func(context.Context, *websocket.Conn) {
	return func(ctx context.Context, c *websocket.Conn) { c.Write(ctx, websocket.MessageText, []byte(s)) }
}

func binary(p []byte) func(context.Context, *websocket.Conn) {
	return func(ctx context.Context, c *websocket.Conn) { c.Write(ctx, websocket.MessageBinary, p) }
}

// clientClose returns the close the recorder's peer sent.
func (r *recorder) clientClose(t *testing.T) message.Close {
	t.Helper()
	err := <-r.closed
	var ce websocket.CloseError
	require.ErrorAs(t, err, &ce)
	return message.Close{Code: message.Code(ce.Code), Reason: ce.Reason}
}

// The client's close rules: what ends the client's flow decides the close
// the server gets, and what Dial returns.
func TestClientCloseRules(t *testing.T) {
	never := flow.FromChannel(make(chan string))
	tests := []struct {
		name    string
		send    []func(context.Context, *websocket.Conn)
		f       flow.Flow[string, string]
		want    message.Close
		wantErr func(t *testing.T, err error)
	}{
		{"output completes", nil, flow.Wrap(flow.Ignore[string](), flow.Just("a", "b", "c")),
			message.Close{Code: message.NormalClosure},
			func(t *testing.T, err error) { require.NoError(t, err) }},
		{"close error", nil, flow.Wrap(flow.Ignore[string](), flow.Failed[string](message.NewCloseError(4001, "custom"))),
			message.Close{Code: 4001, Reason: "custom"},
			func(t *testing.T, err error) {
				var ce *message.CloseError
				require.ErrorAs(t, err, &ce)
				require.Equal(t, message.Code(4001), ce.Code)
			}},
		{"ordinary error", nil, flow.Wrap(flow.Ignore[string](), flow.Failed[string](errors.New("secret-detail"))),
			message.Close{Code: message.InternalError, Reason: "internal error"},
			func(t *testing.T, err error) { require.EqualError(t, err, "secret-detail") }},
		{"binary on a text socket", []func(context.Context, *websocket.Conn){binary([]byte{1})}, flow.Wrap(flow.Ignore[string](), never),
			message.Close{Code: message.UnsupportedData, Reason: "this socket accepts only text messages"},
			func(t *testing.T, err error) {
				var ce *message.CloseError
				require.ErrorAs(t, err, &ce)
				require.Equal(t, message.UnsupportedData, ce.Code)
			}},
		{"invalid UTF-8", []func(context.Context, *websocket.Conn){text("a\xffb")}, flow.Wrap(flow.Ignore[string](), never),
			message.Close{Code: message.InvalidPayload, Reason: "text message is not valid UTF-8"},
			func(t *testing.T, err error) { require.Error(t, err) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, rec := serveRecorder(t, tt.send...)
			err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), tt.f)
			tt.wantErr(t, err)
			require.Equal(t, tt.want, rec.clientClose(t))
			if tt.name == "output completes" {
				require.Equal(t, []string{"a", "b", "c"}, rec.received, "flushed before the close")
			}
		})
	}
}

func TestClientReadLimit(t *testing.T) {
	srv, rec := serveRecorder(t, text("0123456789"), text("0123456789a"))
	got := make(chan string, 1)
	err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flowtest.Listen(nil, got), client.WithReadLimit(10))
	require.Error(t, err)
	require.Equal(t, "0123456789", <-got)
	require.Equal(t, message.MessageTooBig, rec.clientClose(t).Code)
}

func TestContextEndGoesAway(t *testing.T) {
	srv, rec := serveRecorder(t, text("ready"))
	ctx, cancel := context.WithCancel(testCtx(t))
	f := flow.StageFunc(func(fctx context.Context, in <-chan string, emit func(string) error) error {
		<-in
		cancel() // the client leaves once the server has spoken
		<-fctx.Done()
		return nil
	})
	err := client.Dial(ctx, srv.URL("/"), transformer.String(), f)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, message.Close{Code: message.GoingAway, Reason: "going away"}, rec.clientClose(t))
}

// The server's close rules as the client sees them: the close completes
// the flow's input and cancels its output; Dial reports the code.
func TestServerCloseRules(t *testing.T) {
	closeWith := func(code websocket.StatusCode, reason string) func(context.Context, *websocket.Conn) {
		return func(_ context.Context, c *websocket.Conn) { c.Close(code, reason) }
	}
	t.Run("1000", func(t *testing.T) {
		srv, _ := serveRecorder(t, text("last"), closeWith(websocket.StatusNormalClosure, "done"))
		got := make(chan string, 1)
		require.NoError(t, client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flowtest.Listen(nil, got)))
		require.Equal(t, "last", <-got, "a message before the close is delivered")
	})
	t.Run("other code", func(t *testing.T) {
		srv, _ := serveRecorder(t, closeWith(4002, "bye"))
		err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flowtest.Listen(nil, make(chan string)))
		var sc *client.ServerClosed
		require.ErrorAs(t, err, &sc)
		require.Equal(t, message.Close{Code: 4002, Reason: "bye"}, sc.Close)
		var ce *message.CloseError
		require.ErrorAs(t, err, &ce)
		require.EqualError(t, err, `websocket: server closed: 4002: "bye"`)
	})
	t.Run("input delivered, output cancelled", func(t *testing.T) {
		srv, _ := serveRecorder(t, text("a"), text("b"), closeWith(websocket.StatusGoingAway, "restart"))
		var mu sync.Mutex
		var got []string
		outputErr := make(chan error, 1)
		sink := flow.ForEach(func(m string) { mu.Lock(); got = append(got, m); mu.Unlock() })
		src := flow.SourceFunc(func(ctx context.Context, emit func(string) error) error {
			<-ctx.Done()
			outputErr <- ctx.Err()
			return ctx.Err()
		})
		err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flow.Wrap(sink, src))
		var sc *client.ServerClosed
		require.ErrorAs(t, err, &sc)
		require.Equal(t, message.Close{Code: message.GoingAway, Reason: "restart"}, sc.Close)
		require.ErrorIs(t, <-outputErr, context.Canceled)
		mu.Lock()
		defer mu.Unlock()
		require.Equal(t, []string{"a", "b"}, got)
	})
	t.Run("dropped", func(t *testing.T) {
		srv, _ := serveRecorder(t, text("x"), func(_ context.Context, c *websocket.Conn) { c.CloseNow() })
		err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flowtest.Listen(nil, make(chan string, 1)))
		require.Error(t, err)
		var sc *client.ServerClosed
		require.False(t, errors.As(err, &sc), "%v", err)
	})
}

// Through the router, both ways: the router's flow completing closes the
// client's with 1000; the client's completing closes the router's.
func TestAgainstTheRouter(t *testing.T) {
	done := make(chan error, 1)
	srv := wstest.Serve(t, router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]().OnDone(func(err error) { done <- err })
	}))
	var got []string
	require.NoError(t, client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flowtest.Script([]string{"x"}, 1, &got)))
	require.Equal(t, []string{"x"}, got)
	require.NoError(t, <-done, "the router's flow input completed with the client's 1000")

	fail := wstest.Serve(t, router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.MapErr(func(string) (string, error) { return "", message.NewCloseError(4003, "no") })
	}))
	err := client.Dial(testCtx(t), fail.URL("/"), transformer.String(), flowtest.Listen([]string{"x"}, make(chan string)))
	var sc *client.ServerClosed
	require.ErrorAs(t, err, &sc)
	require.Equal(t, message.Close{Code: 4003, Reason: "no"}, sc.Close)
}

func TestHandshakeRefused(t *testing.T) {
	srv := wstest.Serve(t, router.AcceptOrResult(transformer.String(), func(r *http.Request) (flow.Flow[string, string], error) {
		return flow.Flow[string, string]{}, &router.Rejection{
			Status: http.StatusUnauthorized, Body: "401 unauthorized",
			Header: http.Header{"Www-Authenticate": {`Basic realm="chat"`}},
		}
	}))
	err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flow.Identity[string]())
	var he *client.HandshakeError
	require.ErrorAs(t, err, &he)
	require.Equal(t, http.StatusUnauthorized, he.StatusCode)
	require.Equal(t, `Basic realm="chat"`, he.Header.Get("WWW-Authenticate"))
	require.Equal(t, "401 unauthorized\n", he.Body)
	require.EqualError(t, err, `websocket: handshake refused with HTTP 401: "401 unauthorized\n"`)
}

func TestHandshakeOptions(t *testing.T) {
	srv := wstest.Serve(t, router.Accept(transformer.String(), func(r *http.Request) flow.Flow[string, string] {
		return flow.Map(func(string) string { return r.Header.Get("X-Test") })
	}, router.WithSubprotocols("v1"), router.WithCompression(message.CompressionContextTakeover)))
	var resp *http.Response
	var got []string
	err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flowtest.Script([]string{strings.Repeat("compressible ", 100)}, 1, &got),
		client.WithHeader("X-Test", "yes"),
		client.WithSubprotocols("v2", "v1"),
		client.WithCompression(message.CompressionContextTakeover),
		client.WithOnOpen(func(r *http.Response) { resp = r }))
	require.NoError(t, err)
	require.Equal(t, []string{"yes"}, got)
	require.Equal(t, "v1", resp.Header.Get("Sec-WebSocket-Protocol"))
	require.Contains(t, resp.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate")
}

func TestKeepAlivePings(t *testing.T) {
	pings := make(chan struct{}, 100)
	srv := wstest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{OnPingReceived: func(context.Context, []byte) bool {
			select {
			case pings <- struct{}{}:
			default:
			}
			return true
		}})
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			if _, _, err := c.Read(context.Background()); err != nil {
				return
			}
		}
	}))
	ctx, cancel := context.WithCancel(testCtx(t))
	idle := flow.StageFunc(func(fctx context.Context, in <-chan string, emit func(string) error) error {
		for range 3 {
			select {
			case <-pings:
			case <-fctx.Done(): // the socket ended first
				return fctx.Err()
			}
		}
		cancel()
		<-fctx.Done()
		return nil
	})
	err := client.Dial(ctx, srv.URL("/"), transformer.String(), idle, client.WithKeepAlive(20*time.Millisecond))
	require.ErrorIs(t, err, context.Canceled)
}

// A server that goes away and comes back on the same port: the client
// retries with growing waits and runs its flow again on the new
// connection.
func TestReconnectWithBackoff(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	serve := func(ln net.Listener) (stop func()) {
		var g router.Group
		hs := &http.Server{Handler: router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
			return flow.Map(func(m string) string { return "Hello, " + m })
		}, router.WithGroup(&g))}
		served := make(chan struct{})
		go func() { defer close(served); hs.Serve(ln) }()
		return func() {
			hs.Close()
			g.Shutdown(context.Background())
			<-served
		}
	}
	stop := serve(ln)

	type retry struct {
		err  error
		wait time.Duration
	}
	retries := make(chan retry, 100)
	got := make(chan string, 10)
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	b := client.Backoff{Min: time.Millisecond, Max: 8 * time.Millisecond, Factor: 2, Jitter: 0.5,
		OnRetry: func(err error, wait time.Duration) { retries <- retry{err, wait} }}
	ended := make(chan error, 1)
	go func() {
		ended <- client.Dial(ctx, "ws://"+addr+"/", transformer.String(), flowtest.Listen([]string{"again"}, got), client.WithReconnect(b))
	}()
	require.Equal(t, "Hello, again", <-got)

	stop() // the server goes away: 1001, then nothing listens
	first := <-retries
	var sc *client.ServerClosed
	require.ErrorAs(t, first.err, &sc)
	require.Equal(t, message.GoingAway, sc.Code)
	require.GreaterOrEqual(t, first.wait, b.Min)
	require.LessOrEqual(t, first.wait, b.Min+b.Min/2)
	base := b.Min
	for range 5 { // refused dials, each waiting longer, up to Max
		base = min(2*base, b.Max)
		r := <-retries
		require.Error(t, r.err)
		require.GreaterOrEqual(t, r.wait, base)
		require.LessOrEqual(t, r.wait, base+base/2)
	}

	ln, err = net.Listen("tcp", addr) // back on the same port
	require.NoError(t, err)
	stop = serve(ln)
	defer stop()
	require.Equal(t, "Hello, again", <-got, "the flow ran again on the new connection")
	cancel()
	require.ErrorIs(t, <-ended, context.Canceled)
}
