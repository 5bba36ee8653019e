package cat

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/cmd/wsflow/internal/demo"
	"github.com/wsflow/wsflow/router/wstest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testTimeout bounds every wait, so that a broken test fails instead of
// hanging; nothing is expected to come near it.
const testTimeout = 30 * time.Second

// testCtx returns a context that ends with the test or after testTimeout.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// testDemo is the demo application, served for one test: what cat talks to.
type testDemo struct{ addr string }

// startDemo serves demo.New with its default configuration until the end
// of the test, when its sockets are shut down.
func startDemo(t *testing.T) *testDemo {
	t.Helper()
	app := demo.New(demo.DefaultConfig())
	srv := wstest.Serve(t, app)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		require.NoError(t, app.Shutdown(ctx))
	})
	return &testDemo{addr: strings.TrimPrefix(srv.HTTPURL(""), "http://")}
}

func (d *testDemo) wsURL(pathAndQuery string) string   { return "ws://" + d.addr + pathAndQuery }
func (d *testDemo) httpURL(pathAndQuery string) string { return "http://" + d.addr + pathAndQuery }

// get sends a plain GET, on a connection that is not kept, and returns
// the response (its body closed) and the body.
func get(t *testing.T, url string, _ http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(testCtx(t), http.MethodGet, url, nil)
	require.NoError(t, err)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body bytes.Buffer
	_, err = body.ReadFrom(resp.Body)
	require.NoError(t, err)
	return resp, body.String()
}

// syncBuffer is a buffer safe for concurrent use that can wait for text
// to appear in it: cat's standard error.
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
