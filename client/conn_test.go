package client_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/transformer"
)

// open opens a Conn to url, dropped at the end of the test.
func open(t *testing.T, url string, opts ...client.Option) *client.Conn {
	t.Helper()
	c, err := client.Open(testCtx(t), url, opts...)
	require.NoError(t, err)
	t.Cleanup(c.CloseNow)
	return c
}

func receive(t *testing.T, c *client.Conn) message.Message {
	t.Helper()
	m, err := c.Receive(testCtx(t))
	require.NoError(t, err)
	return m
}

func TestConnSendReceive(t *testing.T) {
	srv := wstest.Serve(t, router.Accept(transformer.Raw(), func(*http.Request) flow.Flow[message.Message, message.Message] {
		return flow.Identity[message.Message]()
	}))
	c := open(t, srv.URL("/"))
	require.Equal(t, http.StatusSwitchingProtocols, c.Response().StatusCode)
	ctx := testCtx(t)
	require.NoError(t, c.Send(ctx, message.Text("héllo")))
	require.Equal(t, message.Text("héllo"), receive(t, c))
	require.NoError(t, c.Send(ctx, message.Binary{0, 0xff}))
	require.Equal(t, message.Binary{0, 0xff}, receive(t, c))
	require.NoError(t, c.Send(ctx, message.Text("a\xffb")), "the client sends what it is given")
	var sc *client.ServerClosed
	_, err := c.Receive(ctx)
	require.ErrorAs(t, err, &sc)
	require.Equal(t, message.Close{Code: message.InvalidPayload, Reason: "text message is not valid UTF-8"}, sc.Close)
	require.ErrorIs(t, c.Send(ctx, message.Text("late")), net.ErrClosed)
	require.NoError(t, c.Close(message.NormalClosure, ""), "closed by the server: not an error")
}

func TestConnSendTakesDataMessagesOnly(t *testing.T) {
	c := open(t, wstest.Serve(t, hello).URL("/"))
	for _, m := range []message.Message{message.Ping("p"), message.Pong("p"), message.Close{Code: message.NormalClosure}, nil} {
		require.Error(t, c.Send(testCtx(t), m), "%T", m)
	}
	require.NoError(t, c.Send(testCtx(t), message.Text("still open")))
	require.Equal(t, message.Text("Hello, still open"), receive(t, c))
}

// Every message sent before the server's close is received, then the
// close itself, reason included for a 1000.
func TestConnReceivesMessagesThenTheClose(t *testing.T) {
	srv, _ := serveRecorder(t, text("a"), binary([]byte{1}), func(_ context.Context, c *websocket.Conn) { c.Close(websocket.StatusNormalClosure, "done") })
	c := open(t, srv.URL("/"))
	require.Equal(t, message.Text("a"), receive(t, c))
	require.Equal(t, message.Binary{1}, receive(t, c))
	_, err := c.Receive(testCtx(t))
	var sc *client.ServerClosed
	require.ErrorAs(t, err, &sc)
	require.Equal(t, message.Close{Code: message.NormalClosure, Reason: "done"}, sc.Close)
	_, err = c.Receive(testCtx(t))
	require.ErrorAs(t, err, &sc, "and again")
}

// Close sends its close frame after what was sent, with its code and
// reason, even while a message the program never received is held.
func TestConnClose(t *testing.T) {
	for _, want := range []message.Close{{Code: message.NormalClosure}, {Code: 4001, Reason: "bye"}} {
		t.Run(fmt.Sprint(want.Code), func(t *testing.T) {
			srv, rec := serveRecorder(t, text("never received"))
			c := open(t, srv.URL("/"))
			ctx := testCtx(t)
			require.NoError(t, c.Send(ctx, message.Text("a")))
			require.NoError(t, c.Send(ctx, message.Binary("b")))
			require.NoError(t, c.Close(want.Code, want.Reason))
			require.Equal(t, want, rec.clientClose(t))
			require.Equal(t, []string{"a", "b"}, rec.received)

			require.ErrorIs(t, c.Send(ctx, message.Text("late")), net.ErrClosed)
			_, err := c.Receive(ctx)
			require.ErrorIs(t, err, net.ErrClosed)
			require.NoError(t, c.Close(message.NormalClosure, ""), "again")
		})
	}
}

func TestConnCloseRefusesUnsendableCodes(t *testing.T) {
	c := open(t, wstest.Serve(t, hello).URL("/"))
	for _, code := range []message.Code{999, message.NoStatusReceived, message.AbnormalClosure, 5000} {
		require.Error(t, c.Close(code, ""), "%d", code)
	}
	require.NoError(t, c.Send(testCtx(t), message.Text("still open")))
	require.Equal(t, message.Text("Hello, still open"), receive(t, c))
}

func TestConnCloseNow(t *testing.T) {
	srv, rec := serveRecorder(t, text("never received"))
	c := open(t, srv.URL("/"))
	c.CloseNow()
	err := <-rec.closed
	var ce websocket.CloseError
	require.False(t, errors.As(err, &ce), "no close frame: %v", err)
	_, err = c.Receive(testCtx(t))
	require.ErrorIs(t, err, net.ErrClosed)
	require.ErrorIs(t, c.Send(testCtx(t), message.Text("x")), net.ErrClosed)
	require.NoError(t, c.Close(message.NormalClosure, ""))
}

// A server that vanishes: Receive and Close report the failure, which is
// no server close.
func TestConnServerDrops(t *testing.T) {
	srv, _ := serveRecorder(t, func(_ context.Context, c *websocket.Conn) { c.CloseNow() })
	c := open(t, srv.URL("/"))
	_, err := c.Receive(testCtx(t))
	require.Error(t, err)
	var sc *client.ServerClosed
	require.False(t, errors.As(err, &sc), "%v", err)
	require.Error(t, c.Close(message.NormalClosure, ""))
}

// The client's own rules of the wire: text that is not UTF-8 closes with
// 1007, as Dial's flows do.
func TestConnRefusesInvalidText(t *testing.T) {
	srv, rec := serveRecorder(t, text("ok"), text("a\xffb"))
	c := open(t, srv.URL("/"))
	require.Equal(t, message.Text("ok"), receive(t, c))
	_, err := c.Receive(testCtx(t))
	var ce *message.CloseError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, message.InvalidPayload, ce.Code)
	require.Equal(t, message.Close{Code: message.InvalidPayload, Reason: "text message is not valid UTF-8"}, rec.clientClose(t))
}

// ctx bounds the handshake only; a Receive that gives up loses nothing.
func TestConnContexts(t *testing.T) {
	srv := wstest.Serve(t, hello)
	ctx, cancel := context.WithCancel(testCtx(t))
	c, err := client.Open(ctx, srv.URL("/"))
	require.NoError(t, err)
	defer c.CloseNow()
	cancel()
	expired, stop := context.WithCancel(testCtx(t))
	stop()
	_, err = c.Receive(expired)
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, c.Send(testCtx(t), message.Text("after")))
	require.Equal(t, message.Text("Hello, after"), receive(t, c))

	_, err = client.Open(expired, srv.URL("/"))
	require.ErrorIs(t, err, context.Canceled)
}

func TestOpenRefused(t *testing.T) {
	srv := wstest.Serve(t, router.AcceptOrResult(transformer.String(), func(*http.Request) (flow.Flow[string, string], error) {
		return flow.Flow[string, string]{}, router.Reject(http.StatusForbidden, "forbidden")
	}))
	opened := false
	_, err := client.Open(testCtx(t), srv.URL("/"), client.WithOnOpen(func(*http.Response) { opened = true }))
	var he *client.HandshakeError
	require.ErrorAs(t, err, &he)
	require.Equal(t, http.StatusForbidden, he.StatusCode)
	require.Equal(t, "forbidden\n", he.Body)
	require.False(t, opened)
}

// One goroutine sends while another receives; the messages come back in
// order.
func TestConnConcurrentSendAndReceive(t *testing.T) {
	c := open(t, wstest.Serve(t, hello).URL("/"))
	const n = 500
	sent := make(chan error, 1)
	go func() {
		for i := range n {
			if err := c.Send(context.Background(), message.Text(fmt.Sprint(i))); err != nil {
				sent <- err
				return
			}
		}
		sent <- nil
	}()
	for i := range n {
		require.Equal(t, message.Text(fmt.Sprint("Hello, ", i)), receive(t, c))
	}
	require.NoError(t, <-sent)
	require.NoError(t, c.Close(message.NormalClosure, ""))
}

func TestConnOptions(t *testing.T) {
	srv := wstest.Serve(t, router.Accept(transformer.String(), func(r *http.Request) flow.Flow[string, string] {
		return flow.Map(func(string) string { return r.Header.Get("X-Test") })
	}, router.WithSubprotocols("v1")))
	c := open(t, srv.URL("/"), client.WithHeader("X-Test", "yes"), client.WithSubprotocols("v1"))
	require.Equal(t, "v1", c.Response().Header.Get("Sec-WebSocket-Protocol"))
	require.NoError(t, c.Send(testCtx(t), message.Text("header?")))
	require.Equal(t, message.Text("yes"), receive(t, c))
	// The runtime reads all the time: a ping gets its pong.
	require.NoError(t, c.Ping(testCtx(t)))
}

func TestConnReadLimit(t *testing.T) {
	srv, rec := serveRecorder(t, text("0123456789"), text("0123456789a"))
	c := open(t, srv.URL("/"), client.WithReadLimit(10))
	require.Equal(t, message.Text("0123456789"), receive(t, c))
	_, err := c.Receive(testCtx(t))
	require.Error(t, err)
	require.Equal(t, message.MessageTooBig, rec.clientClose(t).Code)
}
