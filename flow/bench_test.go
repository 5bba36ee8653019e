package flow_test

import (
	"context"
	"testing"

	"github.com/wsflow/wsflow/flow"
)

// benchPush pushes b.N elements through f with a trivial emit, closes the
// input and waits for the flow to complete.
func benchPush(b *testing.B, f flow.Flow[int, int]) {
	b.Helper()
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
	if b.N > 1 && n == 0 {
		b.Fatal("nothing was emitted")
	}
}

func BenchmarkIdentity(b *testing.B) {
	benchPush(b, flow.Identity[int]())
}

func BenchmarkMap(b *testing.B) {
	benchPush(b, flow.Map(func(v int) int { return v + 1 }))
}

func BenchmarkVia3(b *testing.B) {
	inc := func(v int) int { return v + 1 }
	benchPush(b, flow.Via(flow.Via(flow.Map(inc), flow.Map(inc)), flow.Map(inc)))
}
