package bench

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func payload(conn int, seq uint64, size int) []byte {
	b := make([]byte, size)
	fillPayload(b, conn, seq)
	return b
}

func TestPayloadIsDistinctAndText(t *testing.T) {
	p := payload(3, 17, 1024)
	assert.Equal(t, "00000003:0000000000000011:", string(p[:headerLen]))
	assert.True(t, utf8.Valid(p))
	assert.NotEqual(t, payload(3, 17, 1024), payload(3, 18, 1024))
	assert.NotEqual(t, payload(3, 17, 1024), payload(4, 17, 1024))
	// Even past the header, neighbours differ (the filler's phase moves).
	assert.NotEqual(t, payload(3, 17, 1024)[headerLen:], payload(3, 18, 1024)[headerLen:])
	assert.Len(t, payload(0, 1<<40, 64<<10), 64<<10)
}

func TestOrderCheckerAcceptsInOrder(t *testing.T) {
	c := newOrderChecker(7, 64)
	for seq := range uint64(100) {
		require.NoError(t, c.check(payload(7, seq, 64)))
	}
}

func TestOrderCheckerDetectsMismatches(t *testing.T) {
	mismatch := func(t *testing.T, err error) *MismatchError {
		t.Helper()
		var m *MismatchError
		require.True(t, errors.As(err, &m), "want a *MismatchError, got %v", err)
		return m
	}

	t.Run("reordered", func(t *testing.T) {
		c := newOrderChecker(1, 64)
		require.NoError(t, c.check(payload(1, 0, 64)))
		m := mismatch(t, c.check(payload(1, 2, 64))) // 1 and 2 swapped
		assert.Equal(t, uint64(1), m.Seq)
		assert.Contains(t, m.Error(), "is message 2: out of order")
	})
	t.Run("lost", func(t *testing.T) {
		c := newOrderChecker(1, 64)
		mismatch(t, c.check(payload(1, 1, 64)))
	})
	t.Run("duplicated", func(t *testing.T) {
		c := newOrderChecker(1, 64)
		require.NoError(t, c.check(payload(1, 0, 64)))
		assert.Contains(t, mismatch(t, c.check(payload(1, 0, 64))).Error(), "out of order")
	})
	t.Run("altered", func(t *testing.T) {
		c := newOrderChecker(1, 64)
		p := payload(1, 0, 64)
		p[50] ^= 1
		assert.Contains(t, mismatch(t, c.check(p)).Error(), "differs from byte 50")
	})
	t.Run("truncated", func(t *testing.T) {
		c := newOrderChecker(1, 64)
		assert.Contains(t, mismatch(t, c.check(payload(1, 0, 64)[:63])).Error(), "is 63 bytes, want 64")
	})
	t.Run("another connection's", func(t *testing.T) {
		c := newOrderChecker(1, 64)
		assert.Contains(t, mismatch(t, c.check(payload(2, 0, 64))).Error(), "differs from byte 7")
	})
}
