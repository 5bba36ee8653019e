package rxflow_test

import (
	"context"
	"fmt"

	"github.com/reactivex/rxgo/v2"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/flow/rxflow"
)

func ExampleFromObservable() {
	squares := rxflow.FromObservable[int](func(ctx context.Context) rxgo.Observable {
		return rxgo.Range(1, 4, rxgo.WithContext(ctx)).
			Map(func(_ context.Context, v any) (any, error) { return v.(int) * v.(int), nil }, rxgo.WithContext(ctx))
	})

	out, err := squares.Collect(context.Background())
	fmt.Println(out, err)
	// Output: [1 4 9 16] <nil>
}

func ExampleObservable() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	for item := range rxflow.Observable(ctx, flow.Just("a", "b", "c")).Observe(rxgo.WithContext(ctx)) {
		fmt.Println(item.V, item.E)
	}
	// Output:
	// a <nil>
	// b <nil>
	// c <nil>
}

func ExampleViaObservable() {
	lengths := rxflow.ViaObservable[string, int](func(ctx context.Context, in rxgo.Observable) rxgo.Observable {
		return in.Map(func(_ context.Context, v any) (any, error) { return len(v.(string)), nil }, rxgo.WithContext(ctx))
	})

	out, err := flow.Collect(context.Background(), lengths, []string{"a", "bb", "ccc"})
	fmt.Println(out, err)
	// Output: [1 2 3] <nil>
}
