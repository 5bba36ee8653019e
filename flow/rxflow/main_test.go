package rxflow_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/reactivex/rxgo/v2"
	"go.uber.org/goleak"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/flow/rxflow"
)

// TestMain checks every test of the package for leaked goroutines.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// patience bounds how long a test waits for a signal that should come; it
// is never a bound on how fast anything must be.
const patience = 10 * time.Second

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	t.Cleanup(cancel)
	return ctx
}

func waitDone[In any](t *testing.T, r *flow.Running[In]) {
	t.Helper()
	select {
	case <-r.Done():
	case <-time.After(patience):
		t.Fatal("the flow did not end")
	}
}

func isDone[In any](r *flow.Running[In]) bool {
	select {
	case <-r.Done():
		return true
	default:
		return false
	}
}

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

var errHungUp = errors.New("test: hung up")

// peer hands each element to the test on a channel until hangUp.
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

func BenchmarkViaObservableMap(b *testing.B) {
	f := rxflow.ViaObservable[int, int](func(ctx context.Context, in rxgo.Observable) rxgo.Observable {
		return in.Map(func(_ context.Context, v any) (any, error) { return v.(int) + 1, nil }, rxgo.WithContext(ctx))
	})
	n := 0
	r := flow.Start(context.Background(), f, func(v int) error {
		n += v
		return nil
	})
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := r.Push(i); err != nil {
			b.Fatal(err)
		}
	}
	r.CloseInput()
	<-r.Done()
	b.StopTimer()
	if err := r.Stop(); err != nil {
		b.Fatal(err)
	}
}
