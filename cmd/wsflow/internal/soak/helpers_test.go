package soak

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/cmd/wsflow/internal/demo"
	"github.com/wsflow/wsflow/router/wstest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testTimeout bounds every wait but the soak's own budget, so that a
// broken test fails instead of hanging; nothing is expected to come near
// it.
const testTimeout = 30 * time.Second

// testCtx returns a context that ends with the test or after testTimeout.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// testDemo is the demo application served by wstest for one test.
type testDemo struct{ addr string }

// startDemo serves demo.New, configured by the demo's flags args, until
// the end of the test, when its sockets are shut down.
func startDemo(t *testing.T, args ...string) *testDemo {
	t.Helper()
	var errs bytes.Buffer
	cfg, err := demo.ParseFlags(args, &errs)
	require.NoError(t, err, "%s", &errs)
	app := demo.New(cfg)
	srv := wstest.Serve(t, app)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		require.NoError(t, app.Shutdown(ctx))
	})
	return &testDemo{addr: strings.TrimPrefix(srv.HTTPURL(""), "http://")}
}

func (d *testDemo) wsURL(pathAndQuery string) string { return "ws://" + d.addr + pathAndQuery }

// httpClient keeps no idle connections, so none outlives a test.
var httpClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// dial opens a WebSocket connection, which the test closes at its end.
func dial(t *testing.T, url string, header http.Header) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.Dial(testCtx(t), url, &websocket.DialOptions{HTTPClient: httpClient, HTTPHeader: header})
	require.NoError(t, err)
	c.SetReadLimit(-1)
	t.Cleanup(func() { c.CloseNow() })
	return c
}

var listeningLine = regexp.MustCompile(`^listening on http://(127\.0\.0\.1:[1-9][0-9]*)\n$`)

// syncBuffer is a buffer safe for concurrent use that can wait for text
// to appear in it: the demo's standard output.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls until the buffer holds s, or ctx ends.
func (b *syncBuffer) waitFor(ctx context.Context, s string) error {
	for !strings.Contains(b.String(), s) {
		select {
		case <-time.After(5 * time.Millisecond):
		case <-ctx.Done():
			return fmt.Errorf("waiting for %q: %w", s, ctx.Err())
		}
	}
	return nil
}

// socketBuffers is an upper bound of the bytes that the kernel buffers of
// one loopback connection hold for a peer that does not read: Linux's
// largest send buffer (the server's, grown by autotuning) and default
// receive buffer (the peer's, which grows only as it reads), from
// /proc/sys/net/ipv4; 8 MiB where those cannot be read.
func socketBuffers() int64 {
	field := func(file string, i int) (int64, bool) {
		b, err := os.ReadFile(file)
		if err != nil {
			return 0, false
		}
		f := strings.Fields(string(b))
		if len(f) != 3 {
			return 0, false
		}
		n, err := strconv.ParseInt(f[i], 10, 64)
		return n, err == nil
	}
	send, ok1 := field("/proc/sys/net/ipv4/tcp_wmem", 2)
	recv, ok2 := field("/proc/sys/net/ipv4/tcp_rmem", 1)
	if !ok1 || !ok2 {
		return 8 << 20
	}
	return send + recv + 64<<10 // and coder/websocket's buffers
}
