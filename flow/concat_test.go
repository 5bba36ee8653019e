package flow_test

import (
	"context"
	"fmt"
	"github.com/wsflow/wsflow/internal/flowtest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/flow"
)

func TestConcatAndZip(t *testing.T) {
	pair := func(a int, b string) string { return fmt.Sprint(a, b) }
	tests := []struct {
		name    string
		src     flow.Source[string]
		want    []string
		wantErr error
	}{
		{"concat", flow.Concat(flow.Just("a", "b"), flow.Empty[string](), flow.Just("c")), []string{"a", "b", "c"}, nil},
		{"concat of none", flow.Concat[string](), nil, nil},
		{"concat stops at a failure", flow.Concat(flow.Just("a"), flow.Failed[string](errBoom), flow.Just("c")), []string{"a"}, errBoom},
		{"zip", flow.Zip(flow.Just(1, 2, 3), flow.Just("a", "b", "c"), pair), []string{"1a", "2b", "3c"}, nil},
		{"zip ends with the shorter", flow.Zip(flow.Just(1, 2, 3), flow.Just("a"), pair), []string{"1a"}, nil},
		{"zip ends with the shorter first", flow.Zip(flow.Just(1), flow.Just("a", "b"), pair), []string{"1a"}, nil},
		{"zip fails with either", flow.Zip(flow.Concat(flow.Just(1), flow.Failed[int](errBoom)), flow.Just("a", "b"), pair), []string{"1a"}, errBoom},
		{"zip fails with the second", flow.Zip(flow.Just(1, 2), flow.Failed[string](errBoom), pair), nil, errBoom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.src.Collect(flowtest.Context(t))
			assert.Equal(t, tt.want, got)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			} else {
				assert.NoError(t, err)
			}
		})
	}
}

func TestZipCancel(t *testing.T) {
	never := make(chan int)
	p := flowtest.NewPeer[string]()
	r := flow.Start(t.Context(), flow.Wrap(flow.Ignore[int](), flow.Zip(flow.FromChannel(never), flow.Just("a"), func(int, string) string { return "" })), p.Emit)
	assert.ErrorIs(t, r.Stop(), context.Canceled)
}

func TestKillSwitch(t *testing.T) {
	tests := []struct {
		name string
		kill func(k *flow.KillSwitch)
		want error
	}{
		{"shutdown", (*flow.KillSwitch).Shutdown, nil},
		{"abort", func(k *flow.KillSwitch) { k.Abort(errBoom) }, errBoom},
		{"abort with nil", func(k *flow.KillSwitch) { k.Abort(nil) }, nil},
		{"the first wins", func(k *flow.KillSwitch) { k.Abort(errBoom); k.Shutdown() }, errBoom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var k flow.KillSwitch // the zero value works
			f := flow.Via(flow.Map(func(s string) string { return s + "!" }), flow.KillSwitched[string](&k))
			var runs []*flow.Running[string]
			peers := []*flowtest.Peer[string]{flowtest.NewPeer[string](), flowtest.NewPeer[string]()}
			for _, p := range peers {
				r := flow.Start(t.Context(), f, p.Emit)
				defer r.Stop()
				require.NoError(t, r.Push("hi"))
				assert.Equal(t, "hi!", flowtest.Receive(t, p.Got))
				runs = append(runs, r)
			}
			tt.kill(&k)
			for _, r := range runs {
				flowtest.WaitDone(t, r)
				assert.Equal(t, tt.want, r.Err())
			}
			// A run started after the switch fired ends at once.
			late := flow.Start(t.Context(), f, (&collector[string]{}).emit)
			flowtest.WaitDone(t, late)
			assert.Equal(t, tt.want, late.Stop())
		})
	}
}

func TestKillSwitchedPassesCompletionAndFailure(t *testing.T) {
	k := flow.NewKillSwitch()
	got, err := run(t, flow.KillSwitched[int](k), 1, 2)
	assert.NoError(t, err)
	assert.Equal(t, []int{1, 2}, got)
	_, err = run(t, flow.Via(failAt(1), flow.KillSwitched[int](k)), 1)
	assert.ErrorIs(t, err, errBoom)
}

func TestStageFuncAndSourceFunc(t *testing.T) {
	pairs := flow.StageFunc(func(ctx context.Context, in <-chan int, emit func([2]int) error) error {
		for {
			a, ok := <-in
			if !ok {
				return nil
			}
			b, ok := <-in
			if !ok {
				return emit([2]int{a, 0})
			}
			if err := emit([2]int{a, b}); err != nil {
				return err
			}
		}
	})
	got, err := flow.Collect(flowtest.Context(t), pairs, []int{1, 2, 3})
	require.NoError(t, err)
	assert.Equal(t, [][2]int{{1, 2}, {3, 0}}, got)

	count := flow.SourceFunc(func(ctx context.Context, emit func(int) error) error {
		for i := range 3 {
			if err := emit(i); err != nil {
				return err
			}
		}
		return nil
	})
	nums, err := count.Collect(flowtest.Context(t))
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 2}, nums)

	blocked := flow.StageFunc(func(ctx context.Context, in <-chan int, emit func(int) error) error {
		<-ctx.Done()
		return ctx.Err()
	})
	r := flow.Start(t.Context(), blocked, (&collector[int]{}).emit)
	assert.ErrorIs(t, r.Stop(), context.Canceled)
}
