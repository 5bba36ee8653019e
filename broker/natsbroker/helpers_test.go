package natsbroker_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/broker/natsbroker"
)

// recorder is a Handler that records what it receives.
type recorder struct {
	mu   sync.Mutex
	got  []broker.Event
	more chan struct{}
	end  chan error
}

func newRecorder() *recorder {
	return &recorder{more: make(chan struct{}, 1), end: make(chan error, 1)}
}

func (r *recorder) handler() broker.Handler {
	return broker.Handler{
		Event: func(ev broker.Event) {
			r.mu.Lock()
			r.got = append(r.got, ev)
			r.mu.Unlock()
			select {
			case r.more <- struct{}{}:
			default:
			}
		},
		End: func(err error) { r.end <- err },
	}
}

func (r *recorder) events() []broker.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]broker.Event(nil), r.got...)
}

// waitFor waits until r has n events and returns them.
func (r *recorder) waitFor(t testing.TB, n int, wait time.Duration) []broker.Event {
	t.Helper()
	timeout := time.After(wait)
	for {
		if got := r.events(); len(got) >= n {
			return got
		}
		select {
		case <-r.more:
		case err := <-r.end:
			t.Fatalf("the subscription ended after %d events of %d: %v", len(r.events()), n, err)
		case <-timeout:
			t.Fatalf("%d events of %d arrived", len(r.events()), n)
		}
	}
}

func seqs(evs []broker.Event) []uint64 {
	s := []uint64{}
	for _, ev := range evs {
		s = append(s, ev.Seq)
	}
	return s
}

func connect(t testing.TB, url string, opts ...natsbroker.Option) *natsbroker.Broker {
	t.Helper()
	b, err := natsbroker.Connect(url, opts...)
	require.NoError(t, err)
	t.Cleanup(b.Close)
	return b
}

// subscribe subscribes r to room on b and closes the subscription when
// the test ends.
func subscribe(t testing.TB, b broker.Broker, room string, r *recorder) broker.Subscription {
	t.Helper()
	s, err := b.Subscribe(context.Background(), room, r.handler())
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

// publish publishes data to room on b and returns its seq.
func publish(t testing.TB, b broker.Broker, room, data string) uint64 {
	t.Helper()
	seq, err := b.Publish(context.Background(), room, []byte(data))
	require.NoError(t, err)
	return seq
}

// replayAll replays room on b from from up to upTo and returns whether it
// recovered, the events and the number of batches.
func replayAll(t testing.TB, b broker.Broker, room string, from broker.Position, upTo uint64) (bool, []broker.Event, int) {
	t.Helper()
	ctx := context.Background()
	r, err := b.Replay(ctx, room, from, upTo)
	require.NoError(t, err)
	defer r.Close()
	var evs []broker.Event
	batches := 0
	for {
		batch, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			return r.Recovered(), evs, batches
		}
		require.NoError(t, err)
		require.NotEmpty(t, batch)
		evs = append(evs, batch...)
		batches++
	}
}

// apiCounter counts the JetStream API requests of every client of a NATS
// server (fetches included), by listening to their subjects.
type apiCounter struct {
	nc    *nats.Conn
	msgs  chan *nats.Msg
	kinds map[string]int64 // by kind, e.g. "CONSUMER.CREATE"
}

func countAPI(t testing.TB, url string) *apiCounter {
	t.Helper()
	nc, err := nats.Connect(url)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	c := &apiCounter{nc: nc, msgs: make(chan *nats.Msg, 1<<16), kinds: map[string]int64{}}
	_, err = nc.ChanSubscribe("$JS.API.>", c.msgs)
	require.NoError(t, err)
	require.NoError(t, nc.Flush())
	return c
}

// settle counts every request sent before it was called, and returns
// the counts by kind.
func (c *apiCounter) settle(t testing.TB) map[string]int64 {
	t.Helper()
	require.NoError(t, c.nc.Flush()) // the server sent us the requests before its answer to the flush
	for {
		select {
		case m := <-c.msgs:
			tokens := strings.Split(strings.TrimPrefix(m.Subject, "$JS.API."), ".")
			kind := tokens[0]
			if len(tokens) > 1 && tokens[0] != "INFO" {
				kind += "." + tokens[1]
			}
			c.kinds[kind]++
		default:
			return c.kinds
		}
	}
}

// total returns the requests counted.
func (c *apiCounter) total() int64 {
	var n int64
	for _, k := range c.kinds {
		n += k
	}
	return n
}

// reset counts every request sent before it was called, then forgets
// them.
func (c *apiCounter) reset(t testing.TB) {
	c.settle(t)
	clear(c.kinds)
}
