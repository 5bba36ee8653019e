package router_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// serve runs h on a loopback server for the test's duration and returns
// its ws:// base URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// testCtx returns a context bounded so that a hung test fails instead of
// hanging.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// dial opens a client connection; the test closes it at the end.
func dial(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	c, resp, err := websocket.Dial(testCtx(t), url, nil)
	require.NoError(t, err)
	if resp.Body != nil {
		resp.Body.Close()
	}
	c.SetReadLimit(-1)
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func send(t *testing.T, c *websocket.Conn, typ websocket.MessageType, p string) {
	t.Helper()
	require.NoError(t, c.Write(testCtx(t), typ, []byte(p)))
}

func expectText(t *testing.T, c *websocket.Conn, want string) {
	t.Helper()
	typ, p, err := c.Read(testCtx(t))
	require.NoError(t, err)
	require.Equal(t, websocket.MessageText, typ)
	require.Equal(t, want, string(p))
}

// anyReason makes expectClose check the close code only.
const anyReason = "\x00any"

// expectClose reads until the server closes and checks its code and
// reason.
func expectClose(t *testing.T, c *websocket.Conn, code websocket.StatusCode, reason string) {
	t.Helper()
	for {
		_, _, err := c.Read(testCtx(t))
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		require.ErrorAs(t, err, &ce, "want close %d, got %v", code, err)
		require.Equal(t, code, ce.Code)
		if reason != anyReason {
			require.Equal(t, reason, ce.Reason)
		}
		return
	}
}
