package demo

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/cmd/wsflow/internal/cmdtest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testTimeout bounds every wait (cmdtest.Timeout).
const testTimeout = cmdtest.Timeout

// testCtx returns a context that ends with the test or after testTimeout.
func testCtx(t testing.TB) context.Context { return cmdtest.Context(t) }

// syncBuffer is a buffer a test can wait on: the demo's stdout and log.
type syncBuffer = cmdtest.Buffer

// testDemo is the demo running in-process for one test: an App served by
// wstest, or the command run by Run.
type testDemo struct {
	addr   string      // HOST:PORT
	stdout *syncBuffer // the command's standard output (empty for an App)
	logs   *syncBuffer
	stop   func() error // shuts the demo down and returns how that went
}

// startDemo serves New(cfg) with wstest until the end of the test, cfg
// being what the demo's flags args give (and the WSFLOW_* variables).
// stop shuts the App down: it returns once every socket has closed. The
// test shuts it down at its end, if it has not, and fails unless that
// returns nil.
func startDemo(t *testing.T, args ...string) *testDemo {
	t.Helper()
	return startDemoWith(t, nil, args...)
}

// startDemoWith is startDemo with its rooms on b (nil: in-process), which
// the caller closes after the test, once the App has shut down.
func startDemoWith(t *testing.T, b broker.Broker, args ...string) *testDemo {
	t.Helper()
	d := &testDemo{stdout: &syncBuffer{}, logs: &syncBuffer{}}
	cfg, err := ParseFlags(args, d.logs)
	require.NoError(t, err, "flags %q: %s", args, d.logs)
	cfg.Broker = b
	cfg.Logger = slog.New(slog.NewTextHandler(d.logs, nil))
	app := New(cfg)
	shutdown := sync.OnceValue(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		return app.Shutdown(ctx)
	})
	d.addr = cmdtest.Serve(t, app, func(context.Context) error { return shutdown() })
	d.stop = shutdown
	return d
}

var listeningLine = regexp.MustCompile(`^listening on http://(127\.0\.0\.1:[1-9][0-9]*)\n$`)

// startCommand runs `wsflow demo -addr 127.0.0.1:0 args...` in-process, by
// Run, until the end of the test, which fails unless Run then returns nil.
func startCommand(t *testing.T, args ...string) *testDemo {
	t.Helper()
	d := &testDemo{stdout: &syncBuffer{}, logs: &syncBuffer{}}
	ctx, cancel := context.WithCancel(context.Background())
	waitCtx, stopWaiting := context.WithTimeout(context.Background(), testTimeout)
	defer stopWaiting()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), d.stdout, d.logs)
		stopWaiting() // Run has returned: the line will not come
	}()
	d.stop = sync.OnceValue(func() error {
		cancel()
		return <-done
	})
	if err := d.stdout.WaitFor(waitCtx, "\n"); err != nil {
		t.Fatalf("the demo did not start: Run returned %v\nstderr:\n%s", d.stop(), d.logs)
	}
	m := listeningLine.FindStringSubmatch(d.stdout.String())
	require.NotNil(t, m, "listening line: %q", d.stdout.String())
	d.addr = m[1]
	t.Cleanup(func() { require.NoError(t, d.stop(), "Run's result") })
	return d
}

func (d *testDemo) wsURL(pathAndQuery string) string   { return "ws://" + d.addr + pathAndQuery }
func (d *testDemo) httpURL(pathAndQuery string) string { return "http://" + d.addr + pathAndQuery }

// httpClient keeps no idle connections, so none outlives a test.
var httpClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// get sends a plain GET with header and returns the response and its body.
func get(t *testing.T, url string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(testCtx(t), http.MethodGet, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := httpClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

// dial opens a WebSocket connection, which the test closes at its end.
func dial(t *testing.T, url string, header http.Header) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.Dial(testCtx(t), url, &websocket.DialOptions{HTTPClient: httpClient, HTTPHeader: header})
	require.NoError(t, err)
	c.SetReadLimit(-1)
	t.Cleanup(func() { c.CloseNow() })
	return c
}

// refused dials a handshake that must be refused and returns the HTTP
// status and body it got instead.
func refused(t *testing.T, url string, header http.Header) (status int, body string) {
	t.Helper()
	c, resp, err := websocket.Dial(testCtx(t), url, &websocket.DialOptions{HTTPClient: httpClient, HTTPHeader: header})
	if err == nil {
		c.CloseNow()
		t.Fatalf("%s: the handshake was accepted", url)
	}
	require.NotNil(t, resp, "%s: %v", url, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Empty(t, resp.Header.Get("Sec-WebSocket-Accept"), "upgraded")
	return resp.StatusCode, string(b)
}

func send(t *testing.T, c *websocket.Conn, typ websocket.MessageType, payload string) {
	t.Helper()
	require.NoError(t, c.Write(testCtx(t), typ, []byte(payload)))
}

// expect reads one message and checks its type and payload.
func expect(t *testing.T, c *websocket.Conn, typ websocket.MessageType, want string) {
	t.Helper()
	gotType, got, err := c.Read(testCtx(t))
	require.NoError(t, err)
	require.Equal(t, typ, gotType, "message type of %q", got)
	require.Equal(t, want, string(got))
}

// echoes sends each message as text and expects want[i] back, as text.
func echoes(t *testing.T, c *websocket.Conn, sent []string, want func(string) string) {
	t.Helper()
	for _, m := range sent {
		send(t, c, websocket.MessageText, m)
		expect(t, c, websocket.MessageText, want(m))
	}
}

// closeOf reads until the server closes the connection and returns the
// close frame it sent. A message that arrives first fails the test.
func closeOf(t *testing.T, c *websocket.Conn) websocket.CloseError {
	t.Helper()
	typ, p, err := c.Read(testCtx(t))
	require.Error(t, err, "want a close, got a %v message %q", typ, p)
	var ce websocket.CloseError
	require.True(t, errors.As(err, &ce), "want a close frame, got %v", err)
	return ce
}

func closed(code websocket.StatusCode, reason string) websocket.CloseError {
	return websocket.CloseError{Code: code, Reason: reason}
}

func urlEscape(s string) string { return url.QueryEscape(s) }
