package bench

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMemberIndex(t *testing.T) {
	for _, i := range []int{0, 1, 9, 10, 499, 123456789} {
		assert.Equal(t, i, memberIndex([]byte(memberName(i))))
	}
	for _, name := range []string{"", "m", "m01", "n1", "m1x", "M1", "m-1", "m1234567890", "anonymous"} {
		assert.Equal(t, -1, memberIndex([]byte(name)), name)
	}
}

func TestFillBroadcastCarriesItsSendTime(t *testing.T) {
	buf := make([]byte, 64)
	fillBroadcast(buf, 2, 7, 0x1234*time.Nanosecond)
	assert.Equal(t, "00000002:0000000000000007:0000000000001234:", string(buf[:BroadcastMinSize]))
	assert.NotContains(t, string(buf), "\x00", "the filler runs to the end")

	chk := newBroadcastChecker(0, 3, 64)
	chk.next[2] = 7
	sender, at, err := chk.check([]byte("m2"), buf)
	require.NoError(t, err)
	assert.Equal(t, 2, sender)
	assert.Equal(t, 0x1234*time.Nanosecond, at)
	assert.Equal(t, uint64(8), chk.next[2])
}

func TestBroadcastCheckerWantsEverySendersMessagesInOrder(t *testing.T) {
	const size = 50
	msg := func(sender int, seq uint64) []byte {
		b := make([]byte, size)
		fillBroadcast(b, sender, seq, time.Duration(seq+1)*time.Millisecond)
		return b
	}
	chk := newBroadcastChecker(4, 2, size)
	// Two senders interleaved: each in its own order.
	for _, m := range []struct {
		sender int
		seq    uint64
	}{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 2}} {
		s, at, err := chk.check([]byte(memberName(m.sender)), msg(m.sender, m.seq))
		require.NoError(t, err)
		assert.Equal(t, m.sender, s)
		assert.Equal(t, time.Duration(m.seq+1)*time.Millisecond, at)
	}
	require.NoError(t, chk.complete([]uint64{3, 2}))
	err := chk.complete([]uint64{3, 4})
	assert.ErrorContains(t, err, "delivery mismatch at member m4: messages 2 to 3 of m1 are missing: sent, never delivered")

	fails := func(name string, got []byte) *DeliveryError {
		t.Helper()
		before := append([]uint64(nil), chk.next...)
		_, _, err := chk.check([]byte(name), got)
		var d *DeliveryError
		require.True(t, errors.As(err, &d), "want a delivery error, got %v", err)
		assert.Equal(t, 4, d.Member)
		assert.Equal(t, before, chk.next, "a failed check moves nothing on")
		return d
	}
	d := fails("m0", msg(0, 4))
	assert.Equal(t, 0, d.Sender)
	assert.Equal(t, uint64(3), d.Seq)
	assert.Contains(t, d.Error(), "message 3 of m0 is missing: message 4 came next")

	d = fails("m0", msg(0, 1))
	assert.Contains(t, d.Error(), "message 1 of m0 came again, or out of order, when message 3 was due")

	d = fails("m2", msg(0, 3))
	assert.Equal(t, -1, d.Sender)
	assert.Contains(t, d.Error(), `a message from "m2", which is not a sender`)

	d = fails("m1", msg(0, 2)) // m0's message under m1's name
	assert.Equal(t, 1, d.Sender)
	assert.Contains(t, d.Error(), "message 2 of m1 differs from byte 7")

	d = fails("m0", msg(0, 3)[:size-1])
	assert.Contains(t, d.Error(), "message 3 of m0 is 49 bytes, want 50")

	bad := msg(0, 3)
	bad[size-1]++
	d = fails("m0", bad)
	assert.Contains(t, d.Error(), "message 3 of m0 differs from byte 49")

	bad = msg(0, 3)
	bad[headerLen+2] = 'x'
	d = fails("m0", bad)
	assert.Contains(t, d.Error(), "message 3 of m0 has no send time")

	_, _, err = chk.check([]byte("m0"), msg(0, 3))
	assert.NoError(t, err, "the message due is still taken")
}

func TestBroadcastCheckAllocatesNothing(t *testing.T) {
	chk := newBroadcastChecker(0, 1, 64)
	msg := make([]byte, 64)
	line := append([]byte("m0: "), msg...)
	seq := uint64(0)
	allocs := testing.AllocsPerRun(100, func() {
		fillBroadcast(line[4:], 0, seq, time.Duration(seq))
		seq++
		l, err := parseChatLine(line)
		if err != nil {
			panic(err)
		}
		if _, _, err := chk.check(l.name, l.text); err != nil {
			panic(err)
		}
	})
	assert.Zero(t, allocs)
}
