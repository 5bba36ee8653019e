package flow_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/wsflow/wsflow/flow"
)

// TestArgumentsAreRefusedWhereWritten: an argument no run could use
// panics when the operator is called, naming the operator and the
// argument, as time.NewTicker does, not when a connection runs it.
func TestArgumentsAreRefusedWhereWritten(t *testing.T) {
	id := flow.Identity[int]()
	for _, c := range []struct {
		call func()
		want string
	}{
		{func() { flow.Tick(0, "tick") }, "flow.Tick: non-positive interval 0s"},
		{func() { flow.TickFrom(-1, time.Second, "tick") }, "flow.TickFrom: negative initial -1ns"},
		{func() { flow.TickFrom(0, 0, "tick") }, "flow.TickFrom: non-positive interval 0s"},
		{func() { flow.TickTime(-time.Second) }, "flow.TickTime: non-positive d -1s"},
		{func() { flow.Throttle[int](0, time.Second, 1) }, "flow.Throttle: non-positive elements 0"},
		{func() { flow.Throttle[int](1, 0, 1) }, "flow.Throttle: non-positive per 0s"},
		{func() { flow.Throttle[int](1, time.Second, 0) }, "flow.Throttle: non-positive burst 0"},
		{func() { flow.Debounce[int](0) }, "flow.Debounce: non-positive d 0s"},
		{func() { flow.GroupedWithin[int](0, time.Second) }, "flow.GroupedWithin: non-positive n 0"},
		{func() { flow.GroupedWithin[int](1, 0) }, "flow.GroupedWithin: non-positive d 0s"},
		{func() { flow.KeepAlive(0, func() int { return 0 }) }, "flow.KeepAlive: non-positive idle 0s"},
		{func() { flow.KeepAlive[int](time.Second, nil) }, "flow.KeepAlive: nil inject"},
		{func() { flow.IdleTimeout[int](0) }, "flow.IdleTimeout: non-positive d 0s"},
		{func() { flow.CompletionTimeout[int](0) }, "flow.CompletionTimeout: non-positive d 0s"},
		{func() { flow.MapAsync(0, func(context.Context, int) (int, error) { return 0, nil }) }, "flow.MapAsync: non-positive parallelism 0"},
		{func() { flow.MapAsync[int, int](1, nil) }, "flow.MapAsync: nil fn"},
		{func() { flow.MapAsyncUnordered(0, func(context.Context, int) (int, error) { return 0, nil }) }, "flow.MapAsyncUnordered: non-positive parallelism 0"},
		{func() { flow.MapAsyncUnordered[int, int](1, nil) }, "flow.MapAsyncUnordered: nil fn"},
		{func() { flow.Buffer[int](0, flow.Backpressure) }, "flow.Buffer: non-positive size 0"},
		{func() { flow.Buffer[int](1, flow.Overflow(99)) }, "flow.Buffer: unknown strategy Overflow(99)"},
		{func() { flow.WithMailbox(0, flow.Backpressure) }, "flow.WithMailbox: non-positive size 0"},
		{func() { flow.WithMailbox(1, flow.Overflow(-1)) }, "flow.WithMailbox: unknown policy Overflow(-1)"},
		{func() { flow.Actor[int, int](nil) }, "flow.Actor: nil act"},
		{func() { flow.Take[int](-1) }, "flow.Take: negative n -1"},
		{func() { flow.Drop[int](-1) }, "flow.Drop: negative n -1"},
		{func() { flow.Map[int, int](nil) }, "flow.Map: nil fn"},
		{func() { flow.MapErr[int, int](nil) }, "flow.MapErr: nil fn"},
		{func() { flow.Filter[int](nil) }, "flow.Filter: nil keep"},
		{func() { flow.Scan[int, int](0, nil) }, "flow.Scan: nil fn"},
		{func() { flow.TakeWhile[int](nil) }, "flow.TakeWhile: nil keep"},
		{func() { flow.MapConcat[int, int](nil) }, "flow.MapConcat: nil fn"},
		{func() { flow.Recover[int](nil) }, "flow.Recover: nil fn"},
		{func() { flow.StageFunc[int, int](nil) }, "flow.StageFunc: nil run"},
		{func() { flow.SourceFunc[int](nil) }, "flow.SourceFunc: nil run"},
		{func() { flow.KillSwitched[int](nil) }, "flow.KillSwitched: nil k"},
		{func() { flow.Callbacks[int, int](nil) }, "flow.Callbacks: nil onReady"},
		{func() { flow.Zip[int, int, int](flow.Empty[int](), flow.Empty[int](), nil) }, "flow.Zip: nil combine"},
		{func() { flow.Defer[int, int](nil) }, "flow.Defer: nil newFlow"},
		{func() { flow.ForEach[int](nil) }, "flow.ForEach: nil fn"},
		{func() { flow.ForEachErr[int](nil) }, "flow.ForEachErr: nil fn"},
		{func() { id.OnDone(nil) }, "flow.Flow.OnDone: nil fn"},
		{func() { flow.Ignore[int]().OnDone(nil) }, "flow.Sink.OnDone: nil fn"},
	} {
		t.Run(c.want, func(t *testing.T) {
			assert.PanicsWithValue(t, c.want, c.call)
		})
	}
}

// TestLimitsStillAccepted: the smallest arguments that mean something
// are taken.
func TestLimitsStillAccepted(t *testing.T) {
	assert.NotPanics(t, func() {
		flow.Take[int](0)
		flow.Drop[int](0)
		flow.TickFrom(0, time.Second, "tick")
		flow.Buffer[int](1, flow.Fail)
		flow.WithMailbox(1, flow.DropNew)
		flow.FromChannel[int](nil) // a source that never emits
	})
}
