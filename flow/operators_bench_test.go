package flow_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/wsflow/wsflow/flow"
)

// The fused operators cost no allocation per element.

func BenchmarkScan(b *testing.B) {
	benchPush(b, flow.Scan(0, func(acc, v int) int { return acc + v }))
}

func BenchmarkTake(b *testing.B) {
	benchPush(b, flow.Take[int](math.MaxInt))
}

func BenchmarkTakeWhile(b *testing.B) {
	benchPush(b, flow.TakeWhile(func(v int) bool { return v >= 0 }))
}

func BenchmarkDrop(b *testing.B) {
	benchPush(b, flow.Drop[int](1))
}

// The slice is the function's to allocate; this one reuses its own, so
// what is measured is MapConcat's cost.
func BenchmarkMapConcat(b *testing.B) {
	buf := make([]int, 2)
	benchPush(b, flow.MapConcat(func(v int) []int {
		buf[0], buf[1] = v, v
		return buf
	}))
}

func BenchmarkRecover(b *testing.B) {
	benchPush(b, flow.Recover(func(error) (int, bool) { return 0, true }))
}

func BenchmarkFusedChain(b *testing.B) {
	benchPush(b, flow.Via(flow.Via(flow.Drop[int](1), flow.Scan(0, func(acc, v int) int { return acc + v })),
		flow.Via(flow.Take[int](math.MaxInt), flow.Recover(func(error) (int, bool) { return 0, true }))))
}

// Throttle, at a rate it never reaches, never waits.
func BenchmarkThrottle(b *testing.B) {
	benchPush(b, flow.Throttle[int](math.MaxInt32, time.Millisecond, 1))
}

// The detached operators hand each element to a goroutine of their own.

func BenchmarkBuffer(b *testing.B) {
	benchPush(b, flow.Buffer[int](64, flow.Backpressure))
}

func BenchmarkKeepAlive(b *testing.B) {
	benchPush(b, flow.KeepAlive(time.Hour, func() int { return 0 }))
}

func BenchmarkIdleTimeout(b *testing.B) {
	benchPush(b, flow.IdleTimeout[int](time.Hour))
}

func BenchmarkGroupedWithin(b *testing.B) {
	benchPush(b, flow.Via(flow.GroupedWithin[int](64, time.Hour), flow.Map(func(vs []int) int { return len(vs) })))
}

func BenchmarkKillSwitched(b *testing.B) {
	benchPush(b, flow.KillSwitched[int](flow.NewKillSwitch()))
}

func BenchmarkMapAsync(b *testing.B) {
	benchPush(b, flow.MapAsync(4, func(_ context.Context, v int) (int, error) { return v + 1, nil }))
}

func BenchmarkMapAsyncUnordered(b *testing.B) {
	benchPush(b, flow.MapAsyncUnordered(4, func(_ context.Context, v int) (int, error) { return v + 1, nil }))
}

// Sources: elements per op.

func BenchmarkConcat(b *testing.B) {
	benchSource(b, func(n int) flow.Source[int] {
		return flow.Concat(flow.SourceFunc(count(n/2)), flow.SourceFunc(count(n-n/2)))
	})
}

func BenchmarkZip(b *testing.B) {
	benchSource(b, func(n int) flow.Source[int] {
		return flow.Zip(flow.SourceFunc(count(n)), flow.SourceFunc(count(n)), func(a, b int) int { return a + b })
	})
}

func count(n int) func(context.Context, func(int) error) error {
	return func(_ context.Context, emit func(int) error) error {
		for i := range n {
			if err := emit(i + 1); err != nil {
				return err
			}
		}
		return nil
	}
}

func benchSource(b *testing.B, build func(n int) flow.Source[int]) {
	b.Helper()
	b.ReportAllocs()
	n := 0
	r := flow.Start(context.Background(), flow.Wrap(flow.Ignore[int](), build(b.N)), func(v int) error {
		n++
		return nil
	})
	<-r.Done()
	b.StopTimer()
	if err := r.Stop(); err != nil {
		b.Fatal(err)
	}
	if n != b.N {
		b.Fatalf("%d elements, want %d", n, b.N)
	}
}
