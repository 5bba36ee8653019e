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

func TestSources(t *testing.T) {
	errBad := errors.New("bad source")
	closed := make(chan int, 3)
	closed <- 1
	closed <- 2
	closed <- 3
	close(closed)
	tests := []struct {
		name    string
		src     flow.Source[int]
		want    []int
		wantErr error
	}{
		{"just", flow.Just(3, 1, 2), []int{3, 1, 2}, nil},
		{"just nothing", flow.Just[int](), nil, nil},
		{"empty", flow.Empty[int](), nil, nil},
		{"zero source", flow.Source[int]{}, nil, nil},
		{"failed", flow.Failed[int](errBad), nil, errBad},
		{"from closed channel", flow.FromChannel(closed), []int{1, 2, 3}, nil},
		{"through map", flow.Through(flow.Just(1, 2, 3), flow.Map(func(v int) int { return v * 10 })), []int{10, 20, 30}, nil},
		{"through via filter map", flow.Through(flow.Just(1, 2, 3, 4, 5, 6), flow.Via(flow.Filter(func(v int) bool { return v%2 == 0 }), flow.Map(func(v int) int { return v + 100 }))), []int{102, 104, 106}, nil},
		{"through failed source", flow.Through(flow.Failed[int](errBad), flow.Identity[int]()), nil, errBad},
		{"through failing stage", flow.Through(flow.Just(1, 2, 3), flow.MapErr(func(v int) (int, error) {
			if v == 3 {
				return 0, errBad
			}
			return v, nil
		})), []int{1, 2}, errBad},
		{"through zero flow", flow.Through(flow.Just(1), flow.Flow[int, int]{}), nil, nil /* checked below */},
		{"through wrap of just", flow.Through(flow.Just(1, 2), flow.Wrap(flow.Ignore[int](), flow.Just(7, 8))), []int{7, 8}, nil},
		{"through through", flow.Through(flow.Through(flow.Just(1, 2), flow.Map(func(v int) int { return v + 1 })), flow.Map(func(v int) int { return v * 2 })), []int{4, 6}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.src.Collect(flowtest.Context(t))
			if tt.name == "through zero flow" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "zero Flow")
				assert.Empty(t, got)
				return
			}
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			} else {
				assert.NoError(t, err)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSourceIsABlueprint(t *testing.T) {
	// Each run of a source starts afresh.
	src := flow.Through(flow.Just("a", "b"), flow.Map(func(s string) string { return s + "!" }))
	for range 3 {
		got, err := src.Collect(flowtest.Context(t))
		require.NoError(t, err)
		assert.Equal(t, []string{"a!", "b!"}, got)
	}
}

func TestFailedWithCloseError(t *testing.T) {
	got, err := flow.Failed[string](message.NewCloseError(message.PolicyViolation, "go away")).Collect(flowtest.Context(t))
	assert.Empty(t, got)
	var ce *message.CloseError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, message.PolicyViolation, ce.Code)
	assert.Equal(t, "go away", ce.Reason)
}

func TestFromChannelEmitsUntilClosed(t *testing.T) {
	ch := make(chan string)
	got := make(chan string)
	r := flow.Start(t.Context(), flow.Wrap(flow.Ignore[string](), flow.FromChannel(ch)), func(s string) error {
		got <- s
		return nil
	})
	for _, s := range []string{"x", "y", "z"} {
		ch <- s
		assert.Equal(t, s, flowtest.Receive(t, got))
	}
	assert.False(t, flowtest.IsDone(r))
	close(ch)
	flowtest.WaitDone(t, r)
	assert.NoError(t, r.Stop())
}

func TestFromChannelStopsWhenStopped(t *testing.T) {
	ch := make(chan int)
	r := flow.Start(t.Context(), flow.Wrap(flow.Ignore[int](), flow.FromChannel(ch)), func(int) error { return nil })
	assert.ErrorIs(t, r.Stop(), context.Canceled)
	select {
	case ch <- 1:
		t.Fatal("a stopped source still reads its channel")
	default:
	}
}

func TestTickEmitsRepeatedly(t *testing.T) {
	p := flowtest.NewPeer[string]()
	r := flow.Start(t.Context(), flow.Wrap(flow.Ignore[int](), flow.Tick(5*time.Millisecond, "tick")), p.Emit)
	for range 5 {
		assert.Equal(t, "tick", flowtest.Receive(t, p.Got))
	}
	assert.False(t, flowtest.IsDone(r), "Tick never completes by itself")
	r.Cancel()
	p.HangUp()
	assert.ErrorIs(t, r.Stop(), context.Canceled)
}

func TestTickStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	third := make(chan struct{})
	r := flow.Start(ctx, flow.Wrap(flow.Ignore[int](), flow.Tick(5*time.Millisecond, 1)), func(int) error {
		n++
		if n == 3 {
			close(third)
		}
		return nil
	})
	flowtest.Receive(t, third)
	cancel()
	// Cancelling the context given to Start ends the source, and so the
	// flow, without Stop.
	flowtest.WaitDone(t, r)
	assert.ErrorIs(t, r.Err(), context.Canceled)
	assert.ErrorIs(t, r.Stop(), context.Canceled)
	assert.GreaterOrEqual(t, n, 3) // read after Stop waited for the source
}

func TestThroughTickFilter(t *testing.T) {
	// Tick, passed through fused stages, on the source's goroutine.
	n := 0
	p := flowtest.NewPeer[int]()
	src := flow.Through(flow.Tick(5*time.Millisecond, 1), flow.Via(
		flow.Map(func(v int) int { n += v; return n }),
		flow.Filter(func(v int) bool { return v%2 == 0 }),
	))
	r := flow.Start(t.Context(), flow.Wrap(flow.Ignore[int](), src), p.Emit)
	assert.Equal(t, 2, flowtest.Receive(t, p.Got))
	assert.Equal(t, 4, flowtest.Receive(t, p.Got))
	assert.Equal(t, 6, flowtest.Receive(t, p.Got))
	r.Cancel()
	p.HangUp()
	assert.ErrorIs(t, r.Stop(), context.Canceled)
}

func TestThroughEndsWhenTheFlowOutputEnds(t *testing.T) {
	// The flow's output may end while the source is still running: then
	// the source is cancelled and the flow's outcome is the result.
	errBad := errors.New("bad")
	never := func() flow.Source[int] { return flow.FromChannel(make(chan int)) }
	tests := []struct {
		name    string
		src     flow.Source[int]
		f       flow.Flow[int, int]
		want    []int
		wantErr error
	}{
		{"wrap source completes", never(), flow.Wrap(flow.Ignore[int](), flow.Just(7)), []int{7}, nil},
		{"wrap source completes under a tick", flow.Tick(5*time.Millisecond, 1), flow.Wrap(flow.Ignore[int](), flow.Just(7, 8)), []int{7, 8}, nil},
		{"wrap source fails", never(), flow.Wrap(flow.Ignore[int](), flow.Failed[int](errBad)), nil, errBad},
		{"take three ticks", flow.Tick(5*time.Millisecond, 1), flow.Take[int](3), []int{1, 1, 1}, nil},
		{"detached take of three ticks", flow.Tick(5*time.Millisecond, 1), flow.Via(flow.Buffer[int](2, flow.Backpressure), flow.Take[int](3)), []int{1, 1, 1}, nil},
		{"detached stage fails under a tick", flow.Tick(5*time.Millisecond, 1), flow.StageFunc(func(context.Context, <-chan int, func(int) error) error {
			return errBad
		}), nil, errBad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := flow.Through(tt.src, tt.f).Collect(flowtest.Context(t))
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			} else {
				assert.NoError(t, err)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSourceCollectWithTimeout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	got, err := flow.Tick(5*time.Millisecond, "tick").Collect(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	for _, s := range got {
		assert.Equal(t, "tick", s)
	}

	ctx2, cancel2 := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel2()
	got2, err := flow.FromChannel(make(chan int)).Collect(ctx2)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Empty(t, got2)
}

func TestSourceCollectStopsAtCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan int)
	done := make(chan struct{})
	var got []int
	var err error
	go func() {
		defer close(done)
		got, err = flow.FromChannel(ch).Collect(ctx)
	}()
	ch <- 1
	ch <- 2
	cancel()
	flowtest.Receive(t, done)
	assert.ErrorIs(t, err, context.Canceled)
	// 1 was emitted before 2 was taken; 2 may have been taken after the
	// run was stopped, and then it is dropped.
	require.NotEmpty(t, got)
	assert.Equal(t, 1, got[0])
	assert.LessOrEqual(t, len(got), 2)
}
