package router_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
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
	c := dial(t, serve(t, hello))
	for _, m := range []string{"world", "", "héllo ✓"} {
		send(t, c, websocket.MessageText, m)
		expectText(t, c, "Hello, "+m)
	}
	require.NoError(t, c.Close(websocket.StatusNormalClosure, ""))
}

func TestBytesEcho(t *testing.T) {
	h := router.Accept(transformer.Bytes(), func(*http.Request) flow.Flow[[]byte, []byte] {
		return flow.Identity[[]byte]()
	})
	c := dial(t, serve(t, h))
	send(t, c, websocket.MessageBinary, "\x00\xff\x01")
	typ, p, err := c.Read(testCtx(t))
	require.NoError(t, err)
	require.Equal(t, websocket.MessageBinary, typ)
	require.Equal(t, []byte("\x00\xff\x01"), p)
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
		typ     websocket.MessageType
		payload string
		code    websocket.StatusCode
		reason  string
	}{
		{"binary on a text socket", echo(), websocket.MessageBinary, "x", websocket.StatusUnsupportedData, "this socket accepts only text messages"},
		{"invalid UTF-8", echo(), websocket.MessageText, "a\xffb", websocket.StatusInvalidFramePayloadData, "text message is not valid UTF-8"},
		{"too big", echo(), websocket.MessageText, strings.Repeat("x", router.DefaultReadLimit+1), websocket.StatusMessageTooBig, anyReason},
		{"ordinary error", failing(errors.New("secret-detail")), websocket.MessageText, "x", websocket.StatusInternalError, "internal error"},
		{"close error", failing(fmt.Errorf("wrapped: %w", message.NewCloseError(4001, "custom"))), websocket.MessageText, "x", 4001, "custom"},
		{"panic", router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
			return flow.Map(func(string) string { panic("secret-detail") })
		}), websocket.MessageText, "x", websocket.StatusInternalError, "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, serve(t, tt.handler))
			send(t, c, tt.typ, tt.payload)
			expectClose(t, c, tt.code, tt.reason)
		})
	}
}

func TestReadLimitOption(t *testing.T) {
	h := router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]()
	}, router.WithReadLimit(10))
	c := dial(t, serve(t, h))
	send(t, c, websocket.MessageText, "0123456789")
	expectText(t, c, "0123456789")
	send(t, c, websocket.MessageText, "0123456789a")
	expectClose(t, c, websocket.StatusMessageTooBig, anyReason)
}

func TestOutputCompletesAfterFlushing(t *testing.T) {
	var msgs []string
	for i := range 100 {
		msgs = append(msgs, fmt.Sprint("m", i))
	}
	h := router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Wrap(flow.Ignore[string](), flow.Just(msgs...))
	})
	c := dial(t, serve(t, h))
	for _, m := range msgs {
		expectText(t, c, m)
	}
	expectClose(t, c, websocket.StatusNormalClosure, "")
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
	c := dial(t, serve(t, h))
	send(t, c, websocket.MessageText, "a")
	send(t, c, websocket.MessageText, "b")
	require.NoError(t, c.Close(websocket.StatusNormalClosure, "bye"))
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
	c := dial(t, serve(t, h))
	expectText(t, c, "tick")
	require.NoError(t, c.CloseNow())
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
	url := serve(t, secure)
	httpURL := "http" + strings.TrimPrefix(url, "ws")

	resp, err := http.Get(httpURL + "/?user=x")
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
			opts := &websocket.DialOptions{HTTPHeader: http.Header{}}
			if tt.origin != "" {
				opts.HTTPHeader.Set("Origin", tt.origin)
			}
			_, resp, err := websocket.Dial(testCtx(t), url+"/"+tt.query, opts)
			require.Error(t, err)
			require.Equal(t, tt.status, resp.StatusCode)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.Equal(t, tt.body+"\n", string(body))
			require.NotContains(t, string(body), "secret-detail")
		})
	}
	c := dial(t, url+"/?user=x")
	send(t, c, websocket.MessageText, "hi")
	expectText(t, c, "hi")
}
