package router_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/transformer"
)

func echo() http.Handler {
	return router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]()
	})
}

func TestEchoAndHello(t *testing.T) {
	hello := router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Map(func(m string) string { return "Hello, " + m })
	})
	c := wstest.Serve(t, hello).Dial(t, "/")
	for _, m := range []string{"world", "", "héllo ✓"} {
		c.SendText(m)
		c.ExpectText("Hello, " + m)
	}
	c.Close()
}

func TestBytesEcho(t *testing.T) {
	h := router.Accept(transformer.Bytes(), func(*http.Request) flow.Flow[[]byte, []byte] {
		return flow.Identity[[]byte]()
	})
	c := wstest.Serve(t, h).Dial(t, "/")
	c.SendBinary([]byte("\x00\xff\x01"))
	c.ExpectBinary([]byte("\x00\xff\x01"))
}

func TestCloseRules(t *testing.T) {
	failing := func(err error) http.Handler {
		return router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
			return flow.MapErr(func(string) (string, error) { return "", err })
		})
	}
	tests := []struct {
		name    string
		handler http.Handler
		kind    message.Kind
		payload string
		code    message.Code
		reason  string // "": any reason
	}{
		{"binary on a text socket", echo(), message.KindBinary, "x", message.UnsupportedData, "this socket accepts only text messages"},
		{"invalid UTF-8", echo(), message.KindText, "a\xffb", message.InvalidPayload, "text message is not valid UTF-8"},
		{"too big", echo(), message.KindText, strings.Repeat("x", router.DefaultReadLimit+1), message.MessageTooBig, ""},
		{"ordinary error", failing(errors.New("secret-detail")), message.KindText, "x", message.InternalError, "internal error"},
		{"close error", failing(fmt.Errorf("wrapped: %w", message.NewCloseError(4001, "custom"))), message.KindText, "x", 4001, "custom"},
		{"panic", router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
			return flow.Map(func(string) string { panic("secret-detail") })
		}), message.KindText, "x", message.InternalError, "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := wstest.Serve(t, tt.handler).Dial(t, "/")
			c.Send(tt.kind, []byte(tt.payload))
			if tt.reason == "" {
				c.ExpectCloseCode(tt.code)
			} else {
				c.ExpectClose(tt.code, tt.reason)
			}
		})
	}
}

func TestReadLimitOption(t *testing.T) {
	h := router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]()
	}, router.WithReadLimit(10))
	c := wstest.Serve(t, h).Dial(t, "/")
	c.SendText("0123456789")
	c.ExpectText("0123456789")
	c.SendText("0123456789a")
	c.ExpectCloseCode(message.MessageTooBig)
}

func TestOutputCompletesAfterFlushing(t *testing.T) {
	var msgs []string
	for i := range 100 {
		msgs = append(msgs, fmt.Sprint("m", i))
	}
	h := router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Wrap(flow.Ignore[string](), flow.Just(msgs...))
	})
	c := wstest.Serve(t, h).Dial(t, "/")
	for _, m := range msgs {
		c.ExpectText(m)
	}
	c.ExpectClose(message.NormalClosure, "")
}

func TestPeerCloseCompletesInputAndCancelsOutput(t *testing.T) {
	var mu sync.Mutex
	var got []string
	stopped := make(chan error, 1)
	h := router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		sink := flow.ForEach(func(m string) { mu.Lock(); got = append(got, m); mu.Unlock() })
		never := flow.FromChannel(make(chan string))
		return flow.Wrap(sink, never).OnDone(func(err error) { stopped <- err })
	})
	c := wstest.Serve(t, h).Dial(t, "/")
	c.SendText("a")
	c.SendText("b")
	c.CloseWith(message.NormalClosure, "bye")
	<-stopped
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []string{"a", "b"}, got)
}

func TestPeerDropsMidStream(t *testing.T) {
	stopped := make(chan struct{})
	h := router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Wrap(flow.Ignore[string](), flow.Tick(1e6, "tick")).OnDone(func(error) { close(stopped) })
	})
	c := wstest.Serve(t, h).Dial(t, "/")
	c.ExpectText("tick")
	c.CloseNow()
	<-stopped
}

func TestHandshakeRefusals(t *testing.T) {
	secure := router.AcceptOrResult(transformer.String(), func(r *http.Request) (flow.Flow[string, string], error) {
		if r.URL.Query().Get("user") == "" {
			return flow.Flow[string, string]{}, router.Reject(http.StatusForbidden, "forbidden")
		}
		if r.URL.Query().Get("user") == "boom" {
			return flow.Flow[string, string]{}, errors.New("secret-detail")
		}
		return flow.Identity[string](), nil
	})
	srv := wstest.Serve(t, secure)

	resp, err := http.Get(srv.HTTPURL("/?user=x"))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusUpgradeRequired, resp.StatusCode)
	require.Contains(t, string(body), "WebSocket")

	for _, tt := range []struct {
		name   string
		query  string
		origin string
		status int
		body   string
	}{
		{"rejected", "", "", http.StatusForbidden, "forbidden"},
		{"factory error", "?user=boom", "", http.StatusInternalServerError, "500 internal server error"},
		{"foreign origin", "?user=x", "http://evil.example", http.StatusForbidden, "403 forbidden: origin not allowed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var opts []wstest.DialOption
			if tt.origin != "" {
				opts = append(opts, wstest.WithHeader("Origin", tt.origin))
			}
			resp := srv.DialRefused(t, "/"+tt.query, opts...)
			require.Equal(t, tt.status, resp.StatusCode)
			require.Equal(t, tt.body+"\n", resp.Body)
			require.NotContains(t, resp.Body, "secret-detail")
		})
	}
	c := srv.Dial(t, "/?user=x")
	c.SendText("hi")
	c.ExpectText("hi")
}

// A panic in one socket's flow closes that socket with 1011; the server
// and the other sockets of the same route go on.
func TestPanicClosesOnlyItsSocket(t *testing.T) {
	h := router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Map(func(m string) string {
			if m == "boom" {
				panic("secret-detail")
			}
			return m
		})
	})
	srv := wstest.Serve(t, h)
	a, b := srv.Dial(t, "/"), srv.Dial(t, "/")
	b.SendText("before")
	b.ExpectText("before")
	a.SendText("boom")
	a.ExpectClose(message.InternalError, "internal error")
	b.SendText("after")
	b.ExpectText("after")
	c := srv.Dial(t, "/")
	c.SendText("new")
	c.ExpectText("new")
}

// A panic while building the flow refuses the handshake with 500.
func TestPanicInFactory(t *testing.T) {
	var mu sync.Mutex
	var log strings.Builder
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &log}, nil))
	h := router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		panicInFactory()
		return flow.Identity[string]()
	}, router.WithLogger(logger))
	resp := wstest.Serve(t, h).DialRefused(t, "/")
	require.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	require.NotContains(t, resp.Body, "secret-detail")
	mu.Lock()
	defer mu.Unlock()
	require.Contains(t, log.String(), "secret-detail", "the panic goes to the log")
	require.Contains(t, log.String(), "panicInFactory", "with the stack where it happened")
}

func panicInFactory() { panic("secret-detail") }

// A Rejection carries its headers: WWW-Authenticate on a 401.
func TestRejectionHeaders(t *testing.T) {
	h := router.AcceptOrResult(transformer.String(), func(*http.Request) (flow.Flow[string, string], error) {
		return flow.Flow[string, string]{}, &router.Rejection{
			Status: http.StatusUnauthorized,
			Body:   "401 unauthorized: log in first",
			Header: http.Header{"Www-Authenticate": {`Basic realm="chat"`}},
		}
	})
	resp := wstest.Serve(t, h).DialRefused(t, "/")
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Equal(t, `Basic realm="chat"`, resp.Header.Get("WWW-Authenticate"))
	require.Contains(t, resp.Body, "log in first")
	require.Equal(t, "handshake rejected: 401 Unauthorized", router.Reject(401, "401 unauthorized").Error())
}

// A zero Group is a group without a limit.
func TestZeroGroup(t *testing.T) {
	var g router.Group
	srv := wstest.Serve(t, echoWith(router.WithGroup(&g)))
	c := srv.Dial(t, "/")
	c.SendText("zero")
	c.ExpectText("zero")
	require.Equal(t, 1, g.Len())
	c.Close()
	require.NoError(t, g.Shutdown(context.Background()))
	require.Equal(t, 0, g.Len())
}

// A handshake that cannot be upgraded is refused before the flow is
// built: a factory that acquires something can count on its flow running.
func TestRefusedHandshakeBuildsNoFlow(t *testing.T) {
	var mu sync.Mutex
	built := 0
	g := router.NewGroup(1)
	h := router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		mu.Lock()
		built++
		mu.Unlock()
		return flow.Identity[string]()
	}, router.WithGroup(g))
	srv := wstest.Serve(t, h)
	valid := http.Header{
		"Connection":            {"Upgrade"},
		"Upgrade":               {"websocket"},
		"Sec-Websocket-Version": {"13"},
		"Sec-Websocket-Key":     {"dGhlIHNhbXBsZSBub25jZQ=="},
	}
	for _, tt := range []struct {
		name   string
		method string
		edit   func(http.Header)
		status int
	}{
		{"not an upgrade", "GET", func(h http.Header) { h.Del("Upgrade") }, http.StatusUpgradeRequired},
		{"not GET", "POST", func(http.Header) {}, http.StatusMethodNotAllowed},
		{"version 8", "GET", func(h http.Header) { h.Set("Sec-Websocket-Version", "8") }, http.StatusBadRequest},
		{"no key", "GET", func(h http.Header) { h.Del("Sec-Websocket-Key") }, http.StatusBadRequest},
		{"short key", "GET", func(h http.Header) { h.Set("Sec-Websocket-Key", "c2hvcnQ=") }, http.StatusBadRequest},
		{"two keys", "GET", func(h http.Header) { h.Add("Sec-Websocket-Key", "dGhlIHNhbXBsZSBub25jZQ==") }, http.StatusBadRequest},
		{"foreign origin", "GET", func(h http.Header) { h.Set("Origin", "http://evil.example") }, http.StatusForbidden},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.HTTPURL("/"), nil)
			require.NoError(t, err)
			req.Header = valid.Clone()
			tt.edit(req.Header)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.Equal(t, tt.status, resp.StatusCode, string(body))
			require.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
		})
	}
	c := srv.Dial(t, "/") // takes the group's only place
	refused := srv.DialRefused(t, "/")
	require.Equal(t, http.StatusServiceUnavailable, refused.StatusCode)
	mu.Lock()
	require.Equal(t, 1, built, "only the accepted handshake built a flow")
	mu.Unlock()
	c.Close()
}

// The closing log line reports the close the peer sent, with its reason,
// and a cause only when the connection ended without a close frame.
func TestCloseLog(t *testing.T) {
	var mu sync.Mutex
	var log strings.Builder
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &log}, nil))
	g := router.NewGroup(0)
	stopped := make(chan struct{}, 2)
	srv := wstest.Serve(t, router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]().OnDone(func(error) { stopped <- struct{}{} })
	}, router.WithLogger(logger), router.WithGroup(g)))

	c := srv.Dial(t, "/")
	c.CloseWith(message.GoingAway, "bye now")
	d := srv.Dial(t, "/")
	d.CloseNow()
	<-stopped
	<-stopped
	require.NoError(t, g.Shutdown(context.Background())) // and both closing lines are written

	mu.Lock()
	defer mu.Unlock()
	var closes []string
	for _, line := range strings.Split(log.String(), "\n") {
		if strings.Contains(line, "websocket closed") {
			closes = append(closes, line)
		}
	}
	require.Len(t, closes, 2)
	peer, dropped := closes[0], closes[1]
	if strings.Contains(peer, "code=1006") {
		peer, dropped = dropped, peer
	}
	require.Contains(t, peer, `code=1001 reason="bye now"`)
	require.NotContains(t, peer, "cause=")
	require.Contains(t, dropped, "code=1006")
	require.Contains(t, dropped, "cause=")
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
