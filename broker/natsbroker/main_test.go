package natsbroker_test

import (
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain checks every test of the package for leaked goroutines.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// patience bounds how long a test waits for a signal that should come.
const patience = 10 * time.Second
