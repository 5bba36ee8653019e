package soak

import (
	"regexp"
	"testing"

	"github.com/wsflow/wsflow/internal/cmdtest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testTimeout bounds every wait (cmdtest.Timeout).
const testTimeout = cmdtest.Timeout

var listeningLine = regexp.MustCompile(`^listening on http://(127\.0\.0\.1:[1-9][0-9]*)\n$`)

// syncBuffer is a buffer a test can wait on.
type syncBuffer = cmdtest.Buffer
