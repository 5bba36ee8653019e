package flow_test

import (
	"context"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/internal/flowtest"
)

// TestMain checks every test of the package for leaked goroutines.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

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
	flowtest.WaitDone(t, r)
	err := r.Stop()
	return c.values(), err
}
