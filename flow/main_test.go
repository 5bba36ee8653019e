package flow_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/wsflow/wsflow/flow"
)

// TestMain checks every test of the package for leaked goroutines.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// patience bounds how long a test waits for a signal that should come, so
// that a bug hangs one test instead of the whole run. It is never a bound
// on how fast anything must be.
const patience = 10 * time.Second

// collector records what a running flow emits.
type collector[T any] struct {
	mu  sync.Mutex
	got []T
}

func (c *collector[T]) emit(v T) error {
	c.mu.Lock()
	c.got = append(c.got, v)
	c.mu.Unlock()
	return nil
}

func (c *collector[T]) values() []T {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]T(nil), c.got...)
}

// waitDone waits for r to end, failing the test if it does not.
func waitDone[In any](t *testing.T, r *flow.Running[In]) {
	t.Helper()
	select {
	case <-r.Done():
	case <-time.After(patience):
		t.Fatal("the flow did not end")
	}
}

// isDone reports whether r has ended, without waiting.
func isDone[In any](r *flow.Running[In]) bool {
	select {
	case <-r.Done():
		return true
	default:
		return false
	}
}

// receive waits for a value on ch, failing the test if none comes.
func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(patience):
		t.Fatal("nothing arrived")
		panic("unreachable")
	}
}

// run starts f, pushes in until a push fails, closes the input, waits for
// the flow to end and stops it. It returns what f emitted and why it ended.
func run[In, Out any](t *testing.T, f flow.Flow[In, Out], in ...In) ([]Out, error) {
	t.Helper()
	var c collector[Out]
	r := flow.Start(context.Background(), f, c.emit)
	for _, v := range in {
		if r.Push(v) != nil {
			break
		}
	}
	r.CloseInput()
	waitDone(t, r)
	err := r.Stop()
	return c.values(), err
}

// testCtx returns a context that ends with the test's patience.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	t.Cleanup(cancel)
	return ctx
}

// errHungUp is what a peer's emit returns once it takes no more.
var errHungUp = errors.New("test: hung up")

// peer is an emit that hands each element to the test on a channel, as a
// connection writes to its socket. Call hangUp before stopping a flow that
// may still be emitting: from then on emit refuses elements, as emit must
// once it can take no more.
type peer[T any] struct {
	got  chan T
	quit chan struct{}
	once sync.Once
}

func newPeer[T any]() *peer[T] {
	return &peer[T]{got: make(chan T), quit: make(chan struct{})}
}

func (p *peer[T]) emit(v T) error {
	select {
	case p.got <- v:
		return nil
	case <-p.quit:
		return errHungUp
	}
}

func (p *peer[T]) hangUp() { p.once.Do(func() { close(p.quit) }) }
