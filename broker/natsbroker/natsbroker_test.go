package natsbroker_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/broker/natsbroker"
	"github.com/wsflow/wsflow/broker/natsbroker/natstest"
)

// Two brokers on two connections, two subscribers on each, four
// publishers at once, with another room's events interleaved: every
// subscriber receives the room's events once each, in one order, with
// increasing (not consecutive) sequence numbers.
func TestOneOrderAcrossBrokers(t *testing.T) {
	ns := natstest.Start(t, t.TempDir(), -1)
	b1, b2 := connect(t, ns.ClientURL(), natsbroker.WithPartitions(1)), connect(t, ns.ClientURL(), natsbroker.WithPartitions(1))
	var recs []*recorder
	var start []broker.Position
	for _, b := range []*natsbroker.Broker{b1, b1, b2, b2} {
		r := newRecorder()
		start = append(start, subscribe(t, b, "lobby", r).Start())
		recs = append(recs, r)
	}
	require.True(t, broker.ValidEpoch(start[0].Epoch))
	for _, s := range start {
		require.Equal(t, start[0], s, "every subscriber starts at the same place of an unused partition")
	}
	const publishers, each = 4, 100
	published := make(chan uint64, publishers*each)
	var wg sync.WaitGroup
	for p := range publishers {
		b := []*natsbroker.Broker{b1, b2}[p%2]
		wg.Go(func() {
			for i := range each {
				seq, err := b.Publish(context.Background(), "lobby", fmt.Appendf(nil, "%d-%d", p, i))
				if err == nil {
					_, err = b.Publish(context.Background(), "other", []byte("x")) // the same partition: numbers in between
				}
				if err != nil {
					t.Error(err)
					return
				}
				published <- seq
			}
		})
	}
	wg.Wait()
	close(published)
	want := recs[0].waitFor(t, publishers*each, patience)
	for i := 1; i < len(want); i++ {
		require.Greater(t, want[i].Seq, want[i-1].Seq)
	}
	for _, r := range recs[1:] {
		require.Equal(t, want, r.waitFor(t, publishers*each, patience), "one order on both brokers")
	}
	var got []uint64
	for seq := range published {
		got = append(got, seq)
	}
	require.ElementsMatch(t, got, seqs(want), "every publish delivered once")
	require.Greater(t, want[len(want)-1].Seq, uint64(publishers*each), "the numbers skip the other room's")
}

// A subscription's Start and a replay up to it give every event once: the
// history's up to Start, the live ones after.
func TestSubscribeThenReplay(t *testing.T) {
	ns := natstest.Start(t, t.TempDir(), -1)
	b := connect(t, ns.ClientURL())
	other := connect(t, ns.ClientURL())
	for i := range 10 {
		publish(t, other, "r", fmt.Sprint(i))
	}
	r := newRecorder()
	start := subscribe(t, b, "r", r).Start()
	require.Equal(t, uint64(10), start.Seq)
	for i := 10; i < 15; i++ {
		publish(t, other, "r", fmt.Sprint(i))
	}
	recovered, history, batches := replayAll(t, b, "r", broker.Position{Epoch: start.Epoch}, start.Seq)
	require.True(t, recovered)
	require.Equal(t, 1, batches)
	all := append(history, r.waitFor(t, 5, patience)...)
	require.Len(t, all, 15)
	for i, ev := range all {
		require.Equal(t, uint64(i+1), ev.Seq)
		require.Equal(t, fmt.Sprint(i), string(ev.Data))
	}
	// A second subscriber of the running partition starts where its
	// consumer is.
	start2 := subscribe(t, b, "r", newRecorder()).Start()
	require.Equal(t, broker.Position{Epoch: start.Epoch, Seq: 15}, start2)
}

// A replay reads a 1,000-event history in batches: a handful of JetStream
// requests, not one per event.
func TestReplayInBatches(t *testing.T) {
	ns := natstest.Start(t, t.TempDir(), -1)
	b := connect(t, ns.ClientURL())
	var last uint64
	for i := range 1000 {
		last = publish(t, b, "r", strings.Repeat("x", 100)+fmt.Sprint(i))
	}
	api := countAPI(t, ns.ClientURL())
	recovered, evs, batches := replayAll(t, b, "r", broker.Position{}, last)
	kinds := api.settle(t)
	require.True(t, recovered)
	require.Len(t, evs, 1000)
	require.Equal(t, 4, batches, "256 events a batch")
	t.Logf("a 1,000-event replay: %d JetStream API requests %v", api.total(), kinds)
	require.LessOrEqual(t, api.total(), int64(10))
	require.Equal(t, int64(4), kinds["CONSUMER.MSG"], "one fetch per batch")
}

// Rooms are subjects, not streams: 3,000 rooms used leave the streams at
// the partitions' number, and the consumers at one per partition.
func TestRoomsAreNotStreams(t *testing.T) {
	ns := natstest.Start(t, t.TempDir(), -1)
	b := connect(t, ns.ClientURL())
	for i := range 3000 {
		room := fmt.Sprintf("room-%d", i)
		s, err := b.Subscribe(context.Background(), room, newRecorder().handler())
		require.NoError(t, err)
		publish(t, b, room, "x")
		defer s.Close()
	}
	jsz, err := ns.Jsz(nil)
	require.NoError(t, err)
	require.Equal(t, natsbroker.DefaultPartitions, jsz.Streams)
	require.Equal(t, natsbroker.DefaultPartitions, jsz.Consumers)
	require.Equal(t, uint64(3000), jsz.Messages)
}

// Nothing deletes a room: after its members leave and a broker connects
// again (making its streams again), the stream is the same one, holding
// the same events, and the numbering goes on.
func TestNothingDeletesARoom(t *testing.T) {
	ns := natstest.Start(t, t.TempDir(), -1)
	api := countAPI(t, ns.ClientURL())
	b := connect(t, ns.ClientURL())
	r := newRecorder()
	s := subscribe(t, b, "kept", r)
	first := publish(t, b, "kept", "1")
	idle := newRecorder()
	is := subscribe(t, b, "idle", idle)
	publish(t, b, "idle", "1")
	idle.waitFor(t, 1, patience)
	is.Close() // "idle" has no member left
	b2 := connect(t, ns.ClientURL())
	again := publish(t, b2, "kept", "2")
	require.Greater(t, again, first, "the numbering goes on")
	require.Equal(t, []uint64{first, again}, seqs(r.waitFor(t, 2, patience)))
	recovered, evs, _ := replayAll(t, b2, "idle", broker.Position{Epoch: is.Start().Epoch}, again) // its own partition's epoch
	require.True(t, recovered)
	require.Len(t, evs, 1, "the idle room keeps its history")
	require.Equal(t, s.Start().Epoch, subscribe(t, b2, "kept", newRecorder()).Start().Epoch, "the same epoch")
	kinds := api.settle(t)
	require.Zero(t, kinds["STREAM.DELETE"], "no stream deleted")
	require.Zero(t, kinds["STREAM.PURGE"], "no stream purged")
}

// A stream made anew (here: a NATS server that lost its storage) has a new
// epoch; a replay from the old epoch did not recover and reads every event
// the new history holds.
func TestNewStreamNewEpoch(t *testing.T) {
	old := natstest.Start(t, t.TempDir(), -1)
	b := connect(t, old.ClientURL())
	for i := range 5 {
		publish(t, b, "r", fmt.Sprint(i))
	}
	was := subscribe(t, b, "r", newRecorder()).Start()
	require.Equal(t, uint64(5), was.Seq)
	b.Close()
	old.Shutdown()
	old.WaitForShutdown()

	ns := natstest.Start(t, t.TempDir(), -1)
	b = connect(t, ns.ClientURL())
	for i := range 7 {
		publish(t, b, "r", fmt.Sprint(i))
	}
	now := subscribe(t, b, "r", newRecorder()).Start()
	require.True(t, broker.ValidEpoch(now.Epoch))
	require.NotEqual(t, was.Epoch, now.Epoch)
	recovered, evs, _ := replayAll(t, b, "r", was, now.Seq)
	require.False(t, recovered)
	require.Equal(t, []uint64{1, 2, 3, 4, 5, 6, 7}, seqs(evs))
	recovered, evs, _ = replayAll(t, b, "r", broker.Position{Epoch: now.Epoch, Seq: 5}, now.Seq)
	require.True(t, recovered)
	require.Equal(t, []uint64{6, 7}, seqs(evs))
}

// Recovered, by the rules of the broker package: events of room "r"
// interleaved with "s"'s, a history of 5 per room.
func TestRecovered(t *testing.T) {
	ns := natstest.Start(t, t.TempDir(), -1)
	b := connect(t, ns.ClientURL(), natsbroker.WithPartitions(1), natsbroker.WithHistory(5))
	var rs []uint64
	for i := range 8 {
		rs = append(rs, publish(t, b, "r", fmt.Sprint(i)))
		publish(t, b, "s", fmt.Sprint(i))
	}
	// "r" holds its last 5: rs[3:].
	start := subscribe(t, b, "r", newRecorder()).Start()
	epoch, latest := start.Epoch, rs[7]
	for _, tc := range []struct {
		name      string
		from      broker.Position
		recovered bool
		want      []uint64
	}{
		{"since evicted", broker.Position{Epoch: epoch, Seq: rs[1]}, false, rs[3:]},
		{"since the oldest held", broker.Position{Epoch: epoch, Seq: rs[3]}, true, rs[4:]},
		{"since held", broker.Position{Epoch: epoch, Seq: rs[5]}, true, rs[6:]},
		{"since = latest", broker.Position{Epoch: epoch, Seq: latest}, true, []uint64{}},
		{"since > latest", broker.Position{Epoch: epoch, Seq: start.Seq + 5}, false, []uint64{}},
		{"since another room's event", broker.Position{Epoch: epoch, Seq: rs[5] + 1}, false, rs[6:]},
		{"since 0, events discarded", broker.Position{Epoch: epoch}, false, rs[3:]},
		{"another epoch", broker.Position{Epoch: "other", Seq: rs[5]}, false, rs[3:]},
		{"empty epoch is the room's", broker.Position{Seq: rs[5]}, true, rs[6:]},
	} {
		recovered, evs, _ := replayAll(t, b, "r", tc.from, start.Seq)
		require.Equal(t, tc.recovered, recovered, tc.name)
		require.Equal(t, tc.want, seqs(evs), tc.name)
	}
	// up to: the replay stops at its end.
	_, evs, _ := replayAll(t, b, "r", broker.Position{Epoch: epoch, Seq: rs[3]}, rs[5])
	require.Equal(t, rs[4:6], seqs(evs))
	// A room that has discarded nothing recovers from 0.
	fresh := connect(t, ns.ClientURL(), natsbroker.WithPrefix("FRESH"))
	seq := publish(t, fresh, "r", "x")
	recovered, evs, _ := replayAll(t, fresh, "r", broker.Position{}, seq)
	require.True(t, recovered)
	require.Equal(t, []uint64{seq}, seqs(evs))
	// From 0 in another epoch: the events of that epoch are gone, whatever
	// this one has discarded.
	recovered, evs, _ = replayAll(t, fresh, "r", broker.Position{Epoch: "other"}, seq)
	require.False(t, recovered, "since 0 in another epoch")
	require.Equal(t, []uint64{seq}, seqs(evs))
	recovered, evs, _ = replayAll(t, fresh, "never", broker.Position{}, seq)
	require.True(t, recovered, "an unused room in an untouched stream")
	require.Empty(t, evs)
}

// The history's byte budget is the streams', shared by the partitions.
func TestHistoryBytes(t *testing.T) {
	ns := natstest.Start(t, t.TempDir(), -1)
	connect(t, ns.ClientURL(), natsbroker.WithPartitions(4), natsbroker.WithHistoryBytes(4<<20),
		natsbroker.WithHistory(10), natsbroker.WithMaxAge(time.Hour), natsbroker.WithStorage(jetstream.MemoryStorage))
	nc, err := nats.Connect(ns.ClientURL())
	require.NoError(t, err)
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	var names []string
	for name := range js.StreamNames(context.Background()).Name() {
		names = append(names, name)
	}
	require.ElementsMatch(t, []string{"WSFLOW_ROOMS_00", "WSFLOW_ROOMS_01", "WSFLOW_ROOMS_02", "WSFLOW_ROOMS_03"}, names)
	st, err := js.Stream(context.Background(), "WSFLOW_ROOMS_02")
	require.NoError(t, err)
	cfg := st.CachedInfo().Config
	require.Equal(t, int64(1<<20), cfg.MaxBytes)
	require.Equal(t, int64(10), cfg.MaxMsgsPerSubject)
	require.Equal(t, time.Hour, cfg.MaxAge)
	require.Equal(t, jetstream.MemoryStorage, cfg.Storage)
	require.Equal(t, jetstream.DiscardOld, cfg.Discard)
	require.Equal(t, []string{"WSFLOW_ROOMS.02.*"}, cfg.Subjects)
}

// Any room name is a room of its own, long or short, of any characters.
func TestRoomNamesOfAnyCharacters(t *testing.T) {
	ns := natstest.Start(t, t.TempDir(), -1)
	b := connect(t, ns.ClientURL(), natsbroker.WithPartitions(1))
	rooms := []string{"a", "a.b", "a b", "*", ">", "_x", "~x", "é", "", strings.Repeat("y", 64), strings.Repeat("y", 65),
		strings.Repeat("z", 192), strings.Repeat("z", 193), strings.Repeat("z", 10000)}
	var last uint64
	for _, room := range rooms {
		last = publish(t, b, room, room)
	}
	for _, room := range rooms {
		_, evs, _ := replayAll(t, b, room, broker.Position{}, last)
		require.Len(t, evs, 1, "%.20q is a room of its own", room)
		require.Equal(t, room, string(evs[0].Data))
	}
}

func TestZeroBrokerIsUnavailable(t *testing.T) {
	var b natsbroker.Broker
	ctx := context.Background()
	require.ErrorIs(t, b.Available(), broker.ErrUnavailable)
	_, err := b.Publish(ctx, "r", nil)
	require.ErrorIs(t, err, broker.ErrUnavailable)
	_, err = b.Subscribe(ctx, "r", newRecorder().handler())
	require.ErrorIs(t, err, broker.ErrUnavailable)
	_, err = b.Replay(ctx, "r", broker.Position{}, 0)
	require.ErrorIs(t, err, broker.ErrUnavailable)
	b.Close()
}

func TestConnectFails(t *testing.T) {
	ns := natstest.Start(t, t.TempDir(), -1)
	_, err := natsbroker.Connect(ns.ClientURL(), natsbroker.WithPrefix("a.b"))
	require.ErrorContains(t, err, "prefix")
	url := ns.ClientURL()
	ns.Shutdown()
	ns.WaitForShutdown()
	_, err = natsbroker.Connect(url)
	require.Error(t, err)
}

// Closing the broker ends its subscriptions with ErrUnavailable.
func TestCloseEndsSubscriptions(t *testing.T) {
	ns := natstest.Start(t, t.TempDir(), -1)
	b := connect(t, ns.ClientURL())
	r := newRecorder()
	subscribe(t, b, "r", r)
	b.Close()
	require.ErrorIs(t, <-r.end, broker.ErrUnavailable)
	require.ErrorIs(t, b.Available(), broker.ErrUnavailable)
	_, err := b.Publish(context.Background(), "r", nil)
	require.ErrorIs(t, err, broker.ErrUnavailable)
}
