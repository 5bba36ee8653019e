package flow_test

import (
	"context"
	"errors"
	"github.com/wsflow/wsflow/internal/flowtest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
)

// timedRun is a run of a timed operator on a fake clock, its output going
// to a peer the test reads.
type timedRun[In, Out any] struct {
	t    *testing.T
	clk  *flow.FakeClock
	peer *flowtest.Peer[Out]
	r    *flow.Running[In]
}

func startTimed[In, Out any](t *testing.T, f flow.Flow[In, Out]) *timedRun[In, Out] {
	t.Helper()
	clk := flow.NewFakeClock()
	p := flowtest.NewPeer[Out]()
	r := flow.Start(clk.Context(t.Context()), f, p.Emit)
	tr := &timedRun[In, Out]{t: t, clk: clk, peer: p, r: r}
	t.Cleanup(func() {
		p.HangUp()
		r.Stop()
		assert.Zero(t, clk.Armed(), "a timer outlived the run")
	})
	return tr
}

// armed waits until a timer is set to fire d from now.
func (tr *timedRun[In, Out]) armed(d time.Duration) {
	tr.t.Helper()
	if !tr.clk.WaitArmed(d, flowtest.Patience) {
		tr.t.Fatalf("no timer was set for %v from now", d)
	}
}

func (tr *timedRun[In, Out]) push(v In) {
	tr.t.Helper()
	require.NoError(tr.t, tr.r.Push(v))
}

func (tr *timedRun[In, Out]) next() Out {
	tr.t.Helper()
	return flowtest.Receive(tr.t, tr.peer.Got)
}

// nothing checks that nothing has been emitted yet.
func (tr *timedRun[In, Out]) nothing() {
	tr.t.Helper()
	select {
	case v := <-tr.peer.Got:
		tr.t.Fatalf("emitted %v too early", v)
	default:
	}
}

func (tr *timedRun[In, Out]) end() error {
	tr.t.Helper()
	flowtest.WaitDone(tr.t, tr.r)
	return tr.r.Err()
}

const tick = time.Second

func TestDebounce(t *testing.T) {
	t.Run("last of a burst", func(t *testing.T) {
		tr := startTimed(t, flow.Debounce[int](tick))
		tr.push(1)
		tr.armed(tick)
		tr.clk.Advance(tick / 2)
		tr.push(2)
		tr.armed(tick)
		tr.clk.Advance(tick / 2)
		tr.nothing()
		tr.clk.Advance(tick / 2)
		assert.Equal(t, 2, tr.next())
		tr.r.CloseInput()
		assert.NoError(t, tr.end())
	})
	t.Run("completion emits what is pending", func(t *testing.T) {
		tr := startTimed(t, flow.Debounce[int](tick))
		tr.push(1)
		tr.r.CloseInput()
		assert.Equal(t, 1, tr.next())
		assert.NoError(t, tr.end())
	})
	t.Run("fails with its input", func(t *testing.T) {
		tr := startTimed(t, flow.Via(failAt(2), flow.Debounce[int](tick)))
		tr.push(1)
		assert.ErrorIs(t, tr.r.Push(2), errBoom)
		assert.ErrorIs(t, tr.end(), errBoom)
	})
	t.Run("cancelled", func(t *testing.T) {
		tr := startTimed(t, flow.Debounce[int](tick))
		tr.push(1)
		tr.armed(tick)
		assert.ErrorIs(t, tr.r.Stop(), context.Canceled)
	})
}

func TestGroupedWithin(t *testing.T) {
	t.Run("full and timed batches", func(t *testing.T) {
		tr := startTimed(t, flow.GroupedWithin[int](3, tick))
		for _, v := range []int{1, 2, 3} {
			tr.push(v)
		}
		assert.Equal(t, []int{1, 2, 3}, tr.next())
		tr.push(4)
		tr.armed(tick)
		tr.clk.Advance(tick)
		assert.Equal(t, []int{4}, tr.next())
		tr.push(5)
		tr.r.CloseInput()
		assert.Equal(t, []int{5}, tr.next())
		assert.NoError(t, tr.end())
	})
	t.Run("no empty batches", func(t *testing.T) {
		tr := startTimed(t, flow.GroupedWithin[int](3, tick))
		tr.clk.Advance(10 * tick)
		tr.r.CloseInput()
		assert.NoError(t, tr.end())
		tr.nothing()
	})
	t.Run("fails with its input", func(t *testing.T) {
		tr := startTimed(t, flow.Via(failAt(2), flow.GroupedWithin[int](3, tick)))
		tr.push(1)
		assert.ErrorIs(t, tr.r.Push(2), errBoom)
		assert.ErrorIs(t, tr.end(), errBoom)
	})
	t.Run("cancelled", func(t *testing.T) {
		tr := startTimed(t, flow.GroupedWithin[int](3, tick))
		tr.push(1)
		tr.armed(tick)
		assert.ErrorIs(t, tr.r.Stop(), context.Canceled)
	})
}

func TestKeepAlive(t *testing.T) {
	beat := func() string { return "ping" }
	t.Run("injects when idle", func(t *testing.T) {
		tr := startTimed(t, flow.KeepAlive(tick, beat))
		tr.armed(tick)
		tr.clk.Advance(tick)
		assert.Equal(t, "ping", tr.next())
		tr.armed(tick)
		tr.clk.Advance(tick / 2)
		tr.push("data")
		assert.Equal(t, "data", tr.next())
		tr.armed(tick) // counted from the element
		tr.clk.Advance(tick / 2)
		tr.nothing()
		tr.clk.Advance(tick / 2)
		assert.Equal(t, "ping", tr.next())
		tr.r.CloseInput()
		assert.NoError(t, tr.end())
	})
	t.Run("fails with its input", func(t *testing.T) {
		f := flow.Via(flow.MapErr(func(string) (string, error) { return "", errBoom }), flow.KeepAlive(tick, beat))
		tr := startTimed(t, f)
		assert.ErrorIs(t, tr.r.Push("x"), errBoom)
		assert.ErrorIs(t, tr.end(), errBoom)
	})
	t.Run("cancelled", func(t *testing.T) {
		tr := startTimed(t, flow.KeepAlive(tick, beat))
		tr.armed(tick)
		assert.ErrorIs(t, tr.r.Stop(), context.Canceled)
	})
}

func TestIdleTimeout(t *testing.T) {
	t.Run("fails when idle", func(t *testing.T) {
		tr := startTimed(t, flow.IdleTimeout[int](tick))
		tr.armed(tick)
		tr.clk.Advance(tick / 2)
		tr.push(1)
		assert.Equal(t, 1, tr.next())
		tr.armed(tick)
		tr.clk.Advance(tick)
		err := tr.end()
		require.ErrorIs(t, err, flow.ErrIdleTimeout)
		var ce *message.CloseError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, message.GoingAway, ce.Code)
		assert.Equal(t, "idle timeout", ce.Reason)
	})
	t.Run("completes with its input", func(t *testing.T) {
		tr := startTimed(t, flow.IdleTimeout[int](tick))
		tr.push(1)
		assert.Equal(t, 1, tr.next())
		tr.r.CloseInput()
		assert.NoError(t, tr.end())
	})
	t.Run("fails with its input", func(t *testing.T) {
		tr := startTimed(t, flow.Via(failAt(1), flow.IdleTimeout[int](tick)))
		assert.ErrorIs(t, tr.r.Push(1), errBoom)
		assert.ErrorIs(t, tr.end(), errBoom)
	})
	t.Run("cancelled", func(t *testing.T) {
		tr := startTimed(t, flow.IdleTimeout[int](tick))
		tr.armed(tick)
		assert.ErrorIs(t, tr.r.Stop(), context.Canceled)
	})
}

func TestCompletionTimeout(t *testing.T) {
	t.Run("fails when late", func(t *testing.T) {
		tr := startTimed(t, flow.CompletionTimeout[int](tick))
		tr.armed(tick)
		tr.push(1)
		assert.Equal(t, 1, tr.next())
		tr.clk.Advance(tick)
		err := tr.end()
		require.ErrorIs(t, err, flow.ErrCompletionTimeout)
		var ce *message.CloseError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, message.GoingAway, ce.Code)
	})
	t.Run("completes in time", func(t *testing.T) {
		tr := startTimed(t, flow.CompletionTimeout[int](tick))
		tr.push(1)
		assert.Equal(t, 1, tr.next())
		tr.r.CloseInput()
		assert.NoError(t, tr.end())
	})
	t.Run("fails with its input", func(t *testing.T) {
		tr := startTimed(t, flow.Via(failAt(1), flow.CompletionTimeout[int](tick)))
		assert.ErrorIs(t, tr.r.Push(1), errBoom)
		assert.ErrorIs(t, tr.end(), errBoom)
	})
}

func TestThrottle(t *testing.T) {
	t.Run("bursts then waits, never drops", func(t *testing.T) {
		clk := flow.NewFakeClock()
		var c collector[int]
		r := flow.Start(clk.Context(t.Context()), flow.Throttle[int](1, tick, 2), c.emit)
		defer r.Stop()
		require.NoError(t, r.Push(1))
		require.NoError(t, r.Push(2))
		pushed := make(chan error, 1)
		go func() { pushed <- r.Push(3) }()
		require.True(t, clk.WaitArmed(tick, flowtest.Patience), "the third element did not wait")
		assert.Equal(t, []int{1, 2}, c.values())
		clk.Advance(tick)
		require.NoError(t, flowtest.Receive(t, pushed))
		assert.Equal(t, []int{1, 2, 3}, c.values())
		go func() { pushed <- r.Push(4) }()
		require.True(t, clk.WaitArmed(tick, flowtest.Patience), "the fourth element did not wait")
		clk.Advance(tick)
		require.NoError(t, flowtest.Receive(t, pushed))
		clk.Advance(5 * tick) // a quiet spell refills the bucket up to the burst
		require.NoError(t, r.Push(5))
		require.NoError(t, r.Push(6))
		assert.Equal(t, []int{1, 2, 3, 4, 5, 6}, c.values())
		assert.Zero(t, clk.Armed())
		r.CloseInput()
		flowtest.WaitDone(t, r)
		assert.NoError(t, r.Stop())
	})
	t.Run("rate of several per period", func(t *testing.T) {
		clk := flow.NewFakeClock()
		var c collector[int]
		r := flow.Start(clk.Context(t.Context()), flow.Throttle[int](4, tick, 1), c.emit)
		defer r.Stop()
		require.NoError(t, r.Push(1))
		pushed := make(chan error, 1)
		go func() { pushed <- r.Push(2) }()
		require.True(t, clk.WaitArmed(tick/4, flowtest.Patience))
		clk.Advance(tick / 4)
		require.NoError(t, flowtest.Receive(t, pushed))
	})
	t.Run("fails with its input", func(t *testing.T) {
		got, err := run(t, flow.Via(failAt(2), flow.Throttle[int](1, tick, 5)), 1, 2, 3)
		assert.Equal(t, []int{1}, got)
		assert.ErrorIs(t, err, errBoom)
	})
	t.Run("cancelled while waiting", func(t *testing.T) {
		clk := flow.NewFakeClock()
		r := flow.Start(clk.Context(t.Context()), flow.Throttle[int](1, tick, 1), (&collector[int]{}).emit)
		require.NoError(t, r.Push(1))
		pushed := make(chan error, 1)
		go func() { pushed <- r.Push(2) }()
		require.True(t, clk.WaitArmed(tick, flowtest.Patience))
		assert.ErrorIs(t, r.Stop(), context.Canceled)
		assert.Error(t, flowtest.Receive(t, pushed))
		assert.Zero(t, clk.Armed())
	})
	t.Run("needs a rate", func(t *testing.T) {
		assert.Panics(t, func() { flow.Throttle[int](0, tick, 1) })
	})
}

func TestTickTime(t *testing.T) {
	t.Run("keeps to its schedule", func(t *testing.T) {
		tr := startTimed(t, flow.Wrap(flow.Ignore[int](), flow.TickTime(tick)))
		t0 := tr.clk.Now()
		tr.armed(tick)
		tr.clk.Advance(tick)
		assert.Equal(t, t0.Add(tick), tr.next())
		tr.armed(tick)
		tr.clk.Advance(tick)
		// Not taken: the next two ticks are missed, not queued.
		tr.clk.Advance(2 * tick)
		assert.Equal(t, t0.Add(2*tick), tr.next())
		tr.armed(tick)
		tr.clk.Advance(tick)
		assert.Equal(t, t0.Add(5*tick), tr.next())
	})
	t.Run("emit failing ends it", func(t *testing.T) {
		tr := startTimed(t, flow.Wrap(flow.Ignore[int](), flow.TickTime(tick)))
		tr.armed(tick)
		tr.peer.HangUp()
		tr.clk.Advance(tick)
		assert.ErrorIs(t, tr.end(), flowtest.ErrHungUp)
	})
	t.Run("cancelled", func(t *testing.T) {
		tr := startTimed(t, flow.Wrap(flow.Ignore[int](), flow.TickTime(tick)))
		tr.armed(tick)
		assert.ErrorIs(t, tr.r.Stop(), context.Canceled)
	})
}

func TestTimedOperatorsOnTheRealClock(t *testing.T) {
	// Without a fake, the operators run on time.Now and real timers; the
	// durations are tiny and nothing asserts how long anything took.
	src := flow.Through(flow.Through(flow.TickTime(time.Millisecond), flow.Take[time.Time](3)),
		flow.Via(flow.Throttle[time.Time](1000, time.Second, 1), flow.KeepAlive(time.Hour, time.Now)))
	got, err := src.Collect(flowtest.Context(t))
	require.NoError(t, err)
	assert.Len(t, got, 3)
	_, err = flow.Collect(flowtest.Context(t), flow.Via(flow.IdleTimeout[int](time.Millisecond), flow.Debounce[int](time.Hour)), nil)
	assert.NoError(t, err, "completed input before the idle timeout")
	var never chan int
	_, err = flow.Through(flow.FromChannel(never), flow.IdleTimeout[int](time.Millisecond)).Collect(flowtest.Context(t))
	assert.True(t, errors.Is(err, flow.ErrIdleTimeout), "%v", err)
}
