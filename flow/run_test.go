package flow_test

import (
	"context"
	"errors"
	"github.com/wsflow/wsflow/internal/flowtest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/internal/flowrun"
)

func TestPushAfterEndReturnsError(t *testing.T) {
	errEmit := errors.New("peer gone")
	tests := []struct {
		name string
		end  func(t *testing.T, r *flow.Running[int])
		want error
	}{
		{"completed", func(_ *testing.T, r *flow.Running[int]) { r.CloseInput() }, nil},
		{"stopped", func(_ *testing.T, r *flow.Running[int]) { r.Stop() }, context.Canceled},
		{"failed", func(t *testing.T, r *flow.Running[int]) { assert.ErrorIs(t, r.Push(-1), errEmit) }, errEmit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c collector[int]
			r := flow.Start(t.Context(), flow.Map(func(v int) int { return v }), func(v int) error {
				if v < 0 {
					return errEmit
				}
				return c.emit(v)
			})
			require.NoError(t, r.Push(1))
			tt.end(t, r)
			flowtest.WaitDone(t, r)
			assert.Error(t, r.Push(2))
			r.CloseInput() // a no-op once the flow has ended
			assert.Equal(t, tt.want, r.Stop())
			assert.Equal(t, []int{1}, c.values(), "nothing is emitted after the flow ended")
		})
	}
}

func TestErrIsNilBeforeDone(t *testing.T) {
	r := flow.Start(t.Context(), flow.Identity[int](), func(int) error { return nil })
	assert.False(t, flowtest.IsDone(r))
	assert.NoError(t, r.Err())
	assert.ErrorIs(t, r.Stop(), context.Canceled)
	assert.True(t, flowtest.IsDone(r))
	assert.ErrorIs(t, r.Err(), context.Canceled)
}

func TestDoneClosesOnOutputCompletion(t *testing.T) {
	// The output of Wrap completes with its source while the input is
	// still open: that alone ends the flow.
	var c collector[string]
	r := flow.Start(t.Context(), flow.Wrap(flow.Ignore[string](), flow.Just("a", "b")), c.emit)
	flowtest.WaitDone(t, r)
	assert.NoError(t, r.Err())
	assert.Equal(t, []string{"a", "b"}, c.values())
	assert.Error(t, r.Push("late"))
	assert.NoError(t, r.Stop())
}

// hooks records the calls of OnDone hooks.
type hooks struct {
	mu    sync.Mutex
	calls map[string][]error
}

func (h *hooks) hook(name string) func(error) {
	return func(err error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.calls == nil {
			h.calls = map[string][]error{}
		}
		h.calls[name] = append(h.calls[name], err)
	}
}

func (h *hooks) snapshot() map[string][]error {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string][]error{}
	for k, v := range h.calls {
		out[k] = append([]error(nil), v...)
	}
	return out
}

func TestStopRunsOnDoneHooksOnce(t *testing.T) {
	errBad := errors.New("bad element")
	never := func() flow.Source[int] { return flow.FromChannel(make(chan int)) }
	failOnNegative := func(v int) error {
		if v < 0 {
			return errBad
		}
		return nil
	}
	tests := []struct {
		name  string
		build func(h *hooks) flow.Flow[int, int]
		drive func(t *testing.T, r *flow.Running[int])
		want  error
	}{
		{
			name: "fused flow completes",
			build: func(h *hooks) flow.Flow[int, int] {
				return flow.Via(flow.Identity[int]().OnDone(h.hook("first")), flow.Map(func(v int) int { return v }).OnDone(h.hook("second")))
			},
			drive: func(t *testing.T, r *flow.Running[int]) {
				require.NoError(t, r.Push(1))
				r.CloseInput()
				flowtest.WaitDone(t, r)
			},
			want: nil,
		},
		{
			name: "wrap completes with its source",
			build: func(h *hooks) flow.Flow[int, int] {
				return flow.Wrap(flow.ForEach(func(int) {}).OnDone(h.hook("sink")), flow.Just(1, 2)).OnDone(h.hook("flow"))
			},
			drive: func(t *testing.T, r *flow.Running[int]) { flowtest.WaitDone(t, r) },
			want:  nil,
		},
		{
			name: "sink fails",
			build: func(h *hooks) flow.Flow[int, int] {
				return flow.Wrap(flow.ForEachErr(failOnNegative).OnDone(h.hook("sink")), never()).OnDone(h.hook("flow"))
			},
			drive: func(t *testing.T, r *flow.Running[int]) {
				require.NoError(t, r.Push(1))
				require.ErrorIs(t, r.Push(-1), errBad)
				flowtest.WaitDone(t, r)
			},
			want: errBad,
		},
		{
			name: "stopped while running",
			build: func(h *hooks) flow.Flow[int, int] {
				return flow.Wrap(flow.ForEach(func(int) {}).OnDone(h.hook("sink")), never()).OnDone(h.hook("flow"))
			},
			drive: func(t *testing.T, r *flow.Running[int]) {
				require.NoError(t, r.Push(1))
				assert.False(t, flowtest.IsDone(r))
			},
			want: context.Canceled,
		},
		{
			name: "sink of To fails",
			build: func(h *hooks) flow.Flow[int, int] {
				sink := flow.To(flow.Identity[int]().OnDone(h.hook("inner")), flow.ForEachErr(failOnNegative).OnDone(h.hook("sink")))
				return flow.Wrap(sink, never()).OnDone(h.hook("flow"))
			},
			drive: func(t *testing.T, r *flow.Running[int]) {
				require.ErrorIs(t, r.Push(-1), errBad)
				flowtest.WaitDone(t, r)
			},
			want: errBad,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h hooks
			r := flow.Start(t.Context(), tt.build(&h), func(int) error { return nil })
			tt.drive(t, r)
			assert.Empty(t, h.snapshot(), "hooks ran before Stop")

			assert.Equal(t, tt.want, r.Stop())
			calls := h.snapshot()
			assert.NotEmpty(t, calls)
			assert.Equal(t, tt.want, r.Stop(), "second Stop")
			assert.Equal(t, tt.want, r.Err())
			assert.Equal(t, calls, h.snapshot(), "the second Stop ran hooks again")
			for name, reasons := range calls {
				assert.Equal(t, []error{tt.want}, reasons, "hook %s", name)
			}
		})
	}
}

func TestStopWaitsForGoroutines(t *testing.T) {
	started := make(chan struct{})
	exited := make(chan struct{})
	src := flow.SourceFunc(func(ctx context.Context, _ func(int) error) error {
		close(started)
		<-ctx.Done()
		close(exited)
		return nil
	})
	var h hooks
	r := flow.Start(t.Context(), flow.Wrap(flow.Ignore[int](), src).OnDone(func(err error) {
		select {
		case <-exited:
		default:
			h.hook("ran before the source returned")(err)
		}
	}), func(int) error { return nil })
	flowtest.Receive(t, started)
	assert.ErrorIs(t, r.Stop(), context.Canceled)
	select {
	case <-exited:
	default:
		t.Fatal("Stop returned while the source was still running")
	}
	assert.Empty(t, h.snapshot())
}

func TestCancelEndsWithoutWaiting(t *testing.T) {
	// Cancel ends the flow at once, even while a goroutine of the flow is
	// blocked; Stop then waits for that goroutine and runs the hooks.
	entered := make(chan struct{})
	release := make(chan struct{})
	var h hooks
	f := flow.Wrap(flow.Ignore[int](), flow.Just(1, 2)).OnDone(h.hook("flow"))
	r := flow.Start(t.Context(), f, func(int) error {
		close(entered)
		<-release
		return nil
	})
	flowtest.Receive(t, entered)
	r.Cancel()
	assert.True(t, flowtest.IsDone(r))
	assert.ErrorIs(t, r.Err(), context.Canceled)
	assert.Error(t, r.Push(1))
	r.Cancel() // idempotent
	assert.Empty(t, h.snapshot(), "Cancel ran the hooks")

	close(release)
	assert.ErrorIs(t, r.Stop(), context.Canceled)
	assert.Equal(t, map[string][]error{"flow": {context.Canceled}}, h.snapshot())
}

func TestStopEndsWithCanceled(t *testing.T) {
	// Whatever the context given to Start, a flow that Stop ends ends
	// with context.Canceled.
	tests := []struct {
		name string
		ctx  func(t *testing.T) context.Context
	}{
		{"running context", func(*testing.T) context.Context { return context.Background() }},
		{"ended context", func(t *testing.T) context.Context {
			ctx, cancel := context.WithCancelCause(context.Background())
			cancel(errors.New("shutting down"))
			return ctx
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h hooks
			r := flow.Start(tt.ctx(t), flow.Map(func(v int) int { return v }).OnDone(h.hook("flow")), func(int) error { return nil })
			assert.False(t, flowtest.IsDone(r), "a fused flow does not watch its context")
			assert.Equal(t, context.Canceled, r.Stop())
			assert.Equal(t, map[string][]error{"flow": {context.Canceled}}, h.snapshot())
		})
	}
}

func TestPanicEndsTheFlow(t *testing.T) {
	boom := func() { panic("boom") }
	tests := []struct {
		name  string
		f     flow.Flow[int, int]
		emit  func(int) error
		drive func(t *testing.T, r *flow.Running[int])
	}{
		{
			name: "map function",
			f:    flow.Map(func(v int) int { boom(); return v }),
			drive: func(t *testing.T, r *flow.Running[int]) {
				var pe *flow.PanicError
				assert.ErrorAs(t, r.Push(1), &pe)
			},
		},
		{
			name: "fused map deep in a chain",
			f:    flow.Via(flow.Identity[int](), flow.Via(flow.Filter(func(int) bool { return true }), flow.Map(func(v int) int { boom(); return v }))),
			drive: func(t *testing.T, r *flow.Running[int]) {
				var pe *flow.PanicError
				assert.ErrorAs(t, r.Push(1), &pe)
			},
		},
		{
			name: "foreach sink",
			f:    flow.Wrap(flow.ForEach(func(int) { boom() }), flow.FromChannel(make(chan int))),
			drive: func(t *testing.T, r *flow.Running[int]) {
				var pe *flow.PanicError
				assert.ErrorAs(t, r.Push(1), &pe)
			},
		},
		{
			name: "stage inside a source on its own goroutine",
			f:    flow.Wrap(flow.Ignore[int](), flow.Through(flow.Just(1, 2), flow.Map(func(v int) int { boom(); return v }))),
		},
		{
			name: "source func on its own goroutine",
			f: flow.Wrap(flow.Ignore[int](), flow.SourceFunc(func(context.Context, func(int) error) error {
				boom()
				return nil
			})),
		},
		{
			name: "stage func on its own goroutine",
			f: flow.StageFunc(func(context.Context, <-chan int, func(int) error) error {
				boom()
				return nil
			}),
			drive: func(t *testing.T, r *flow.Running[int]) {
				flowtest.WaitDone(t, r)
				assert.ErrorIs(t, r.Push(1), flow.ErrStopped)
			},
		},
		{
			name: "emit called from a source goroutine",
			f:    flow.Wrap(flow.Ignore[int](), flow.Just(1)),
			emit: func(int) error { boom(); return nil },
		},
		{
			name: "building the flow",
			f: flow.Defer(func() flow.Flow[int, int] {
				boom()
				return flow.Identity[int]()
			}),
			drive: func(t *testing.T, r *flow.Running[int]) {
				assert.Error(t, r.Push(1))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emit := tt.emit
			if emit == nil {
				emit = func(int) error { return nil }
			}
			r := flow.Start(t.Context(), tt.f, emit)
			if tt.drive != nil {
				tt.drive(t, r)
			}
			flowtest.WaitDone(t, r)
			var pe *flow.PanicError
			require.ErrorAs(t, r.Err(), &pe)
			assert.Equal(t, "boom", pe.Value)
			assert.Equal(t, "flow: panic: boom", pe.Error())
			assert.NotEmpty(t, pe.Stack)
			assert.Equal(t, r.Err(), r.Stop())
		})
	}
}

func TestEmitErrorStopsTheSource(t *testing.T) {
	errPeer := errors.New("peer gone")
	items := make(chan int, 10)
	for i := range 10 {
		items <- i
	}
	tests := []struct {
		name string
		src  flow.Source[int]
	}{
		{"just", flow.Just(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)},
		{"tick", flow.Tick(5*time.Millisecond, 7)},
		{"from channel", flow.FromChannel(items)},
		{"through", flow.Through(flow.Just(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), flow.Map(func(v int) int { return v }))},
		{"source func", flow.SourceFunc(func(_ context.Context, emit func(int) error) error {
			for i := range 10 {
				if err := emit(i); err != nil {
					return err
				}
			}
			return nil
		})},
		{"concat", flow.Concat(flow.Just(0, 1), flow.Just(2, 3, 4, 5, 6, 7, 8, 9))},
		{"tick time", flow.Through(flow.TickTime(time.Millisecond), flow.Map(func(time.Time) int { return 1 }))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			r := flow.Start(t.Context(), flow.Wrap(flow.Ignore[int](), tt.src), func(int) error {
				calls++
				if calls == 3 {
					return errPeer
				}
				return nil
			})
			flowtest.WaitDone(t, r)
			assert.ErrorIs(t, r.Err(), errPeer)
			assert.ErrorIs(t, r.Stop(), errPeer)
			assert.Equal(t, 3, calls, "the source went on emitting after emit failed")
		})
	}
}

func TestBackPressure(t *testing.T) {
	tests := []struct {
		name string
		f    flow.Flow[int, int]
		want int
	}{
		{"identity", flow.Identity[int](), 21},
		{"map", flow.Map(func(v int) int { return v * 2 }), 42},
		{"via of three", flow.Via(flow.Map(func(v int) int { return v * 2 }), flow.Via(flow.Filter(func(int) bool { return true }), flow.Map(func(v int) int { return v + 1 }))), 43},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entered := make(chan int)
			release := make(chan struct{})
			r := flow.Start(t.Context(), tt.f, func(v int) error {
				entered <- v
				<-release
				return nil
			})
			pushed := make(chan error, 1)
			go func() { pushed <- r.Push(21) }()
			assert.Equal(t, tt.want, flowtest.Receive(t, entered))

			select {
			case err := <-pushed:
				t.Fatalf("Push returned (%v) while emit was blocked", err)
			default:
			}
			close(release)
			require.NoError(t, flowtest.Receive(t, pushed))
			r.CloseInput()
			flowtest.WaitDone(t, r)
			assert.NoError(t, r.Stop())
		})
	}
}

func TestSourceBackPressure(t *testing.T) {
	// A source whose emit is blocked does not read ahead.
	ch := make(chan int)
	entered := make(chan int)
	release := make(chan struct{})
	r := flow.Start(t.Context(), flow.Wrap(flow.Ignore[int](), flow.FromChannel(ch)), func(v int) error {
		entered <- v
		<-release
		return nil
	})
	ch <- 1
	assert.Equal(t, 1, flowtest.Receive(t, entered))
	select {
	case ch <- 2:
		t.Fatal("the source took an element while emit was blocked")
	default:
	}
	close(release)
	ch <- 2
	assert.Equal(t, 2, flowtest.Receive(t, entered))
	close(ch)
	flowtest.WaitDone(t, r)
	assert.NoError(t, r.Stop())
}

func TestAfterDone(t *testing.T) {
	ran := make(chan error, 2)
	var r *flow.Running[string]
	r = flow.Start(context.Background(), flow.Identity[string](), (&collector[string]{}).emit)
	flowrun.Of(r).AfterDone(func() { ran <- r.Err() })
	select {
	case <-ran:
		t.Fatal("AfterDone ran before the flow ended")
	default:
	}
	r.CloseInput()
	require.NoError(t, flowtest.Receive(t, ran))
	flowrun.Of(r).AfterDone(func() { ran <- errors.New("late") }) // already ended: runs at once
	require.EqualError(t, flowtest.Receive(t, ran), "late")
	r.Stop()
}
