package flow_test

import (
	"errors"
	"fmt"
	"github.com/wsflow/wsflow/internal/flowtest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
)

func TestFusedStages(t *testing.T) {
	double := func(v int) int { return 2 * v }
	even := func(v int) bool { return v%2 == 0 }
	tests := []struct {
		name string
		f    flow.Flow[int, int]
		in   []int
		want []int
	}{
		{"identity", flow.Identity[int](), []int{3, 1, 2}, []int{3, 1, 2}},
		{"identity of nothing", flow.Identity[int](), nil, nil},
		{"map", flow.Map(double), []int{1, 2, 3}, []int{2, 4, 6}},
		{"map err without error", flow.MapErr(func(v int) (int, error) { return v + 1, nil }), []int{1, 2}, []int{2, 3}},
		{"filter", flow.Filter(even), []int{1, 2, 3, 4, 5, 6}, []int{2, 4, 6}},
		{"filter keeps none", flow.Filter(func(int) bool { return false }), []int{1, 2}, nil},
		{"via map then filter", flow.Via(flow.Map(double), flow.Filter(func(v int) bool { return v > 2 })), []int{1, 2, 3}, []int{4, 6}},
		{"via filter then map", flow.Via(flow.Filter(even), flow.Map(double)), []int{1, 2, 3, 4}, []int{4, 8}},
		{
			"via of three",
			flow.Via(flow.Via(flow.Map(func(v int) int { return v + 1 }), flow.Filter(even)), flow.Map(double)),
			[]int{1, 2, 3, 4, 5},
			[]int{4, 8, 12},
		},
		{
			"via nested on the right",
			flow.Via(flow.Map(func(v int) int { return v * 10 }), flow.Via(flow.Identity[int](), flow.Map(func(v int) int { return v + 1 }))),
			[]int{1, 2, 3},
			[]int{11, 21, 31},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := run(t, tt.f, tt.in...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestMapChangesType(t *testing.T) {
	f := flow.Via(
		flow.Map(strconv.Itoa),
		flow.Via(flow.Map(func(s string) string { return "<" + s + ">" }), flow.Map(func(s string) []byte { return []byte(s) })),
	)
	got, err := run(t, f, 1, 22, 333)
	require.NoError(t, err)
	assert.Equal(t, [][]byte{[]byte("<1>"), []byte("<22>"), []byte("<333>")}, got)
}

func TestViaChainKeepsOrderAndCompletes(t *testing.T) {
	var trace []string
	stage := func(name string) flow.Flow[string, string] {
		return flow.Map(func(s string) string {
			trace = append(trace, name+":"+s)
			return s + name
		})
	}
	f := flow.Via(flow.Via(stage("a"), stage("b")), flow.Via(stage("c"), stage("d")))
	var c collector[string]
	r := flow.Start(t.Context(), f, c.emit)
	require.NoError(t, r.Push("1"))
	require.NoError(t, r.Push("2"))
	// Fused: each element went through every stage before the next one
	// was pushed, with no goroutine in between.
	assert.Equal(t, []string{"a:1", "b:1a", "c:1ab", "d:1abc", "a:2", "b:2a", "c:2ab", "d:2abc"}, trace)
	assert.Equal(t, []string{"1abcd", "2abcd"}, c.values())
	assert.False(t, flowtest.IsDone(r), "the flow ended before its input closed")

	r.CloseInput()
	flowtest.WaitDone(t, r)
	assert.NoError(t, r.Err())
	assert.NoError(t, r.Stop())
}

func TestMapErrFailsTheFlow(t *testing.T) {
	errBad := errors.New("bad element")
	closeErr := message.NewCloseError(message.PolicyViolation, "no")
	tests := []struct {
		name  string
		fails error
	}{
		{"plain error", errBad},
		{"wrapped error", fmt.Errorf("stage: %w", errBad)},
		{"close error", closeErr},
		{"wrapped close error", fmt.Errorf("stage: %w", closeErr)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := flow.Via(flow.MapErr(func(v int) (int, error) {
				if v == 3 {
					return 0, tt.fails
				}
				return v, nil
			}), flow.Map(func(v int) int { return v * 10 }))
			var c collector[int]
			r := flow.Start(t.Context(), f, c.emit)
			require.NoError(t, r.Push(1))
			require.NoError(t, r.Push(2))
			err := r.Push(3)
			require.ErrorIs(t, err, tt.fails)

			flowtest.WaitDone(t, r)
			assert.ErrorIs(t, r.Err(), tt.fails)
			assert.Error(t, r.Push(4), "Push after the flow failed")
			assert.ErrorIs(t, r.Stop(), tt.fails)
			assert.Equal(t, []int{10, 20}, c.values(), "elements before the failure are kept, none after")
		})
	}
}

func TestMapErrCloseErrorPassesThroughErrorsAs(t *testing.T) {
	f := flow.MapErr(func(s string) (string, error) {
		if strings.HasPrefix(s, "/") {
			return "", fmt.Errorf("command %q: %w", s, message.Errorf(message.PolicyViolation, "unknown command %s", s))
		}
		return s, nil
	})
	got, err := run(t, f, "hi", "/quit", "never")
	assert.Equal(t, []string{"hi"}, got)

	var ce *message.CloseError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, message.PolicyViolation, ce.Code)
	assert.Equal(t, "unknown command /quit", ce.Reason)
	assert.Equal(t, message.Close{Code: message.PolicyViolation, Reason: "unknown command /quit"}, message.CloseFor(err))
}

func TestZeroFlowFailsWhenRun(t *testing.T) {
	tests := []struct {
		name string
		f    flow.Flow[int, int]
	}{
		{"zero", flow.Flow[int, int]{}},
		{"zero first in via", flow.Via(flow.Flow[int, int]{}, flow.Map(func(v int) int { return v }))},
		{"zero last in via", flow.Via(flow.Map(func(v int) int { return v }), flow.Flow[int, int]{})},
		{"zero with a hook", flow.Flow[int, int]{}.OnDone(func(error) {})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c collector[int]
			r := flow.Start(t.Context(), tt.f, c.emit)
			flowtest.WaitDone(t, r)
			require.Error(t, r.Err())
			assert.Contains(t, r.Err().Error(), "zero Flow")
			assert.Error(t, r.Push(1))
			assert.Equal(t, r.Err(), r.Stop())
			assert.Empty(t, c.values())
		})
	}
}

func TestDeferBuildsEachRun(t *testing.T) {
	runs := 0
	released := 0
	f := flow.Defer(func() flow.Flow[string, string] {
		runs++
		n := runs
		return flow.Map(func(m string) string { return fmt.Sprint(m, n) }).
			OnDone(func(error) { released++ })
	})
	require.Equal(t, 0, runs, "building the blueprint acquires nothing")
	got, err := run(t, f, "a")
	require.NoError(t, err)
	require.Equal(t, []string{"a1"}, got)
	got, err = run(t, f, "b")
	require.NoError(t, err)
	require.Equal(t, []string{"b2"}, got)
	require.Equal(t, 2, released)
}

func TestChain(t *testing.T) {
	inc := flow.Map(func(v int) int { return v + 1 })
	odd := flow.Filter(func(v int) bool { return v%2 == 1 })
	double := flow.Map(func(v int) int { return 2 * v })
	for _, c := range []struct {
		name string
		f    flow.Flow[int, int]
		want []int
	}{
		{"none is Identity", flow.Chain[int](), []int{1, 2, 3, 4}},
		{"one", flow.Chain(inc), []int{2, 3, 4, 5}},
		{"in order", flow.Chain(inc, odd, double), []int{6, 10}},
		{"as nested Via", flow.Via(flow.Via(inc, odd), double), []int{6, 10}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := flow.Collect(flowtest.Context(t), c.f, []int{1, 2, 3, 4})
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}
