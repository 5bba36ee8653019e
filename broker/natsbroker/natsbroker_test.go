package natsbroker_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/broker/natsbroker"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
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
func (r *recorder) waitFor(t *testing.T, n int) []broker.Event {
	t.Helper()
	timeout := time.After(patience)
	for {
		if got := r.events(); len(got) >= n {
			return got
		}
		select {
		case <-r.more:
		case <-timeout:
			t.Fatalf("%d events of %d arrived", len(r.events()), n)
		}
	}
}

func seqs(evs []broker.Event) []uint64 {
	var s []uint64
	for _, ev := range evs {
		s = append(s, ev.Seq)
	}
	return s
}

func connect(t *testing.T, url string, opts ...natsbroker.Option) *natsbroker.Broker {
	t.Helper()
	b, err := natsbroker.Connect(url, opts...)
	require.NoError(t, err)
	t.Cleanup(b.Close)
	return b
}

func TestTwoServersOneOrder(t *testing.T) {
	ns := startNATS(t, t.TempDir(), -1)
	b1, b2 := connect(t, ns.ClientURL()), connect(t, ns.ClientURL())
	ctx := context.Background()
	var recs []*recorder
	for _, b := range []*natsbroker.Broker{b1, b1, b2, b2} {
		r := newRecorder()
		s, err := b.Subscribe(ctx, "lobby", 0, r.handler())
		require.NoError(t, err)
		require.True(t, s.Recovered())
		t.Cleanup(s.Close)
		recs = append(recs, r)
	}
	const publishers, each = 4, 100
	var wg sync.WaitGroup
	for p := range publishers {
		b := []*natsbroker.Broker{b1, b2}[p%2]
		wg.Go(func() {
			for i := range each {
				_, err := b.Publish(ctx, "lobby", fmt.Appendf(nil, "%d-%d", p, i))
				require.NoError(t, err)
			}
		})
	}
	wg.Wait()
	want := recs[0].waitFor(t, publishers*each)
	for i, ev := range want {
		require.Equal(t, uint64(i+1), ev.Seq)
	}
	for _, r := range recs[1:] {
		require.Equal(t, want, r.waitFor(t, publishers*each), "one order on both servers")
	}
	// Rooms are separate streams, numbered from 1 each.
	seq, err := b2.Publish(ctx, "other", []byte("x"))
	require.NoError(t, err)
	require.Equal(t, uint64(1), seq)
}

func TestRecoveryAcrossServers(t *testing.T) {
	ns := startNATS(t, t.TempDir(), -1)
	b1 := connect(t, ns.ClientURL(), natsbroker.WithHistory(5))
	b2 := connect(t, ns.ClientURL(), natsbroker.WithHistory(5))
	ctx := context.Background()
	live := newRecorder() // a member on b2, so that b2's room runs
	ls, err := b2.Subscribe(ctx, "r", 0, live.handler())
	require.NoError(t, err)
	defer ls.Close()
	for i := 1; i <= 8; i++ { // the history holds 4..8
		_, err := b1.Publish(ctx, "r", fmt.Appendf(nil, "m%d", i))
		require.NoError(t, err)
	}
	live.waitFor(t, 8)
	for _, tc := range []struct {
		after     uint64
		recovered bool
		want      []uint64
	}{
		{3, true, []uint64{4, 5, 6, 7, 8}},
		{6, true, []uint64{7, 8}},
		{8, true, nil},
		{1, false, []uint64{4, 5, 6, 7, 8}},
		{20, false, nil},
	} {
		require.Equal(t, tc.want, seqs(newRecorderAfter(t, b2, tc.after, tc.recovered)), "after %d", tc.after)
	}
	// A server where the room has no member yet reads the same history.
	b3 := connect(t, ns.ClientURL(), natsbroker.WithHistory(5))
	require.Equal(t, []uint64{4, 5, 6, 7, 8}, seqs(newRecorderAfter(t, b3, 3, true)))
	require.Equal(t, []uint64{8}, seqs(newRecorderAfter(t, b3, 7, true)))
	// A member coming back, then the live events, with no duplicate.
	r := newRecorder()
	s, err := b2.Subscribe(ctx, "r", 6, r.handler())
	require.NoError(t, err)
	defer s.Close()
	_, err = b1.Publish(ctx, "r", []byte("m9"))
	require.NoError(t, err)
	got := r.waitFor(t, 3)
	require.Equal(t, []uint64{7, 8, 9}, seqs(got))
	require.Equal(t, "m9", string(got[2].Data))
	live.waitFor(t, 9)
	_, err = b1.Publish(ctx, "r", []byte("m10"))
	require.NoError(t, err)
	require.Equal(t, []uint64{7, 8, 9, 10}, seqs(r.waitFor(t, 4)))
	// A subscriber from beyond the room is not recovered, then live.
	ahead := newRecorder()
	as, err := b1.Subscribe(ctx, "r", 50, ahead.handler())
	require.NoError(t, err)
	defer as.Close()
	require.False(t, as.Recovered())
	_, err = b2.Publish(ctx, "r", []byte("m11"))
	require.NoError(t, err)
	require.Equal(t, []uint64{11}, seqs(ahead.waitFor(t, 1)))
	require.Equal(t, seqs(live.waitFor(t, 10))[6:], seqs(r.events()))
}

// newRecorderAfter subscribes to room r on b after after, checks whether
// it recovered, and returns what the history gave at once.
func newRecorderAfter(t *testing.T, b *natsbroker.Broker, after uint64, recovered bool) []broker.Event {
	t.Helper()
	r := newRecorder()
	s, err := b.Subscribe(context.Background(), "r", after, r.handler())
	require.NoError(t, err)
	require.Equal(t, recovered, s.Recovered(), "after %d", after)
	s.Close()
	return r.events()
}

func TestLossClosesMembersAndReconnects(t *testing.T) {
	dir := t.TempDir()
	ns := startNATS(t, dir, -1)
	addr := ns.ClientURL()
	reconnected := make(chan struct{}, 2) // nats.go reconnects on its own schedule: it says when
	onReconnect := natsbroker.WithNATSOptions(nats.ReconnectHandler(func(*nats.Conn) { reconnected <- struct{}{} }))
	b1, b2 := connect(t, addr, onReconnect), connect(t, addr, onReconnect)
	rooms1 := flow.NewRooms[string](flow.WithBroker(b1))
	rooms2 := flow.NewRooms[string](flow.WithBroker(b2))
	ctx := context.Background()
	var members []*flow.Running[string]
	for _, rs := range []*flow.Rooms[string]{rooms1, rooms2} {
		got := make(chan string, 16)
		m := flow.Start(ctx, rs.Join("r", flow.Announce("hi", "bye")), func(v string) error { got <- v; return nil })
		members = append(members, m)
		select {
		case v := <-got:
			require.Equal(t, "hi", v)
		case <-time.After(patience):
			t.Fatal("no hello")
		}
	}
	require.NoError(t, rooms1.Available())

	port := ns.Addr().(*net.TCPAddr).Port
	ns.Shutdown()
	ns.WaitForShutdown()
	for _, m := range members {
		select {
		case <-m.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("a member was not closed within 5 s of losing NATS")
		}
		var ce *message.CloseError
		require.True(t, errors.As(m.Err(), &ce), "%v", m.Err())
		require.Equal(t, message.TryAgainLater, ce.Code)
		require.Equal(t, "rooms unavailable", ce.Reason)
		m.Stop()
	}
	require.ErrorIs(t, rooms1.Available(), broker.ErrUnavailable)
	require.ErrorIs(t, rooms2.Available(), broker.ErrUnavailable)
	_, err := b1.Publish(ctx, "r", []byte("lost"))
	require.ErrorIs(t, err, broker.ErrUnavailable)
	refused := flow.Start(ctx, rooms1.Join("r"), func(string) error { return nil })
	<-refused.Done()
	require.ErrorIs(t, refused.Stop(), broker.ErrUnavailable)

	// The same server again, on the same port, with the same storage.
	startNATS(t, dir, port)
	for range 2 {
		select {
		case <-reconnected:
		case <-time.After(patience):
			t.Fatal("did not reconnect")
		}
	}
	require.NoError(t, b1.Available())
	require.NoError(t, b2.Available())
	got := make(chan string, 16)
	m := flow.Start(ctx, rooms2.Join("r"), func(v string) error { got <- v; return nil })
	require.NoError(t, rooms1.Publish(ctx, "r", "back"))
	select {
	case v := <-got:
		require.Equal(t, "back", v)
	case <-time.After(patience):
		t.Fatal("a new member received nothing")
	}
	m.Stop()
}

func TestZeroBrokerIsUnavailable(t *testing.T) {
	var b natsbroker.Broker
	ctx := context.Background()
	require.ErrorIs(t, b.Available(), broker.ErrUnavailable)
	_, err := b.Publish(ctx, "r", nil)
	require.ErrorIs(t, err, broker.ErrUnavailable)
	_, err = b.Subscribe(ctx, "r", 0, newRecorder().handler())
	require.ErrorIs(t, err, broker.ErrUnavailable)
	_, err = b.Latest(ctx, "r")
	require.ErrorIs(t, err, broker.ErrUnavailable)
	b.Close()
}

func TestConnectFailsWhenUnreachable(t *testing.T) {
	ns := startNATS(t, t.TempDir(), -1)
	url := ns.ClientURL()
	ns.Shutdown()
	ns.WaitForShutdown()
	_, err := natsbroker.Connect(url)
	require.Error(t, err)
}

func TestRoomNamesOfAnyCharacters(t *testing.T) {
	ns := startNATS(t, t.TempDir(), -1)
	b := connect(t, ns.ClientURL())
	ctx := context.Background()
	for i, room := range []string{"a.b", "a b", "*", ">", "_x", "é"} {
		seq, err := b.Publish(ctx, room, []byte{byte(i)})
		require.NoError(t, err, room)
		require.Equal(t, uint64(1), seq, "%q is a room of its own", room)
	}
}
