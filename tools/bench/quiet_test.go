package bench

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuietDisabledDoesNotLook(t *testing.T) {
	waited, load, err := Quiet{}.wait(context.Background(), 0)
	require.NoError(t, err)
	assert.Zero(t, waited)
	assert.Zero(t, load)
}

func TestQuietWaitIsBounded(t *testing.T) {
	// A threshold no machine meets: wait gives up after MaxWait.
	q := Quiet{Threshold: math.SmallestNonzeroFloat64, MaxWait: time.Nanosecond}
	_, load, err := q.wait(context.Background(), 0)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, load, 0.0)
}

func TestQuietEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := Quiet{Threshold: 1, MaxWait: time.Hour}.wait(ctx, 0)
	assert.ErrorIs(t, err, context.Canceled)
}
