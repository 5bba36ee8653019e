package flow_test

import (
	"context"
	"github.com/wsflow/wsflow/internal/flowtest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/flow"
)

// gated is a MapAsync function whose calls wait until the test releases
// them, each by its element, and report when they start and how they end.
type gated struct {
	mu      sync.Mutex
	gates   map[int]chan struct{}
	started chan int
	ended   chan error
}

func newGated() *gated {
	return &gated{gates: map[int]chan struct{}{}, started: make(chan int, 10), ended: make(chan error, 10)}
}

func (g *gated) gate(v int) chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gates[v] == nil {
		g.gates[v] = make(chan struct{})
	}
	return g.gates[v]
}

func (g *gated) release(v int) { close(g.gate(v)) }

func (g *gated) call(ctx context.Context, v int) (int, error) {
	g.started <- v
	select {
	case <-g.gate(v):
		g.ended <- nil
		if v < 0 {
			return 0, errBoom
		}
		return v * 10, nil
	case <-ctx.Done():
		g.ended <- ctx.Err()
		return 0, ctx.Err()
	}
}

// startTwo starts f with parallelism 2 over g and pushes 1 and 2, and
// checks that a third push waits while both calls are in flight.
func startTwo(t *testing.T, f flow.Flow[int, int], g *gated) (*flow.Running[int], *flowtest.Peer[int], chan error) {
	p := flowtest.NewPeer[int]()
	r := flow.Start(t.Context(), f, p.Emit)
	t.Cleanup(func() { p.HangUp(); r.Stop() })
	require.NoError(t, r.Push(1))
	require.NoError(t, r.Push(2))
	assert.ElementsMatch(t, []int{1, 2}, []int{flowtest.Receive(t, g.started), flowtest.Receive(t, g.started)})
	pushed := make(chan error, 1)
	go func() { pushed <- r.Push(3) }()
	notYet(t, pushed, g)
	return r, p, pushed
}

func notYet(t *testing.T, pushed chan error, g *gated) {
	t.Helper()
	select {
	case <-pushed:
		t.Fatal("a third push returned while two calls were outstanding")
	case v := <-g.started:
		t.Fatalf("call %d started while two were outstanding", v)
	default:
	}
}

func TestMapAsyncOrdered(t *testing.T) {
	g := newGated()
	r, p, pushed := startTwo(t, flow.MapAsync(2, g.call), g)
	g.release(2) // done, but waits for 1: still two outstanding
	assert.Nil(t, receiveOrNil(p.Got))
	notYet(t, pushed, g)
	g.release(1)
	assert.Equal(t, 10, flowtest.Receive(t, p.Got))
	assert.Equal(t, 20, flowtest.Receive(t, p.Got))
	require.NoError(t, flowtest.Receive(t, pushed))
	assert.Equal(t, 3, flowtest.Receive(t, g.started))
	r.CloseInput() // the outstanding result still comes
	g.release(3)
	assert.Equal(t, 30, flowtest.Receive(t, p.Got))
	flowtest.WaitDone(t, r)
	assert.NoError(t, r.Stop())
}

func TestMapAsyncUnordered(t *testing.T) {
	g := newGated()
	r, p, pushed := startTwo(t, flow.MapAsyncUnordered(2, g.call), g)
	g.release(2)
	assert.Equal(t, 20, flowtest.Receive(t, p.Got))
	require.NoError(t, flowtest.Receive(t, pushed))
	assert.Equal(t, 3, flowtest.Receive(t, g.started))
	r.CloseInput()
	g.release(3)
	assert.Equal(t, 30, flowtest.Receive(t, p.Got))
	g.release(1)
	assert.Equal(t, 10, flowtest.Receive(t, p.Got))
	flowtest.WaitDone(t, r)
	assert.NoError(t, r.Stop())
}

// receiveOrNil returns a value already waiting on ch, or nil.
func receiveOrNil[T any](ch <-chan T) any {
	select {
	case v := <-ch:
		return v
	default:
		return nil
	}
}

func TestMapAsyncFailure(t *testing.T) {
	for name, build := range map[string]func(int, func(context.Context, int) (int, error)) flow.Flow[int, int]{
		"ordered": flow.MapAsync[int, int], "unordered": flow.MapAsyncUnordered[int, int],
	} {
		t.Run(name, func(t *testing.T) {
			g := newGated()
			r := flow.Start(t.Context(), build(2, g.call), (&collector[int]{}).emit)
			require.NoError(t, r.Push(-1))
			require.NoError(t, r.Push(5))
			flowtest.Receive(t, g.started)
			flowtest.Receive(t, g.started)
			g.release(-1)
			flowtest.WaitDone(t, r)
			assert.ErrorIs(t, r.Err(), errBoom)
			assert.ErrorIs(t, r.Stop(), errBoom)
			// The other call was cancelled, and Stop waited for it.
			got := []error{flowtest.Receive(t, g.ended), flowtest.Receive(t, g.ended)}
			assert.Contains(t, got, context.Canceled)
		})
	}
}

func TestMapAsyncCancel(t *testing.T) {
	g := newGated()
	r := flow.Start(t.Context(), flow.MapAsync(3, g.call), (&collector[int]{}).emit)
	require.NoError(t, r.Push(1))
	flowtest.Receive(t, g.started)
	assert.ErrorIs(t, r.Stop(), context.Canceled)
	assert.ErrorIs(t, flowtest.Receive(t, g.ended), context.Canceled)
}

func TestMapAsyncFailsWithItsInput(t *testing.T) {
	got, err := run(t, flow.Via(failAt(2), flow.MapAsync(2, func(_ context.Context, v int) (int, error) { return v, nil })), 1, 2, 3)
	assert.ErrorIs(t, err, errBoom)
	assert.Subset(t, []int{1}, got)
}
