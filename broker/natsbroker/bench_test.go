package natsbroker_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/broker/natsbroker/natstest"
)

// BenchmarkReplay100 measures 100 members coming back at once to a room
// of 1,000 events of 100 bytes: each op runs 100 replays from the start
// concurrently and reads them to the end. ns/replay is ns/op / 100. The
// two sub-benchmarks compare the brokers in one run.
func BenchmarkReplay100(b *testing.B) {
	ns := natstest.Start(b, b.TempDir(), -1)
	for _, bc := range []struct {
		name string
		b    broker.Broker
	}{{"InProcess", broker.NewInProcess()}, {"NATS", connect(b, ns.ClientURL())}} {
		b.Run(bc.name, func(b *testing.B) {
			br := bc.b
			ctx := context.Background()
			var last uint64
			for range 1000 {
				var err error
				if last, err = br.Publish(ctx, "bench", make([]byte, 100)); err != nil {
					b.Fatal(err)
				}
			}
			const members = 100
			b.ResetTimer()
			for b.Loop() {
				var wg sync.WaitGroup
				for range members {
					wg.Go(func() {
						if n, err := replayCount(ctx, br, last); err != nil || n != 1000 {
							b.Errorf("replayed %d events: %v", n, err)
						}
					})
				}
				wg.Wait()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*members), "ns/replay")
		})
	}
}

// replayCount replays room "bench" from its start up to upTo and returns
// how many events it read.
func replayCount(ctx context.Context, br broker.Broker, upTo uint64) (int, error) {
	r, err := br.Replay(ctx, "bench", broker.Position{}, upTo)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	n := 0
	for {
		evs, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n += len(evs)
	}
}

// BenchmarkDelivery measures a room through NATS: events of 100 bytes
// published on one broker by concurrent publishers, received by a
// subscriber on another broker (another connection). ns/op is the
// throughput's inverse; p99-ns the 99th percentile of the time from
// Publish's call to delivery.
func BenchmarkDelivery(b *testing.B) {
	ns := natstest.Start(b, b.TempDir(), -1)
	pub, subb := connect(b, ns.ClientURL()), connect(b, ns.ClientURL())
	var (
		mu        sync.Mutex
		latencies []time.Duration
		all       = make(chan struct{})
		want      = b.N
	)
	sub, err := subb.Subscribe(context.Background(), "bench", broker.Handler{Event: func(ev broker.Event) {
		d := time.Since(time.Unix(0, int64(binary.BigEndian.Uint64(ev.Data))))
		mu.Lock()
		defer mu.Unlock()
		latencies = append(latencies, d)
		if len(latencies) == want {
			close(all)
		}
	}})
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Close()
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			msg := make([]byte, 100)
			binary.BigEndian.PutUint64(msg, uint64(time.Now().UnixNano()))
			if _, err := pub.Publish(context.Background(), "bench", msg); err != nil {
				b.Error(err)
				return
			}
		}
	})
	select {
	case <-all:
	case <-time.After(patience):
		b.Fatal("not every event was delivered")
	}
	b.StopTimer()
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
