package flow_test

import (
	"context"
	"errors"
	"github.com/wsflow/wsflow/internal/flowtest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
)

var errBoom = errors.New("boom")

// failAt is a stage that fails with errBoom at the element bad.
func failAt(bad int) flow.Flow[int, int] {
	return flow.MapErr(func(v int) (int, error) {
		if v == bad {
			return 0, errBoom
		}
		return v, nil
	})
}

func TestFusedOperators(t *testing.T) {
	sum := flow.Scan(0, func(acc, v int) int { return acc + v })
	tests := []struct {
		name    string
		f       flow.Flow[int, int]
		in      []int
		want    []int
		wantErr error
	}{
		{"scan", sum, []int{1, 2, 3}, []int{1, 3, 6}, nil},
		{"scan of nothing", sum, nil, nil, nil},
		{"scan fails with its input", flow.Via(failAt(3), sum), []int{1, 2, 3, 4}, []int{1, 3}, errBoom},
		{"take", flow.Take[int](2), []int{1, 2, 3, 4}, []int{1, 2}, nil},
		{"take more than there is", flow.Take[int](5), []int{1, 2}, []int{1, 2}, nil},
		{"take none", flow.Take[int](0), []int{1, 2}, nil, nil},
		{"take fails with its input", flow.Via(failAt(2), flow.Take[int](5)), []int{1, 2, 3}, []int{1}, errBoom},
		{"take then more stages", flow.Via(flow.Take[int](2), flow.Map(func(v int) int { return -v })), []int{1, 2, 3}, []int{-1, -2}, nil},
		{"take while", flow.TakeWhile(func(v int) bool { return v < 3 }), []int{1, 2, 3, 1}, []int{1, 2}, nil},
		{"take while to the end", flow.TakeWhile(func(int) bool { return true }), []int{1, 2}, []int{1, 2}, nil},
		{"take while fails with its input", flow.Via(failAt(2), flow.TakeWhile(func(int) bool { return true })), []int{1, 2}, []int{1}, errBoom},
		{"drop", flow.Drop[int](2), []int{1, 2, 3, 4}, []int{3, 4}, nil},
		{"drop everything", flow.Drop[int](9), []int{1, 2}, nil, nil},
		{"drop fails with its input", flow.Via(failAt(3), flow.Drop[int](1)), []int{1, 2, 3}, []int{2}, errBoom},
		{"map concat", flow.MapConcat(func(v int) []int { return make([]int, v) }), []int{1, 0, 2}, []int{0, 0, 0}, nil},
		{"map concat fails with its input", flow.Via(failAt(2), flow.MapConcat(func(v int) []int { return []int{v, v} })), []int{1, 2}, []int{1, 1}, errBoom},
		{"recover", flow.Via(failAt(3), flow.Recover(func(error) (int, bool) { return -1, true })), []int{1, 2, 3, 4}, []int{1, 2, -1}, nil},
		{"recover declines", flow.Via(failAt(2), flow.Recover(func(error) (int, bool) { return 0, false })), []int{1, 2, 3}, []int{1}, errBoom},
		{"recover with nothing to recover", flow.Recover(func(error) (int, bool) { return -1, true }), []int{1, 2}, []int{1, 2}, nil},
		{"recover sees the error", flow.Via(failAt(1), flow.Recover(func(err error) (int, bool) { return 7, errors.Is(err, errBoom) })), []int{1}, []int{7}, nil},
		{"recover after more stages", flow.Via(flow.Via(failAt(2), flow.Map(func(v int) int { return v * 10 })), flow.Recover(func(error) (int, bool) { return -1, true })), []int{1, 2}, []int{10, -1}, nil},
		{"recover from an async stage", flow.Via(flow.Via(flow.Buffer[int](4, flow.Backpressure), failAt(2)), flow.Recover(func(error) (int, bool) { return -1, true })), []int{1, 2}, []int{1, -1}, nil},
		{"recover does not recover downstream", flow.Via(flow.Recover(func(error) (int, bool) { return -1, true }), failAt(2)), []int{1, 2, 3}, []int{1}, errBoom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := run(t, tt.f, tt.in...)
			assert.Equal(t, tt.want, got)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			} else {
				assert.NoError(t, err)
			}
		})
	}
}

func TestFusedOperatorsCancel(t *testing.T) {
	// Stopping a run in the middle ends it with context.Canceled; a new run
	// of the same blueprint starts afresh.
	tests := []struct {
		name string
		f    flow.Flow[int, int]
		want []int
	}{
		{"scan", flow.Scan(0, func(acc, v int) int { return acc + v }), []int{1, 3}},
		{"take", flow.Take[int](3), []int{1, 2}},
		{"take while", flow.TakeWhile(func(v int) bool { return v < 9 }), []int{1, 2}},
		{"drop", flow.Drop[int](1), []int{2}},
		{"map concat", flow.MapConcat(func(v int) []int { return []int{v} }), []int{1, 2}},
		{"recover", flow.Recover(func(error) (int, bool) { return 0, true }), []int{1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 2 {
				var c collector[int]
				r := flow.Start(t.Context(), tt.f, c.emit)
				require.NoError(t, r.Push(1))
				require.NoError(t, r.Push(2))
				assert.ErrorIs(t, r.Stop(), context.Canceled)
				assert.Equal(t, tt.want, c.values())
			}
		})
	}
}

func TestRecoverASourcesFailure(t *testing.T) {
	src := flow.Through(flow.Concat(flow.Just("a"), flow.Failed[string](message.NewCloseError(message.PolicyViolation, "nope"))),
		flow.Recover(func(err error) (string, bool) {
			var ce *message.CloseError
			if errors.As(err, &ce) {
				return "closed: " + strconv.Itoa(int(ce.Code)), true
			}
			return "", false
		}))
	got, err := src.Collect(flowtest.Context(t))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "closed: 1008"}, got)
}

func TestRecoverDoesNotTakeADownstreamFailureOfThrough(t *testing.T) {
	// The sink's failure travels up through the source's emit: Recover,
	// before it, must not turn it into completion.
	src := flow.Through(flow.Just("a", "b"), flow.Via(flow.Recover(func(error) (string, bool) { return "x", true }),
		flow.MapErr(func(s string) (string, error) {
			if s == "b" {
				return "", errBoom
			}
			return strings.ToUpper(s), nil
		})))
	got, err := src.Collect(flowtest.Context(t))
	assert.ErrorIs(t, err, errBoom)
	assert.Equal(t, []string{"A"}, got)
}
