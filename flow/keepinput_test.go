package flow_test

import (
	"context"
	"errors"
	"github.com/wsflow/wsflow/internal/flowrun"
	"github.com/wsflow/wsflow/internal/flowtest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/flow"
)

// outputDone is a flowrun.Options.KeepInput hook that a test can wait on.
type outputDone struct {
	once sync.Once
	c    chan struct{}
	n    int // calls; read after c is closed
}

// keepInput returns ctx asking the run started with it to keep its input
// after its output completes, calling done's hook then.
func keepInput(ctx context.Context, done *outputDone) context.Context {
	return flowrun.NewContext(ctx, flowrun.Options{KeepInput: done.hook})
}

func newOutputDone() *outputDone { return &outputDone{c: make(chan struct{})} }

func (o *outputDone) hook() {
	o.n++
	o.once.Do(func() { close(o.c) })
}

func (o *outputDone) wait(t *testing.T) {
	t.Helper()
	select {
	case <-o.c:
	case <-time.After(flowtest.Patience):
		t.Fatal("the output did not complete")
	}
}

// With KeepInput, a Wrap's source completing leaves its sink taking
// input; the run ends, completed, when the input completes.
func TestKeepInputDeliversAfterTheOutputCompleted(t *testing.T) {
	var out collector[string]
	var in collector[string]
	done := newOutputDone()
	r := flow.Start(keepInput(t.Context(), done), flow.Wrap(flow.ForEach(func(m string) { in.emit(m) }), flow.Just("a", "b")),
		out.emit)
	done.wait(t)
	assert.Equal(t, []string{"a", "b"}, out.values(), "emitted before the output completed")
	assert.False(t, flowtest.IsDone(r), "the output's completion alone does not end the run")
	require.NoError(t, r.Push("late 1"))
	require.NoError(t, r.Push("late 2"))
	r.CloseInput()
	flowtest.WaitDone(t, r)
	assert.NoError(t, r.Err())
	assert.NoError(t, r.Stop())
	assert.Equal(t, []string{"late 1", "late 2"}, in.values())
	assert.Equal(t, 1, done.n)
}

// Without KeepInput the same flow ends when its output completes: the
// default, which a server's socket keeps.
func TestWithoutKeepInputTheOutputEndsTheRun(t *testing.T) {
	var in collector[string]
	r := flow.Start(t.Context(), flow.Wrap(flow.ForEach(func(m string) { in.emit(m) }), flow.Just("a")),
		func(string) error { return nil })
	flowtest.WaitDone(t, r)
	assert.ErrorIs(t, r.Push("late"), flow.ErrStopped)
	assert.NoError(t, r.Stop())
	assert.Empty(t, in.values())
}

// The input completing first leaves the run to end with its output, as
// without the option; the hook is not called.
func TestKeepInputInputCompletesFirst(t *testing.T) {
	release := make(chan struct{})
	src := flow.SourceFunc(func(ctx context.Context, emit func(string) error) error {
		<-release
		return emit("last")
	})
	var out collector[string]
	done := newOutputDone()
	r := flow.Start(keepInput(t.Context(), done), flow.Wrap(flow.Ignore[string](), src), out.emit)
	r.CloseInput()
	assert.False(t, flowtest.IsDone(r))
	close(release)
	flowtest.WaitDone(t, r)
	assert.NoError(t, r.Stop())
	assert.Equal(t, []string{"last"}, out.values())
	select {
	case <-done.c:
		t.Fatal("the hook ran although the input had completed")
	default:
	}
}

// A fused flow whose output completes inside CloseInput (a Map) ends at
// once, without the hook.
func TestKeepInputFusedFlowEndsWithItsInput(t *testing.T) {
	var out collector[int]
	done := newOutputDone()
	r := flow.Start(keepInput(t.Context(), done), flow.Map(func(v int) int { return v * 2 }), out.emit)
	require.NoError(t, r.Push(1))
	r.CloseInput()
	flowtest.WaitDone(t, r)
	assert.NoError(t, r.Stop())
	assert.Equal(t, []int{2}, out.values())
	assert.Equal(t, 0, done.n)
}

// Take completes its output inside a push, on the pushing goroutine:
// the hook runs there, and what Take discards afterwards does not end the
// run.
func TestKeepInputTakeCompletesInAPush(t *testing.T) {
	var out collector[int]
	done := newOutputDone()
	r := flow.Start(keepInput(t.Context(), done), flow.Take[int](1), out.emit)
	require.NoError(t, r.Push(1))
	done.wait(t)
	require.NoError(t, r.Push(2), "Take discards what comes after its last element")
	assert.False(t, flowtest.IsDone(r))
	r.CloseInput()
	flowtest.WaitDone(t, r)
	assert.NoError(t, r.Stop())
	assert.Equal(t, []int{1}, out.values())
}

// A flow that takes no more input once its output is done (a StageFunc
// that returned) refuses a push with ErrStopped, which is no failure: the
// run ends, completed, with its input.
func TestKeepInputStageThatReturnedRefusesInput(t *testing.T) {
	var out collector[string]
	done := newOutputDone()
	f := flow.StageFunc(func(ctx context.Context, in <-chan string, emit func(string) error) error {
		return emit("only")
	})
	r := flow.Start(keepInput(t.Context(), done), f, out.emit)
	done.wait(t)
	assert.ErrorIs(t, r.Push("late"), flow.ErrStopped)
	assert.False(t, flowtest.IsDone(r))
	r.CloseInput()
	flowtest.WaitDone(t, r)
	assert.NoError(t, r.Err())
	assert.NoError(t, r.Stop())
	assert.Equal(t, []string{"only"}, out.values())
}

// A failure after the output completed fails the run.
func TestKeepInputFailureAfterTheOutput(t *testing.T) {
	errSink := errors.New("sink failed")
	done := newOutputDone()
	sink := flow.ForEachErr(func(string) error { return errSink })
	r := flow.Start(keepInput(t.Context(), done), flow.Wrap(sink, flow.Just("a")), func(string) error { return nil })
	done.wait(t)
	assert.ErrorIs(t, r.Push("x"), errSink)
	flowtest.WaitDone(t, r)
	assert.ErrorIs(t, r.Stop(), errSink)
}

// A failing output ends the run at once, as without the option.
func TestKeepInputFailingOutputEndsTheRun(t *testing.T) {
	errSource := errors.New("source failed")
	done := newOutputDone()
	r := flow.Start(keepInput(t.Context(), done), flow.Wrap(flow.Ignore[string](), flow.Failed[string](errSource)),
		func(string) error { return nil })
	flowtest.WaitDone(t, r)
	assert.ErrorIs(t, r.Stop(), errSource)
	assert.Equal(t, 0, done.n)
}
