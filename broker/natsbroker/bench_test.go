package natsbroker_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/broker/natsbroker"
	"github.com/wsflow/wsflow/flow"
)

// BenchmarkRoomDelivery measures a room of 3 members on this server: each
// op publishes one 100-byte message, and the benchmark ends once every
// member has received every message. ns/op divided by 3 is the cost per
// delivered message; the two sub-benchmarks compare the brokers in one run.
func BenchmarkRoomDelivery(b *testing.B) {
	ns := startNATS(b, b.TempDir(), -1)
	nb, err := natsbroker.Connect(ns.ClientURL())
	if err != nil {
		b.Fatal(err)
	}
	defer nb.Close()
	for _, bc := range []struct {
		name string
		b    broker.Broker
	}{{"InProcess", broker.NewInProcess()}, {"NATS", nb}} {
		b.Run(bc.name, func(b *testing.B) {
			rooms := flow.NewRooms[[]byte](flow.WithBroker(bc.b))
			var delivered atomic.Int64
			done := make(chan struct{})
			const members = 3
			var runs []*flow.Running[[]byte]
			for range members {
				runs = append(runs, flow.Start(context.Background(), rooms.Join("bench"), func([]byte) error {
					if delivered.Add(1) == int64(members*b.N) {
						close(done)
					}
					return nil
				}))
			}
			msg := make([]byte, 100)
			ctx := context.Background()
			b.ResetTimer()
			for range b.N {
				if err := rooms.Publish(ctx, "bench", msg); err != nil {
					b.Fatal(err)
				}
			}
			<-done
			b.StopTimer()
			for _, r := range runs {
				r.Stop()
			}
		})
	}
}
