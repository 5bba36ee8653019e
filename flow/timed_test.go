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
		tr := startTimed(t, flow.Throttle[int](1, tick, 2))
		tr.push(1)
		assert.Equal(t, 1, tr.next())
		tr.push(2)
		assert.Equal(t, 2, tr.next())
		tr.push(3) // taken: it waits in the stage
		tr.armed(tick)
		tr.nothing()
		tr.clk.Advance(tick)
		assert.Equal(t, 3, tr.next())
		tr.push(4)
		tr.armed(tick)
		tr.clk.Advance(tick)
		assert.Equal(t, 4, tr.next())
		tr.clk.Advance(5 * tick) // a quiet spell refills the bucket up to the burst
		tr.push(5)
		assert.Equal(t, 5, tr.next())
		tr.push(6)
		assert.Equal(t, 6, tr.next())
		assert.Zero(t, tr.clk.Armed())
		tr.r.CloseInput()
		assert.NoError(t, tr.end())
	})
	t.Run("holds one element: the push after it waits", func(t *testing.T) {
		tr := startTimed(t, flow.Throttle[int](1, tick, 1))
		tr.push(1)
		assert.Equal(t, 1, tr.next())
		tr.push(2) // returns at once: the stage holds it until its time
		tr.armed(tick)
		// A third push waits for the held one to go: nothing signals a
		// push that waits, so the test sees it return only after that.
		pushed := make(chan error, 1)
		go func() { pushed <- tr.r.Push(3) }()
		tr.clk.Advance(tick)
		assert.Equal(t, 2, tr.next())
		require.NoError(t, flowtest.Receive(t, pushed))
		tr.armed(tick)
		tr.clk.Advance(tick)
		assert.Equal(t, 3, tr.next())
	})
	t.Run("rate of several per period", func(t *testing.T) {
		tr := startTimed(t, flow.Throttle[int](4, tick, 1))
		tr.push(1)
		assert.Equal(t, 1, tr.next())
		tr.push(2)
		tr.armed(tick / 4)
		tr.clk.Advance(tick / 4)
		assert.Equal(t, 2, tr.next())
	})
	t.Run("completes once what it holds is emitted", func(t *testing.T) {
		tr := startTimed(t, flow.Throttle[int](1, tick, 1))
		tr.push(1)
		assert.Equal(t, 1, tr.next())
		tr.push(2)
		tr.armed(tick)
		tr.r.CloseInput()
		tr.clk.Advance(tick)
		assert.Equal(t, 2, tr.next())
		assert.NoError(t, tr.end())
	})
	t.Run("fails with its input", func(t *testing.T) {
		_, err := run(t, flow.Via(failAt(2), flow.Throttle[int](1, tick, 5)), 1, 2, 3)
		assert.ErrorIs(t, err, errBoom)
	})
	t.Run("cancelled while waiting", func(t *testing.T) {
		tr := startTimed(t, flow.Throttle[int](1, tick, 1))
		tr.push(1)
		assert.Equal(t, 1, tr.next())
		tr.push(2)
		tr.armed(tick)
		assert.ErrorIs(t, tr.r.Stop(), context.Canceled)
		assert.Zero(t, tr.clk.Armed())
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

func TestTickFrom(t *testing.T) {
	t.Run("at once, then every interval", func(t *testing.T) {
		tr := startTimed(t, flow.Wrap(flow.Ignore[int](), flow.TickFrom(0, tick, "tick")))
		assert.Equal(t, "tick", tr.next(), "the first tick comes at the start")
		tr.armed(tick)
		tr.nothing()
		tr.clk.Advance(tick)
		assert.Equal(t, "tick", tr.next())
		tr.armed(tick)
	})
	t.Run("after an initial delay", func(t *testing.T) {
		tr := startTimed(t, flow.Wrap(flow.Ignore[int](), flow.TickFrom(tick/2, tick, 1)))
		tr.armed(tick / 2)
		tr.nothing()
		tr.clk.Advance(tick / 2)
		assert.Equal(t, 1, tr.next())
		tr.armed(tick)
	})
	t.Run("Tick waits one interval", func(t *testing.T) {
		tr := startTimed(t, flow.Wrap(flow.Ignore[int](), flow.Tick(tick, 1)))
		tr.armed(tick)
		tr.nothing()
		tr.clk.Advance(tick)
		assert.Equal(t, 1, tr.next())
	})
}
