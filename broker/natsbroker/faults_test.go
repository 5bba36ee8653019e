package natsbroker_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/broker/natsbroker"
	"github.com/wsflow/wsflow/broker/natsbroker/natstest"
	"github.com/wsflow/wsflow/message"
)

// A 3-node cluster, streams on 3 replicas, two brokers on different
// nodes, three publishers publishing all along: the node one broker is
// connected to, which leads the stream, stops. No subscription ends; every subscriber receives
// the same events in the same order; every publish either returned its
// seq, and its event is delivered once, or returned ErrUnavailable.
func TestClusterNodeLoss(t *testing.T) {
	servers, _ := natstest.Cluster(t, 3)
	urls := func(order ...int) string {
		var in []*server.Server
		for _, i := range order {
			in = append(in, servers[i])
		}
		return natstest.URLs(in...)
	}
	// One partition, whose stream's leader is the node b1 is connected to.
	opts := []natsbroker.Option{natsbroker.WithReplicas(3), natsbroker.WithPartitions(1)}
	connect(t, urls(0, 1, 2), opts...).Close() // makes the stream
	leader := slices.IndexFunc(servers, func(s *server.Server) bool {
		return s.JetStreamIsStreamLeader(server.DEFAULT_GLOBAL_ACCOUNT, "WSFLOW_ROOMS_00")
	})
	require.GreaterOrEqual(t, leader, 0, "the stream has a leader")
	reconnected := make(chan struct{}, 1)
	b1 := connect(t, urls(leader, (leader+1)%3, (leader+2)%3), append(opts, natsbroker.WithNATSOptions(nats.DontRandomize(),
		nats.ReconnectHandler(func(*nats.Conn) { signal(reconnected) })))...)
	b2 := connect(t, urls((leader+1)%3, (leader+2)%3, leader), append(opts, natsbroker.WithNATSOptions(nats.DontRandomize()))...)
	var recs []*recorder
	for _, b := range []*natsbroker.Broker{b1, b1, b2, b2} {
		r := newRecorder()
		subscribe(t, b, "r", r)
		recs = append(recs, r)
	}

	const publishers, each = 3, 300
	var (
		mu          sync.Mutex
		stored      = map[uint64]string{} // seq -> data of the publishes that returned a seq
		unavailable atomic.Int64
		published   atomic.Int64
		slowest     atomic.Int64 // the longest publish, in ns
		kill        = make(chan struct{})
		wg          sync.WaitGroup
	)
	for p := range publishers {
		b := []*natsbroker.Broker{b1, b2, b1}[p]
		wg.Go(func() {
			for i := range each {
				data := fmt.Sprintf("%d-%d", p, i)
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				began := time.Now()
				seq, err := b.Publish(ctx, "r", []byte(data))
				took := int64(time.Since(began))
				for was := slowest.Load(); took > was && !slowest.CompareAndSwap(was, took); was = slowest.Load() {
				}
				cancel()
				switch {
				case err == nil:
					mu.Lock()
					_, dup := stored[seq]
					stored[seq] = data
					mu.Unlock()
					if dup {
						t.Errorf("two publishes stored as %d", seq)
					}
				case errors.Is(err, broker.ErrUnavailable):
					unavailable.Add(1)
				default:
					t.Errorf("publish %s: %v", data, err)
					return
				}
				if published.Add(1) == publishers*each/3 {
					close(kill)
				}
			}
		})
	}
	defer wg.Wait() // no publisher outlives the test, whatever ends it
	ended := make(chan struct{})
	go func() { wg.Wait(); close(ended) }()
	select {
	case <-kill:
	case <-ended:
		t.Fatal("the publishers ended before a third of their publishes")
	}
	servers[leader].Shutdown() // b1's node, and the stream's leader
	select {
	case <-reconnected:
	case <-time.After(patience):
		t.Fatal("b1 did not reconnect to another node")
	}
	wg.Wait()
	servers[leader].WaitForShutdown()

	var last uint64
	for seq := range stored {
		last = max(last, seq)
	}
	want := waitThrough(t, recs[0], last)
	for _, r := range recs[1:] {
		require.Equal(t, seqs(want), seqs(waitThrough(t, r, last)), "one order everywhere")
	}
	delivered := map[string]int{}
	for i, ev := range want {
		if i > 0 {
			require.Greater(t, ev.Seq, want[i-1].Seq)
		}
		delivered[string(ev.Data)]++
		if data, ok := stored[ev.Seq]; ok {
			require.Equal(t, data, string(ev.Data))
		}
	}
	for seq, data := range stored {
		require.Equal(t, 1, delivered[data], "publish %s stored as %d delivered once", data, seq)
	}
	for data, n := range delivered {
		require.Equal(t, 1, n, "%s delivered once", data)
	}
	for _, r := range recs {
		select {
		case err := <-r.end:
			t.Fatalf("a subscription ended: %v", err)
		default:
		}
	}
	t.Logf("%d publishes: %d stored, %d ErrUnavailable (of which %d delivered nonetheless), the longest took %v; %d events delivered to each of 4 subscribers",
		publishers*each, len(stored), unavailable.Load(), len(want)-len(stored), time.Duration(slowest.Load()).Round(time.Millisecond), len(want))
	require.Equal(t, int64(publishers*each), int64(len(stored))+unavailable.Load())
}

// waitThrough waits until r has received the event numbered last, and
// returns what it received.
func waitThrough(t *testing.T, r *recorder, last uint64) []broker.Event {
	t.Helper()
	timeout := time.After(3 * patience)
	for {
		got := r.events()
		if len(got) > 0 && got[len(got)-1].Seq >= last {
			return got
		}
		select {
		case <-r.more:
		case err := <-r.end:
			t.Fatalf("the subscription ended: %v", err)
		case <-timeout:
			t.Fatalf("%d events arrived, not through %d", len(got), last)
		}
	}
}

// A NATS server stopped for longer than the grace: the subscriptions end
// with ErrUnavailable (1013) and the broker is unavailable; started again
// on the same port and storage, the broker is available again, in the
// same epoch.
func TestLossPastGrace(t *testing.T) {
	dir := t.TempDir()
	ns := natstest.Start(t, dir, -1)
	port := ns.Addr().(*net.TCPAddr).Port
	reconnected := make(chan struct{}, 1)
	b := connect(t, ns.ClientURL(), natsbroker.WithNATSOptions(nats.ReconnectHandler(func(*nats.Conn) { signal(reconnected) })))
	r := newRecorder()
	was := subscribe(t, b, "r", r).Start()
	publish(t, b, "r", "before")
	r.waitFor(t, 1, patience)

	lost := time.Now()
	ns.Shutdown()
	ns.WaitForShutdown()
	var err error
	select {
	case err = <-r.end:
	case <-time.After(patience):
		t.Fatal("the subscription did not end")
	}
	t.Logf("ended %v after the loss", time.Since(lost).Round(10*time.Millisecond))
	require.GreaterOrEqual(t, time.Since(lost), natsbroker.Grace, "not before the grace")
	var ce *message.CloseError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, message.TryAgainLater, ce.Code)
	require.ErrorIs(t, b.Available(), broker.ErrUnavailable)
	ctx := context.Background()
	_, err = b.Publish(ctx, "r", []byte("lost"))
	require.ErrorIs(t, err, broker.ErrUnavailable)
	_, err = b.Subscribe(ctx, "r", newRecorder().handler())
	require.ErrorIs(t, err, broker.ErrUnavailable)
	_, err = b.Replay(ctx, "r", was, 1)
	require.ErrorIs(t, err, broker.ErrUnavailable)

	natstest.Start(t, dir, port)
	select {
	case <-reconnected:
	case <-time.After(patience):
		t.Fatal("did not reconnect")
	}
	require.NoError(t, b.Available())
	r2 := newRecorder()
	now := subscribe(t, b, "r", r2).Start()
	require.Equal(t, was.Epoch, now.Epoch, "the same stream")
	seq := publish(t, b, "r", "back")
	require.Equal(t, []uint64{seq}, seqs(r2.waitFor(t, 1, patience)))
	require.Equal(t, uint64(2), seq)
}

// signal sends on ch, a channel of capacity 1, unless a send is already
// waiting there: a handler that nats.go calls again does not block.
func signal(ch chan<- struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
