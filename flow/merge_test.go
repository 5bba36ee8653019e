package flow_test

import (
	"context"
	"errors"
	"github.com/wsflow/wsflow/internal/flowtest"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/flow"
)

func TestMergeEmitsEverythingAndCompletes(t *testing.T) {
	src := flow.Merge(flow.Just(1, 2, 3), flow.Just(10, 20), flow.Empty[int]())
	got, err := src.Collect(flowtest.Context(t))
	require.NoError(t, err)
	sort.Ints(got)
	require.Equal(t, []int{1, 2, 3, 10, 20}, got)
}

func TestMergeKeepsEachSourcesOrder(t *testing.T) {
	a := make([]string, 200)
	b := make([]string, 200)
	for i := range a {
		a[i] = "a" + string(rune('0'+i%10))
		b[i] = "b" + string(rune('0'+i%10))
	}
	got, err := flow.Merge(flow.Just(a...), flow.Just(b...)).Collect(flowtest.Context(t))
	require.NoError(t, err)
	var gotA, gotB []string
	for _, v := range got {
		if strings.HasPrefix(v, "a") {
			gotA = append(gotA, v)
		} else {
			gotB = append(gotB, v)
		}
	}
	require.Equal(t, a, gotA)
	require.Equal(t, b, gotB)
}

func TestMergeFailureCancelsTheOthers(t *testing.T) {
	boom := errors.New("boom")
	never := flow.FromChannel(make(chan int))
	_, err := flow.Merge(never, flow.Failed[int](boom)).Collect(flowtest.Context(t))
	require.ErrorIs(t, err, boom)
}

func TestMergeSerialisesEmits(t *testing.T) {
	// A downstream Map that is not safe for concurrent use: the race
	// detector reports it if Merge calls it from two goroutines at once.
	count := 0
	src := flow.Through(flow.Merge(flow.Just(make([]int, 500)...), flow.Just(make([]int, 500)...)),
		flow.Map(func(v int) int { count++; return count }))
	got, err := src.Collect(flowtest.Context(t))
	require.NoError(t, err)
	require.Len(t, got, 1000)
	require.Equal(t, 1000, count)
}

func TestCombineBroadcastsAndMerges(t *testing.T) {
	upper := flow.Map(strings.ToUpper)
	lower := flow.Map(strings.ToLower)
	got, err := run(t, flow.Combine(upper, lower), "Ab", "Cd")
	require.NoError(t, err)
	require.Equal(t, []string{"AB", "ab", "CD", "cd"}, got)
}

func TestCombineCompletesWhenAllComplete(t *testing.T) {
	var c collector[string]
	ticks := make(chan string)
	f := flow.Combine(flow.Identity[string](), flow.Wrap(flow.Ignore[string](), flow.FromChannel(ticks)))
	r := flow.Start(context.Background(), f, c.emit)
	require.NoError(t, r.Push("x"))
	r.CloseInput() // the Identity completes; the Wrap's source does not
	require.False(t, flowtest.IsDone(r))
	ticks <- "tick"
	close(ticks)
	flowtest.WaitDone(t, r)
	require.NoError(t, r.Stop())
	require.Equal(t, []string{"x", "tick"}, c.values())
}

func TestCombineFailsWhenOneFails(t *testing.T) {
	boom := errors.New("boom")
	f := flow.Combine(flow.Identity[string](), flow.MapErr(func(string) (string, error) { return "", boom }))
	_, err := run(t, f, "x")
	require.ErrorIs(t, err, boom)
}

func TestCombineOfNothingCompletes(t *testing.T) {
	got, err := run(t, flow.Combine[string, string](), "x")
	require.NoError(t, err)
	require.Empty(t, got)
}
