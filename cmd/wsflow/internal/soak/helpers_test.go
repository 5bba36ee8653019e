package soak

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/cmd/wsflow/internal/cmdtest"
	"github.com/wsflow/wsflow/cmd/wsflow/internal/demo"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testTimeout bounds every wait (cmdtest.Timeout).
const testTimeout = cmdtest.Timeout

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
	return &testDemo{addr: cmdtest.Serve(t, app, app.Shutdown)}
}

func (d *testDemo) wsURL(pathAndQuery string) string { return "ws://" + d.addr + pathAndQuery }

var listeningLine = regexp.MustCompile(`^listening on http://(127\.0\.0\.1:[1-9][0-9]*)\n$`)

// syncBuffer is a buffer a test can wait on.
type syncBuffer = cmdtest.Buffer
