package rxflow_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/wsflow/wsflow/internal/flowtest"
	"strconv"
	"testing"
	"time"

	"github.com/reactivex/rxgo/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/flow/rxflow"
)

func TestFromObservable(t *testing.T) {
	errBad := errors.New("bad item")
	items := func(items ...rxgo.Item) func(context.Context) rxgo.Observable {
		return func(ctx context.Context) rxgo.Observable {
			ch := make(chan rxgo.Item, len(items))
			for _, it := range items {
				ch <- it
			}
			close(ch)
			return rxgo.FromChannel(ch, rxgo.WithContext(ctx))
		}
	}
	tests := []struct {
		name    string
		obs     func(context.Context) rxgo.Observable
		want    []int
		wantErr error
		errText []string
	}{
		{
			name: "just",
			obs:  func(ctx context.Context) rxgo.Observable { return rxgo.Just(1, 2, 3)(rxgo.WithContext(ctx)) },
			want: []int{1, 2, 3},
		},
		{
			name: "with operators",
			obs: func(ctx context.Context) rxgo.Observable {
				return rxgo.Range(1, 6, rxgo.WithContext(ctx)).
					Filter(func(v any) bool { return v.(int)%2 == 1 }, rxgo.WithContext(ctx)).
					Map(func(_ context.Context, v any) (any, error) { return v.(int) * 10, nil }, rxgo.WithContext(ctx))
			},
			want: []int{10, 30, 50},
		},
		{
			name: "empty",
			obs:  func(context.Context) rxgo.Observable { return rxgo.Empty() },
		},
		{
			name:    "error item",
			obs:     items(rxgo.Of(1), rxgo.Error(errBad), rxgo.Of(3)),
			want:    []int{1},
			wantErr: errBad,
		},
		{
			name:    "error from just",
			obs:     func(ctx context.Context) rxgo.Observable { return rxgo.Just(1, errBad, 3)(rxgo.WithContext(ctx)) },
			want:    []int{1},
			wantErr: errBad,
		},
		{
			name:    "wrong type",
			obs:     items(rxgo.Of(1), rxgo.Of("two"), rxgo.Of(3)),
			want:    []int{1},
			errText: []string{"string", "int"},
		},
		{
			name:    "nil item",
			obs:     items(rxgo.Of(1), rxgo.Of(nil)),
			want:    []int{1},
			errText: []string{"<nil>", "int"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rxflow.FromObservable[int](tt.obs).Collect(flowtest.Context(t))
			switch {
			case tt.wantErr != nil:
				assert.ErrorIs(t, err, tt.wantErr)
			case tt.errText != nil:
				require.Error(t, err)
				for _, s := range tt.errText {
					assert.Contains(t, err.Error(), s)
				}
			default:
				assert.NoError(t, err)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestFromObservableOfInterfaces(t *testing.T) {
	// Any item fits a Source[any], nil included.
	obs := func(ctx context.Context) rxgo.Observable {
		ch := make(chan rxgo.Item, 3)
		ch <- rxgo.Of(1)
		ch <- rxgo.Of(nil)
		ch <- rxgo.Of("three")
		close(ch)
		return rxgo.FromChannel(ch, rxgo.WithContext(ctx))
	}
	got, err := rxflow.FromObservable[any](obs).Collect(flowtest.Context(t))
	require.NoError(t, err)
	assert.Equal(t, []any{1, nil, "three"}, got)

	gotErrs, err := rxflow.FromObservable[fmt.Stringer](obs).Collect(flowtest.Context(t))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "fmt.Stringer")
	assert.Empty(t, gotErrs)
}

func TestFromObservableCancelledMidStream(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	src := rxflow.FromObservable[int](func(ctx context.Context) rxgo.Observable {
		return rxgo.Interval(rxgo.WithDuration(5*time.Millisecond), rxgo.WithContext(ctx)).
			Map(func(_ context.Context, v any) (any, error) { return v.(int) * 2, nil }, rxgo.WithContext(ctx))
	})
	p := flowtest.NewPeer[int]()
	r := flow.Start(t.Context(), flow.Wrap(flow.Ignore[int](), src), p.Emit)
	assert.Equal(t, 0, flowtest.Receive(t, p.Got))
	assert.Equal(t, 2, flowtest.Receive(t, p.Got))
	assert.Equal(t, 4, flowtest.Receive(t, p.Got))
	r.Cancel()
	p.HangUp()
	assert.ErrorIs(t, r.Stop(), context.Canceled)
}

func TestSourceObservable(t *testing.T) {
	ctx := flowtest.Context(t)
	var got []any
	for item := range rxflow.Observable(ctx, flow.Just(1, 2, 3)).Observe(rxgo.WithContext(ctx)) {
		require.NoError(t, item.E)
		got = append(got, item.V)
	}
	assert.Equal(t, []any{1, 2, 3}, got)
}

func TestSourceObservableRoundTrip(t *testing.T) {
	src := flow.Through(flow.Just("a", "bb", "ccc"), flow.Map(func(s string) string { return s + "!" }))
	back := rxflow.FromObservable[int](func(ctx context.Context) rxgo.Observable {
		return rxflow.Observable(ctx, src).
			Map(func(_ context.Context, v any) (any, error) { return len(v.(string)), nil }, rxgo.WithContext(ctx))
	})
	got, err := back.Collect(flowtest.Context(t))
	require.NoError(t, err)
	assert.Equal(t, []int{2, 3, 4}, got)
}

func TestSourceObservableFailure(t *testing.T) {
	errBad := errors.New("bad source")
	ctx := flowtest.Context(t)
	src := flow.Through(flow.Just(1, 2), flow.MapErr(func(v int) (int, error) {
		if v == 2 {
			return 0, errBad
		}
		return v, nil
	}))
	var items []rxgo.Item
	for item := range rxflow.Observable(ctx, src).Observe(rxgo.WithContext(ctx)) {
		items = append(items, item)
	}
	require.Len(t, items, 2)
	assert.Equal(t, 1, items[0].V)
	assert.ErrorIs(t, items[1].E, errBad)

	// And back: the error item fails a source made from it.
	got, err := rxflow.FromObservable[int](func(ctx context.Context) rxgo.Observable { return rxflow.Observable(ctx, src) }).Collect(ctx)
	assert.ErrorIs(t, err, errBad)
	assert.Equal(t, []int{1}, got)
}

func TestSourceObservableCancelledMidStream(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	items := rxflow.Observable(ctx, flow.Tick(5*time.Millisecond, "tick")).Observe(rxgo.WithContext(ctx))
	for range 3 {
		item := flowtest.Receive(t, items)
		assert.Equal(t, "tick", item.V)
	}
	cancel()
	for item := range items {
		// Whatever was in flight; never an error for the cancellation.
		assert.Equal(t, "tick", item.V)
	}
}

func TestViaObservable(t *testing.T) {
	errBad := errors.New("bad element")
	tests := []struct {
		name    string
		apply   func(ctx context.Context, in rxgo.Observable) rxgo.Observable
		in      []int
		want    []string
		wantErr error
	}{
		{
			name:  "as is",
			apply: func(_ context.Context, in rxgo.Observable) rxgo.Observable { return in },
			in:    []int{1, 2, 3},
			want:  nil, // int items are not strings: checked separately
		},
		{
			name: "map and filter",
			apply: func(ctx context.Context, in rxgo.Observable) rxgo.Observable {
				return in.
					Filter(func(v any) bool { return v.(int)%3 != 0 }, rxgo.WithContext(ctx)).
					Map(func(_ context.Context, v any) (any, error) { return strconv.Itoa(v.(int) * 10), nil }, rxgo.WithContext(ctx))
			},
			in:   []int{1, 2, 3, 4, 5, 6, 7},
			want: []string{"10", "20", "40", "50", "70"},
		},
		{
			name: "nothing in",
			apply: func(ctx context.Context, in rxgo.Observable) rxgo.Observable {
				return in.Map(func(_ context.Context, v any) (any, error) { return fmt.Sprint(v), nil }, rxgo.WithContext(ctx))
			},
		},
		{
			name: "error item",
			apply: func(ctx context.Context, in rxgo.Observable) rxgo.Observable {
				return in.Map(func(_ context.Context, v any) (any, error) {
					if v.(int) == 3 {
						return nil, errBad
					}
					return strconv.Itoa(v.(int)), nil
				}, rxgo.WithContext(ctx))
			},
			in:      []int{1, 2, 3, 4},
			want:    []string{"1", "2"},
			wantErr: errBad,
		},
		{
			name: "output completes before input",
			apply: func(ctx context.Context, in rxgo.Observable) rxgo.Observable {
				return in.Take(2, rxgo.WithContext(ctx)).
					Map(func(_ context.Context, v any) (any, error) { return strconv.Itoa(v.(int)), nil }, rxgo.WithContext(ctx))
			},
			in:   []int{1, 2, 3, 4, 5},
			want: []string{"1", "2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := flow.Collect(flowtest.Context(t), rxflow.ViaObservable[int, string](tt.apply), tt.in)
			if tt.name == "as is" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "want string")
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

func TestViaObservableCompletesWhenInputCloses(t *testing.T) {
	f := rxflow.ViaObservable[string, string](func(ctx context.Context, in rxgo.Observable) rxgo.Observable {
		return in.Map(func(_ context.Context, v any) (any, error) { return "Hello, " + v.(string), nil }, rxgo.WithContext(ctx))
	})
	got := make(chan string)
	r := flow.Start(t.Context(), f, func(s string) error {
		got <- s
		return nil
	})
	for _, s := range []string{"a", "b", "c"} {
		require.NoError(t, r.Push(s))
		assert.Equal(t, "Hello, "+s, flowtest.Receive(t, got))
	}
	assert.False(t, flowtest.IsDone(r))
	r.CloseInput()
	flowtest.WaitDone(t, r)
	assert.NoError(t, r.Err())
	assert.NoError(t, r.Stop())
}

func TestViaObservableCancelledMidStream(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	f := flow.Via(flow.Map(func(v int) int { return v + 1 }), rxflow.ViaObservable[int, int](func(ctx context.Context, in rxgo.Observable) rxgo.Observable {
		return in.
			Map(func(_ context.Context, v any) (any, error) { return v.(int) * 2, nil }, rxgo.WithContext(ctx)).
			Filter(func(any) bool { return true }, rxgo.WithContext(ctx))
	}))
	p := flowtest.NewPeer[int]()
	r := flow.Start(t.Context(), f, p.Emit)
	require.NoError(t, r.Push(1))
	assert.Equal(t, 4, flowtest.Receive(t, p.Got))
	// Leave one element in flight, then stop without closing the input.
	require.NoError(t, r.Push(2))
	r.Cancel()
	p.HangUp()
	assert.ErrorIs(t, r.Stop(), context.Canceled)
	assert.Error(t, r.Push(3))
}

func TestViaObservableStopUnblocksPush(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	f := rxflow.ViaObservable[int, int](func(ctx context.Context, in rxgo.Observable) rxgo.Observable {
		return in.Map(func(_ context.Context, v any) (any, error) { return v, nil }, rxgo.WithContext(ctx))
	})
	entered := make(chan int, 1)
	release := make(chan struct{})
	r := flow.Start(t.Context(), f, func(v int) error {
		entered <- v
		<-release
		return nil
	})
	require.NoError(t, r.Push(1))
	assert.Equal(t, 1, flowtest.Receive(t, entered))
	require.NoError(t, r.Push(2)) // taken by rxgo's Map goroutine
	pushed := make(chan error, 1)
	go func() { pushed <- r.Push(3) }() // blocks: nobody can take it

	stopped := make(chan error, 1)
	go func() { stopped <- r.Stop() }()
	assert.ErrorIs(t, flowtest.Receive(t, pushed), flow.ErrStopped, "Stop unblocks a blocked Push")
	close(release) // let emit return, so the flow's goroutines can end
	assert.ErrorIs(t, flowtest.Receive(t, stopped), context.Canceled)
}

func TestViaObservablePushReturnsOnceOutputEnded(t *testing.T) {
	// A Push waiting to hand an element to rxgo returns as soon as the
	// output has ended, even though nothing cancelled the flow.
	errBad := errors.New("bad element")
	gate := make(chan struct{})
	f := rxflow.ViaObservable[int, int](func(ctx context.Context, in rxgo.Observable) rxgo.Observable {
		return in.Map(func(context.Context, any) (any, error) {
			<-gate
			return nil, errBad
		}, rxgo.WithContext(ctx))
	})
	r := flow.Start(t.Context(), f, func(int) error { return nil })
	require.NoError(t, r.Push(1)) // rxgo's Map goroutine holds it at the gate
	pushed := make(chan error, 1)
	go func() { pushed <- r.Push(2) }() // nothing can take it
	close(gate)
	assert.Error(t, flowtest.Receive(t, pushed))
	flowtest.WaitDone(t, r)
	assert.ErrorIs(t, r.Err(), errBad, "the output's failure is the reason, not the refused push")
	assert.ErrorIs(t, r.Stop(), errBad)
}

func TestCollectReturnsOnceOutputEnded(t *testing.T) {
	// Collect pushes into a flow whose output has failed; it must not
	// wait for its context.
	errBad := errors.New("bad element")
	f := rxflow.ViaObservable[int, int](func(ctx context.Context, in rxgo.Observable) rxgo.Observable {
		return in.Map(func(_ context.Context, v any) (any, error) {
			if v.(int) == 1 {
				return nil, errBad
			}
			return v, nil
		}, rxgo.WithContext(ctx))
	})
	got, err := flow.Collect(flowtest.Context(t), f, []int{1, 2, 3, 4, 5, 6, 7, 8})
	assert.ErrorIs(t, err, errBad)
	assert.Empty(t, got)
}

func TestViaObservableBackPressure(t *testing.T) {
	// Each rxgo operator holds at most the one element it is handing on:
	// with emit blocked, the rxgo Map goroutine takes one more element and
	// then the next Push blocks.
	entered := make(chan int)
	release := make(chan struct{})
	f := rxflow.ViaObservable[int, int](func(ctx context.Context, in rxgo.Observable) rxgo.Observable {
		return in.Map(func(_ context.Context, v any) (any, error) { return v.(int) * 2, nil }, rxgo.WithContext(ctx))
	})
	r := flow.Start(t.Context(), f, func(v int) error {
		entered <- v
		<-release
		return nil
	})
	require.NoError(t, r.Push(1))
	assert.Equal(t, 2, flowtest.Receive(t, entered))

	pushed := make(chan int, 3)
	go func() {
		for _, v := range []int{2, 3} {
			if r.Push(v) != nil {
				return
			}
			pushed <- v
		}
	}()
	assert.Equal(t, 2, flowtest.Receive(t, pushed), "the operator goroutine takes one element")
	select {
	case v := <-pushed:
		t.Fatalf("Push(%d) returned while emit was blocked", v)
	default:
	}
	close(release)
	assert.Equal(t, 4, flowtest.Receive(t, entered))
	assert.Equal(t, 3, flowtest.Receive(t, pushed))
	assert.Equal(t, 6, flowtest.Receive(t, entered))
	r.CloseInput()
	flowtest.WaitDone(t, r)
	assert.NoError(t, r.Stop())
}

func TestNilFunctionsAreRefused(t *testing.T) {
	assert.PanicsWithValue(t, "rxflow.FromObservable: nil newObservable", func() { rxflow.FromObservable[int](nil) })
	assert.PanicsWithValue(t, "rxflow.ViaObservable: nil apply", func() { rxflow.ViaObservable[int, int](nil) })
}
