package cat

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/cmd/wsflow/demo"
	"github.com/wsflow/wsflow/internal/cmdtest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testTimeout bounds every wait (cmdtest.Timeout).
const testTimeout = cmdtest.Timeout

// testCtx returns a context that ends with the test or after testTimeout.
func testCtx(t testing.TB) context.Context { return cmdtest.Context(t) }

// testDemo is the demo application, served for one test: what cat talks to.
type testDemo struct{ addr string }

// startDemo serves demo.New with its default configuration until the end
// of the test, when its sockets are shut down.
func startDemo(t *testing.T) *testDemo {
	t.Helper()
	app := demo.New(demo.DefaultConfig())
	return &testDemo{addr: cmdtest.Serve(t, app, app.Shutdown)}
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

// syncBuffer is a buffer a test can wait on.
type syncBuffer = cmdtest.Buffer
