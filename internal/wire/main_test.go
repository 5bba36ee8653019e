package wire

import (
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain parks sockets 1 ms after their peer falls silent, so that the
// tests see them parked at once.
func TestMain(m *testing.M) {
	parkAfter = time.Millisecond
	goleak.VerifyTestMain(m)
}
