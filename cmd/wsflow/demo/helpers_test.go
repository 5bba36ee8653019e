package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/internal/cmdtest"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router/wstest"
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

// refused dials a handshake that must be refused and returns the HTTP
// status and body it got instead, which must be plain text.
func refused(t *testing.T, url string, opts ...wstest.DialOption) (status int, body string) {
	t.Helper()
	resp := wstest.DialRefused(t, url, opts...)
	require.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Empty(t, resp.Header.Get("Sec-WebSocket-Accept"), "upgraded")
	return resp.StatusCode, resp.Body
}

// echoes sends each message as text and expects want(m) back, as text.
func echoes(t *testing.T, c *wstest.Conn, sent []string, want func(string) string) {
	t.Helper()
	for _, m := range sent {
		c.SendText(m)
		c.ExpectText(want(m))
	}
}

// closeOf reads the server's close, which must come next, for a test
// that checks part of its reason.
func closeOf(t *testing.T, c *wstest.Conn) message.Close {
	t.Helper()
	kind, p, closed := c.Next()
	require.NotNil(t, closed, "want a close, got a %v message %q", kind, p)
	return *closed
}

// receiveText receives a message that must be text, for a test's
// goroutine other than its own.
func receiveText(ctx context.Context, c *client.Conn) (string, error) {
	m, err := c.Receive(ctx)
	if err != nil {
		return "", err
	}
	text, ok := m.(message.Text)
	if !ok {
		return "", fmt.Errorf("want a text message, got a %v message %q", m.Kind(), m)
	}
	return string(text), nil
}

func urlEscape(s string) string { return url.QueryEscape(s) }
