package rxflow_test

import (
	"context"
	"testing"

	"github.com/reactivex/rxgo/v2"
	"go.uber.org/goleak"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/flow/rxflow"
)

// TestMain checks every test of the package for leaked goroutines.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

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
