package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// roomServer serves h at /chat/{room} on 127.0.0.1 and returns the room
// route's prefix, ws://HOST:PORT/chat/.
func roomServer(t *testing.T, h http.Handler) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("GET /chat/{room}", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/chat/"
}

// hubURL serves gorilla-hub in this process and returns its /chat/ prefix.
func hubURL(t *testing.T) string {
	t.Helper()
	h, err := HubHandler("gorilla-hub")
	require.NoError(t, err)
	return roomServer(t, h)
}

// joinRoom connects to prefix+path; the connection closes with the test.
func joinRoom(t *testing.T, prefix, path string) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.Dial(context.Background(), prefix+path, nil)
	require.NoError(t, err)
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return c
}

// readLines reads n text messages.
func readLines(t *testing.T, c *websocket.Conn, n int) []string {
	t.Helper()
	var lines []string
	for range n {
		typ, p, err := c.Read(context.Background())
		require.NoError(t, err)
		require.Equal(t, websocket.MessageText, typ)
		lines = append(lines, string(p))
	}
	return lines
}

func TestHubSpeaksTheChatProtocol(t *testing.T) {
	u := hubURL(t)
	ann := joinRoom(t, u, "lobby?name=ann")
	assert.Equal(t, []string{"* ann joined"}, readLines(t, ann, 1))
	bob := joinRoom(t, u, "lobby?name=bob")
	assert.Equal(t, []string{"* bob joined"}, readLines(t, bob, 1), "a member hears of those after it")
	other := joinRoom(t, u, "elsewhere")
	assert.Equal(t, []string{"* anonymous joined"}, readLines(t, other, 1))

	require.NoError(t, ann.Write(context.Background(), websocket.MessageText, []byte("hi: there")))
	require.NoError(t, bob.Write(context.Background(), websocket.MessageText, []byte("hello")))
	annHeard := readLines(t, ann, 3)
	assert.Equal(t, "* bob joined", annHeard[0])
	assert.ElementsMatch(t, []string{"ann: hi: there", "bob: hello"}, annHeard[1:], "the sender hears itself too")
	assert.Equal(t, annHeard[1:], readLines(t, bob, 2), "one order for every member")

	require.NoError(t, bob.Close(websocket.StatusNormalClosure, ""))
	assert.Equal(t, []string{"* bob left"}, readLines(t, ann, 1))

	// The other room heard nothing of this one.
	require.NoError(t, other.Write(context.Background(), websocket.MessageText, []byte("anyone?")))
	assert.Equal(t, []string{"anonymous: anyone?"}, readLines(t, other, 1))
}

func TestHubTakesTextOnly(t *testing.T) {
	c := joinRoom(t, hubURL(t), "lobby?name=ann")
	readLines(t, c, 1)
	require.NoError(t, c.Write(context.Background(), websocket.MessageBinary, []byte{1, 2}))
	_, _, err := c.Read(context.Background())
	assert.Equal(t, websocket.StatusUnsupportedData, websocket.CloseStatus(err))
}

func TestHubChecksRoomAndName(t *testing.T) {
	u := "http" + strings.TrimPrefix(hubURL(t), "ws")
	for path, status := range map[string]int{
		"Lobby?name=ann":                        http.StatusNotFound,
		"lobby?name=ann%20b":                    http.StatusBadRequest,
		"lobby?name=" + strings.Repeat("a", 33): http.StatusBadRequest,
	} {
		resp, err := http.Get(u + path)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, status, resp.StatusCode, path)
	}
}

func TestHubDropsAMemberThatFallsBehind(t *testing.T) {
	u := hubURL(t)
	slow := joinRoom(t, u, "lobby?name=slow")
	// The hub has taken slow in once slow hears its own joined; from
	// then on slow never reads until it is dropped.
	assert.Equal(t, []string{"* slow joined"}, readLines(t, slow, 1))
	fast := joinRoom(t, u, "lobby?name=fast")
	assert.Equal(t, []string{"* fast joined"}, readLines(t, fast, 1))

	// fast sends until it hears that slow left: slow's send channel
	// filled up once its socket's buffers had.
	stop := make(chan struct{})
	sent := make(chan int)
	go func() {
		msg := []byte(strings.Repeat("x", 16<<10))
		n := 0
		defer func() { sent <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if fast.Write(context.Background(), websocket.MessageText, msg) != nil {
				return
			}
			n++
		}
	}()
	for {
		_, p, err := fast.Read(context.Background())
		require.NoError(t, err)
		if string(p) == "* slow left" {
			break
		}
		require.True(t, strings.HasPrefix(string(p), "fast: x"), "%.20q", p)
	}
	close(stop)
	n := <-sent
	t.Logf("slow was dropped after %d messages of 16 KiB", n)
	assert.Greater(t, n, hubSendBuffer, "its send channel holds 256")

	// slow gets what was queued for it, then 1008.
	for {
		_, _, err := slow.Read(context.Background())
		if err != nil {
			assert.Equal(t, websocket.StatusPolicyViolation, websocket.CloseStatus(err), "%v", err)
			break
		}
	}
}

func TestServerMuxServesEachBaselineAtItsRoute(t *testing.T) {
	for name, path := range map[string]string{"gorilla": "/echo", "gorilla-hub": "/chat/lobby"} {
		mux, err := serverMux(name)
		require.NoError(t, err)
		srv := httptest.NewServer(mux)
		c, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+path, nil)
		require.NoError(t, err, name)
		c.CloseNow()
		srv.Close()
	}
	_, err := serverMux("nginx")
	assert.ErrorContains(t, err, "known: coder-bg, coder-ctx, gorilla, gorilla-hub")
}
