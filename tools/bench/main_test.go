package bench

import (
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	settleEvery = 10 * time.Millisecond // idle rounds: settle in 50 ms
	goleak.VerifyTestMain(m)
}
