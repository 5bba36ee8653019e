package flow_test

import (
	"context"
	"errors"
	"github.com/wsflow/wsflow/internal/flowtest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
)

func TestWrapSourceCompletes(t *testing.T) {
	// Play 2.0's "Hello!" socket: ignore the input, say hello, complete.
	var received collector[string]
	var sent collector[string]
	r := flow.Start(t.Context(), flow.Wrap(flow.ForEach(func(s string) { received.emit(s) }), flow.Just("Hello!", "Bye!")), sent.emit)
	flowtest.WaitDone(t, r)
	assert.NoError(t, r.Err())
	assert.Equal(t, []string{"Hello!", "Bye!"}, sent.values(), "everything emitted before completion, in order")
	assert.NoError(t, r.Stop())
}

func TestWrapSourceFails(t *testing.T) {
	errBad := errors.New("bad source")
	src := flow.Through(flow.Just(1, 2, 3), flow.MapErr(func(v int) (int, error) {
		if v == 3 {
			return 0, errBad
		}
		return v, nil
	}))
	var sent collector[int]
	r := flow.Start(t.Context(), flow.Wrap(flow.Ignore[int](), src), sent.emit)
	flowtest.WaitDone(t, r)
	assert.ErrorIs(t, r.Err(), errBad)
	assert.Equal(t, []int{1, 2}, sent.values())
	assert.ErrorIs(t, r.Stop(), errBad)
}

func TestWrapSinkFails(t *testing.T) {
	errQuit := message.NewCloseError(message.NormalClosure, "bye")
	var seen collector[string]
	sink := flow.ForEachErr(func(s string) error {
		if s == "/quit" {
			return errQuit
		}
		return seen.emit(s)
	})
	r := flow.Start(t.Context(), flow.Wrap(sink, flow.FromChannel(make(chan string))), func(string) error { return nil })
	require.NoError(t, r.Push("a"))
	require.NoError(t, r.Push("b"))
	assert.Equal(t, []string{"a", "b"}, seen.values(), "ForEach runs on the pushing goroutine")
	assert.ErrorIs(t, r.Push("/quit"), errQuit)
	flowtest.WaitDone(t, r)
	assert.ErrorIs(t, r.Err(), errQuit)
	assert.Error(t, r.Push("c"))
	assert.ErrorIs(t, r.Stop(), errQuit)
	assert.Equal(t, []string{"a", "b"}, seen.values())
}

func TestWrapCloseInputCompletesOnlyTheSink(t *testing.T) {
	// The sink counts its input in a detached stage and reports the count
	// when its input completes; the source goes on until its channel
	// closes.
	counts := make(chan int, 1)
	sink := flow.To(
		flow.Via(flow.GroupedWithin[string](100, time.Hour), flow.Map(func(batch []string) int { return len(batch) })),
		flow.ForEach(func(n int) { counts <- n }),
	)
	out := make(chan string)
	sent := make(chan string)
	r := flow.Start(t.Context(), flow.Wrap(sink, flow.FromChannel(out)), func(s string) error {
		sent <- s
		return nil
	})
	require.NoError(t, r.Push("a"))
	require.NoError(t, r.Push("b"))
	r.CloseInput()
	assert.Equal(t, 2, flowtest.Receive(t, counts), "the sink saw its input complete")

	assert.False(t, flowtest.IsDone(r), "closing the input ended the flow")
	out <- "still here"
	assert.Equal(t, "still here", flowtest.Receive(t, sent))
	assert.False(t, flowtest.IsDone(r))

	close(out)
	flowtest.WaitDone(t, r)
	assert.NoError(t, r.Err())
	assert.NoError(t, r.Stop())
}

func TestWrapStopCancelsTheSource(t *testing.T) {
	var h hooks
	src := flow.Tick(5*time.Millisecond, "tick")
	first := make(chan struct{})
	n := 0
	r := flow.Start(t.Context(), flow.Wrap(flow.Ignore[string](), src).OnDone(h.hook("flow")), func(string) error {
		n++
		if n == 1 {
			close(first)
		}
		return nil
	})
	flowtest.Receive(t, first)
	assert.ErrorIs(t, r.Stop(), context.Canceled)
	assert.Equal(t, map[string][]error{"flow": {context.Canceled}}, h.snapshot())
}

func TestZeroSinkIgnores(t *testing.T) {
	var sent collector[int]
	r := flow.Start(t.Context(), flow.Wrap(flow.Sink[string]{}, flow.FromChannel(make(chan int))), sent.emit)
	for _, s := range []string{"a", "b", "c"} {
		require.NoError(t, r.Push(s))
	}
	r.CloseInput()
	assert.False(t, flowtest.IsDone(r))
	assert.ErrorIs(t, r.Stop(), context.Canceled)
	assert.Empty(t, sent.values())
}

func TestTo(t *testing.T) {
	errBad := errors.New("bad")
	tests := []struct {
		name    string
		sink    func(record func(string)) flow.Sink[string]
		in      []string
		want    []string
		wantErr error
	}{
		{
			name: "map into foreach",
			sink: func(record func(string)) flow.Sink[string] {
				return flow.To(flow.Map(strings.ToUpper), flow.ForEach(record))
			},
			in:   []string{"a", "b"},
			want: []string{"A", "B"},
		},
		{
			name: "filter and map into foreach",
			sink: func(record func(string)) flow.Sink[string] {
				return flow.To(flow.Via(flow.Filter(func(s string) bool { return s != "" }), flow.Map(strings.ToUpper)), flow.ForEach(record))
			},
			in:   []string{"a", "", "c"},
			want: []string{"A", "C"},
		},
		{
			name: "nested to",
			sink: func(record func(string)) flow.Sink[string] {
				return flow.To(flow.Map(strings.ToUpper), flow.To(flow.Map(func(s string) string { return s + s }), flow.ForEach(record)))
			},
			in:   []string{"a", "b"},
			want: []string{"AA", "BB"},
		},
		{
			name: "failing stage",
			sink: func(record func(string)) flow.Sink[string] {
				return flow.To(flow.MapErr(func(s string) (string, error) {
					if s == "x" {
						return "", errBad
					}
					return s, nil
				}), flow.ForEach(record))
			},
			in:      []string{"a", "x", "b"},
			want:    []string{"a"},
			wantErr: errBad,
		},
		{
			name: "failing sink",
			sink: func(record func(string)) flow.Sink[string] {
				return flow.To(flow.Map(strings.ToUpper), flow.ForEachErr(func(s string) error {
					if s == "X" {
						return errBad
					}
					record(s)
					return nil
				}))
			},
			in:      []string{"a", "x", "b"},
			want:    []string{"A"},
			wantErr: errBad,
		},
		{
			name: "detached stage fails asynchronously",
			sink: func(record func(string)) flow.Sink[string] {
				return flow.To(flow.StageFunc(func(ctx context.Context, in <-chan string, emit func(string) error) error {
					for v := range in {
						if v == "x" {
							return errBad
						}
						if err := emit(v); err != nil {
							return err
						}
					}
					return nil
				}), flow.ForEach(record))
			},
			in:      []string{"a", "x"},
			want:    []string{"a"},
			wantErr: errBad,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got collector[string]
			sink := tt.sink(func(s string) { got.emit(s) })
			r := flow.Start(t.Context(), flow.Wrap(sink, flow.FromChannel(make(chan int))), func(int) error { return nil })
			for _, s := range tt.in {
				if r.Push(s) != nil {
					break
				}
			}
			if tt.wantErr == nil {
				r.CloseInput()
				assert.False(t, flowtest.IsDone(r), "the sink completing ended the flow")
				assert.ErrorIs(t, r.Stop(), context.Canceled)
			} else {
				flowtest.WaitDone(t, r)
				assert.ErrorIs(t, r.Err(), tt.wantErr)
				assert.ErrorIs(t, r.Stop(), tt.wantErr)
			}
			assert.Equal(t, tt.want, got.values())
		})
	}
}

func TestToZeroFlowFails(t *testing.T) {
	r := flow.Start(t.Context(), flow.Wrap(flow.To(flow.Flow[string, string]{}, flow.Ignore[string]()), flow.Just(1)), func(int) error { return nil })
	flowtest.WaitDone(t, r)
	require.Error(t, r.Err())
	assert.Contains(t, r.Err().Error(), "zero Flow")
	assert.Equal(t, r.Err(), r.Stop())
}
