package interop_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/internal/cmdtest"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/tools/internal/demotest"
)

// The interoperability tests speak to the demo with gorilla/websocket, a
// client implementation independent of coder/websocket, on which the
// server runs: a misreading of the protocol shared by coder/websocket's
// client and server sides cannot hide from them. They repeat the
// echo, transformer and close-code checks.

// gorillaDial opens a connection with gorilla/websocket. Every read and
// write on it is bounded by cmdtest.Timeout (a hang guard: gorilla breaks the
// connection when a deadline passes), and it is closed at the end of the
// test.
func gorillaDial(t *testing.T, url string, header http.Header) *gorilla.Conn {
	t.Helper()
	dialer := gorilla.Dialer{HandshakeTimeout: cmdtest.Timeout}
	c, resp, err := dialer.DialContext(testCtx(t), url, header)
	require.NoError(t, err, "dial %s", url)
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	t.Cleanup(func() { c.Close() })
	deadline := time.Now().Add(cmdtest.Timeout)
	require.NoError(t, c.SetReadDeadline(deadline))
	require.NoError(t, c.SetWriteDeadline(deadline))
	return c
}

func gorillaSend(t *testing.T, c *gorilla.Conn, typ int, payload string) {
	t.Helper()
	require.NoError(t, c.WriteMessage(typ, []byte(payload)))
}

// gorillaExpect reads one message and checks its type and payload.
func gorillaExpect(t *testing.T, c *gorilla.Conn, typ int, want string) {
	t.Helper()
	gotType, got, err := c.ReadMessage()
	require.NoError(t, err)
	require.Equal(t, typ, gotType, "message type of %q", got)
	require.Equal(t, want, string(got))
}

// gorillaClose reads until the server's close frame and returns the code
// and reason as gorilla reports them. A message that comes first fails
// the test.
func gorillaClose(t *testing.T, c *gorilla.Conn) *gorilla.CloseError {
	t.Helper()
	typ, p, err := c.ReadMessage()
	require.Error(t, err, "want a close, got a message of type %d: %q", typ, p)
	ce, ok := err.(*gorilla.CloseError)
	require.True(t, ok, "want a close frame, got %v", err)
	return ce
}

func closedWith(code int, reason string) *gorilla.CloseError {
	return &gorilla.CloseError{Code: code, Text: reason}
}

func TestInteropEcho(t *testing.T) {
	d := demotest.Start(t)
	c := gorillaDial(t, d.WS("/echo"), nil)
	for _, m := range []string{"test", "", "héllo wörld ✓ 世界 😀", strings.Repeat("x", 65536)} {
		gorillaSend(t, c, gorilla.TextMessage, m)
		gorillaExpect(t, c, gorilla.TextMessage, m)
	}
	// gorilla's own close: the server answers with the same code.
	require.NoError(t, c.WriteMessage(gorilla.CloseMessage, gorilla.FormatCloseMessage(gorilla.CloseNormalClosure, "done")))
	require.Equal(t, gorilla.CloseNormalClosure, gorillaClose(t, c).Code)
}

func TestInteropHello(t *testing.T) {
	d := demotest.Start(t)
	c := gorillaDial(t, d.WS("/hello"), nil)
	for _, m := range []string{"world", "Zoë", "世界 😀"} {
		gorillaSend(t, c, gorilla.TextMessage, m)
		gorillaExpect(t, c, gorilla.TextMessage, "Hello, "+m)
	}
}

func TestInteropBytes(t *testing.T) {
	d := demotest.Start(t)
	c := gorillaDial(t, d.WS("/bytes"), nil)
	for _, p := range []string{"\x00\x01\xfe\xff", "not UTF-8: \xc3\x28", ""} {
		gorillaSend(t, c, gorilla.BinaryMessage, p)
		gorillaExpect(t, c, gorilla.BinaryMessage, p)
	}
	gorillaSend(t, c, gorilla.TextMessage, "text")
	require.Equal(t, closedWith(1003, "this socket accepts only binary messages"), gorillaClose(t, c))
}

func TestInteropJSON(t *testing.T) {
	d := demotest.Start(t)
	c := gorillaDial(t, d.WS("/json"), nil)
	gorillaSend(t, c, gorilla.TextMessage, ` { "b" : 1.0 , "a" : [ 1e3 , -0 , "\u00e9" ] } `)
	gorillaExpect(t, c, gorilla.TextMessage, `{"b":1.0,"a":[1e3,-0,"\u00e9"]}`)
	gorillaSend(t, c, gorilla.BinaryMessage, "{ \"from\" : \"a binary frame\" }")
	gorillaExpect(t, c, gorilla.TextMessage, `{"from":"a binary frame"}`)
	gorillaSend(t, c, gorilla.TextMessage, `{"a":1`)
	ce := gorillaClose(t, c)
	require.Equal(t, 1007, ce.Code)
	require.True(t, strings.HasPrefix(ce.Text, "invalid JSON"), "reason %q", ce.Text)
}

func TestInteropModel(t *testing.T) {
	d := demotest.Start(t)
	c := gorillaDial(t, d.WS("/model"), nil)
	gorillaSend(t, c, gorilla.TextMessage, `{"op":"add","a":1,"b":2}`)
	gorillaExpect(t, c, gorilla.TextMessage, `{"op":"add","result":3}`)
	gorillaSend(t, c, gorilla.TextMessage, `{"op":"div","a":1,"b":0}`)
	gorillaExpect(t, c, gorilla.TextMessage, `{"op":"div","error":"division by zero"}`)
	gorillaSend(t, c, gorilla.TextMessage, `{"op":"add","a":"1","b":2}`)
	require.Equal(t, closedWith(1007, `field "a": want number, got string`), gorillaClose(t, c))
}

func TestInteropCloseCodes(t *testing.T) {
	d := demotest.Start(t)
	for _, tt := range []struct {
		name, path string
		first      string                    // a text message expected first, if any
		send       func(*gorilla.Conn) error // nil: send nothing
		want       *gorilla.CloseError
	}{
		{"hello-once", "/hello-once", "Hello!", nil, closedWith(1000, "")},
		{"close", "/close?code=4000&reason=x", "", nil, closedWith(4000, "x")},
		{"close with a UTF-8 reason", "/close?code=3001&reason=" + url.QueryEscape("fini ✓"), "", nil, closedWith(3001, "fini ✓")},
		{"close without a reason", "/close?code=1000", "", nil, closedWith(1000, "")},
		{"fail", "/fail", "", text("boom"), closedWith(1011, "internal error")},
		{"binary on a text socket", "/echo", "", binary("bin"), closedWith(1003, "this socket accepts only text messages")},
		{"invalid UTF-8", "/echo", "", text("ok \xff\xfe"), closedWith(1007, "text message is not valid UTF-8")},
		{"invalid UTF-8 on raw", "/raw", "", text("\xc3\x28"), closedWith(1007, "text message is not valid UTF-8")},
		{"oversize", "/echo", "", text(strings.Repeat("x", 65537)), closedWith(1009, "message too big: the limit is 65536 bytes")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := gorillaDial(t, d.WS(tt.path), nil)
			if tt.first != "" {
				gorillaExpect(t, c, gorilla.TextMessage, tt.first)
			}
			if tt.send != nil {
				require.NoError(t, tt.send(c))
			}
			require.Equal(t, tt.want, gorillaClose(t, c))
		})
	}
}

func text(s string) func(*gorilla.Conn) error {
	return func(c *gorilla.Conn) error { return c.WriteMessage(gorilla.TextMessage, []byte(s)) }
}

func binary(s string) func(*gorilla.Conn) error {
	return func(c *gorilla.Conn) error { return c.WriteMessage(gorilla.BinaryMessage, []byte(s)) }
}

func TestInteropRaw(t *testing.T) {
	d := demotest.Start(t)
	c := gorillaDial(t, d.WS("/raw"), nil)
	gorillaSend(t, c, gorilla.TextMessage, "as text ✓")
	gorillaExpect(t, c, gorilla.TextMessage, "as text ✓")
	gorillaSend(t, c, gorilla.BinaryMessage, "\x00as binary\xff")
	gorillaExpect(t, c, gorilla.BinaryMessage, "\x00as binary\xff")

	// The pong is written before the server reads the message after the
	// ping, so it has been handled once that message's echo is read.
	var pongs []string
	c.SetPongHandler(func(payload string) error {
		pongs = append(pongs, payload)
		return nil
	})
	require.NoError(t, c.WriteControl(gorilla.PingMessage, []byte("are you there?"), time.Now().Add(cmdtest.Timeout)))
	gorillaSend(t, c, gorilla.TextMessage, "after the ping")
	gorillaExpect(t, c, gorilla.TextMessage, "after the ping")
	require.Equal(t, []string{"are you there?"}, pongs)
}

func TestInteropCallbacks(t *testing.T) {
	d := demotest.Start(t)
	c := gorillaDial(t, d.WS("/callbacks"), nil)
	gorillaExpect(t, c, gorilla.TextMessage, "Hello!")
	gorillaSend(t, c, gorilla.TextMessage, "ping")
	gorillaExpect(t, c, gorilla.TextMessage, "got: ping")
	gorillaSend(t, c, gorilla.TextMessage, "bye")
	require.Equal(t, closedWith(1000, ""), gorillaClose(t, c))
}

func TestInteropChat(t *testing.T) {
	d := demotest.Start(t)
	g := gorillaDial(t, d.WS("/chat/interop?name=gorilla"), nil)
	gorillaExpect(t, g, gorilla.TextMessage, "* gorilla joined")
	c := wstest.Dial(t, d.WS("/chat/interop?name=coder"))
	c.ExpectText("* coder joined")
	gorillaExpect(t, g, gorilla.TextMessage, "* coder joined")

	gorillaSend(t, g, gorilla.TextMessage, "hi from gorilla")
	gorillaExpect(t, g, gorilla.TextMessage, "gorilla: hi from gorilla")
	c.ExpectText("gorilla: hi from gorilla")
	c.SendText("hi from coder")
	c.ExpectText("coder: hi from coder")
	gorillaExpect(t, g, gorilla.TextMessage, "coder: hi from coder")

	require.NoError(t, g.WriteMessage(gorilla.CloseMessage, gorilla.FormatCloseMessage(gorilla.CloseNormalClosure, "")))
	require.Equal(t, gorilla.CloseNormalClosure, gorillaClose(t, g).Code)
	c.ExpectText("* gorilla left")
}

func TestInteropRefusals(t *testing.T) {
	d := demotest.Start(t)
	t.Run("403 for a foreign origin", func(t *testing.T) {
		dialer := gorilla.Dialer{HandshakeTimeout: cmdtest.Timeout}
		c, resp, err := dialer.DialContext(testCtx(t), d.WS("/echo"), http.Header{"Origin": {"http://evil.example"}})
		if c != nil {
			c.Close()
		}
		require.ErrorIs(t, err, gorilla.ErrBadHandshake)
		require.NotNil(t, resp)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusForbidden, resp.StatusCode)
		require.Equal(t, "403 forbidden: origin not allowed\n", string(body))
	})
}
