package broker_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/broker"
)

// recorder is a Handler that records what it receives.
type recorder struct {
	mu  sync.Mutex
	got []broker.Event
}

func (r *recorder) handler() broker.Handler {
	return broker.Handler{Event: func(ev broker.Event) {
		r.mu.Lock()
		r.got = append(r.got, ev)
		r.mu.Unlock()
	}}
}

func (r *recorder) events() []broker.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]broker.Event(nil), r.got...)
}

func seqs(evs []broker.Event) []uint64 {
	var s []uint64
	for _, ev := range evs {
		s = append(s, ev.Seq)
	}
	return s
}

// replay reads the whole replay of room from from up to upTo.
func replay(t *testing.T, b broker.Broker, room string, from broker.Position, upTo uint64) (recovered bool, evs []broker.Event) {
	t.Helper()
	ctx := context.Background()
	rp, err := b.Replay(ctx, room, from, upTo)
	require.NoError(t, err)
	defer rp.Close()
	for {
		batch, err := rp.Next(ctx)
		if errors.Is(err, io.EOF) {
			return rp.Recovered(), evs
		}
		require.NoError(t, err)
		require.NotEmpty(t, batch)
		evs = append(evs, batch...)
	}
}

// publish publishes each of data to room and returns their sequence
// numbers.
func publish(t *testing.T, b broker.Broker, room string, data ...string) []uint64 {
	t.Helper()
	var out []uint64
	for _, d := range data {
		seq, err := b.Publish(context.Background(), room, []byte(d))
		require.NoError(t, err)
		out = append(out, seq)
	}
	return out
}

func TestInProcessOneOrder(t *testing.T) {
	var b broker.InProcess
	ctx := context.Background()
	var a, c recorder
	sa, err := b.Subscribe(ctx, "r", a.handler())
	require.NoError(t, err)
	sc, err := b.Subscribe(ctx, "r", c.handler())
	require.NoError(t, err)
	require.Zero(t, sa.Start().Seq)
	var wg sync.WaitGroup
	for p := range 4 {
		wg.Go(func() {
			for i := range 250 {
				_, err := b.Publish(ctx, "r", fmt.Appendf(nil, "%d-%d", p, i))
				require.NoError(t, err)
				_, err = b.Publish(ctx, "other", nil)
				require.NoError(t, err)
			}
		})
	}
	wg.Wait()
	sa.Close()
	sc.Close()
	got := a.events()
	require.Len(t, got, 1000)
	for i := 1; i < len(got); i++ {
		require.Greater(t, got[i].Seq, got[i-1].Seq)
	}
	require.Equal(t, got, c.events())
}

func TestInProcessSubscribeThenReplay(t *testing.T) {
	var b broker.InProcess
	ctx := context.Background()
	before := publish(t, &b, "r", "a", "b", "c")
	var live recorder
	s, err := b.Subscribe(ctx, "r", live.handler())
	require.NoError(t, err)
	defer s.Close()
	require.Equal(t, before[2], s.Start().Seq)
	after := publish(t, &b, "r", "d")
	recovered, evs := replay(t, &b, "r", broker.Position{Seq: before[0]}, s.Start().Seq)
	require.True(t, recovered)
	require.Equal(t, before[1:], seqs(evs), "the history up to the start")
	require.Equal(t, after, seqs(live.events()), "the live feed after it")
}

func TestInProcessRecovery(t *testing.T) {
	b := broker.NewInProcess(broker.WithHistory(5))
	seq := publish(t, b, "r", "1", "2", "3", "4", "5", "6", "7", "8") // history holds 4..8
	epoch := startOf(t, b, "r").Epoch
	for _, tc := range []struct {
		from      broker.Position
		recovered bool
		want      []uint64
	}{
		{broker.Position{Seq: seq[2]}, true, seq[3:]},
		{broker.Position{Epoch: epoch, Seq: seq[5]}, true, seq[6:]},
		{broker.Position{Seq: seq[7]}, true, nil},
		{broker.Position{Seq: seq[1]}, false, seq[3:]},
		{broker.Position{}, false, seq[3:]},
		{broker.Position{Seq: seq[7] + 1}, false, nil},
		{broker.Position{Epoch: "another", Seq: seq[5]}, false, seq[3:]},
		{broker.Position{Epoch: "another"}, false, seq[3:]},
	} {
		recovered, evs := replay(t, b, "r", tc.from, seq[7])
		require.Equal(t, tc.recovered, recovered, "from %+v", tc.from)
		require.Equal(t, tc.want, seqs(evs), "from %+v", tc.from)
	}
	recovered, evs := replay(t, b, "r", broker.Position{Seq: seq[2]}, seq[5])
	require.True(t, recovered)
	require.Equal(t, seq[3:6], seqs(evs), "up to upTo only")
	recovered, _ = replay(t, b, "new", broker.Position{}, 0)
	require.True(t, recovered, "a new room recovers from 0")
}

// startOf returns where a subscription of room starts now.
func startOf(t *testing.T, b broker.Broker, room string) broker.Position {
	t.Helper()
	s, err := b.Subscribe(context.Background(), room, broker.Handler{Event: func(broker.Event) {}})
	require.NoError(t, err)
	defer s.Close()
	return s.Start()
}

func TestInProcessEpoch(t *testing.T) {
	var a, b broker.InProcess
	ea := startOf(t, &a, "r").Epoch
	require.True(t, broker.ValidEpoch(ea), "%q", ea)
	require.Equal(t, ea, startOf(t, &a, "other").Epoch, "one epoch for every room")
	require.NotEqual(t, ea, startOf(t, &b, "r").Epoch, "each broker its own")
}

func TestInProcessBudgetEvictsOldestFirstAcrossRooms(t *testing.T) {
	b := broker.NewInProcess(broker.WithHistoryBytes(10))
	a1 := publish(t, b, "a", "xxx")
	b1 := publish(t, b, "b", "xxx")
	a2 := publish(t, b, "a", "xxx")
	b2 := publish(t, b, "b", "x") // 10 bytes: all kept
	recovered, evs := replay(t, b, "a", broker.Position{}, a2[0])
	require.True(t, recovered)
	require.Equal(t, []uint64{a1[0], a2[0]}, seqs(evs))

	b3 := publish(t, b, "b", "xx") // 12 bytes: a's first goes, the oldest of all
	recovered, evs = replay(t, b, "a", broker.Position{}, a2[0])
	require.False(t, recovered, "a lost its first event")
	require.Equal(t, a2, seqs(evs))
	recovered, evs = replay(t, b, "a", broker.Position{Seq: a1[0]}, a2[0])
	require.True(t, recovered, "after a's lost event, nothing is missing")
	require.Equal(t, a2, seqs(evs))
	recovered, evs = replay(t, b, "b", broker.Position{}, b3[0])
	require.True(t, recovered, "b lost nothing")
	require.Equal(t, []uint64{b1[0], b2[0], b3[0]}, seqs(evs))

	big := publish(t, b, "b", strings.Repeat("y", 11)) // larger than the budget
	recovered, evs = replay(t, b, "b", broker.Position{}, big[0])
	require.False(t, recovered)
	require.Empty(t, evs, "an event larger than the budget is kept by no history")
	recovered, _ = replay(t, b, "b", broker.Position{Seq: big[0]}, big[0])
	require.True(t, recovered)
}

func TestInProcessReplayAfterEviction(t *testing.T) {
	b := broker.NewInProcess(broker.WithHistory(3))
	seq := publish(t, b, "r", "1", "2", "3", "4", "5")
	recovered, evs := replay(t, b, "r", broker.Position{Seq: seq[0]}, seq[4])
	require.False(t, recovered, "event 2 was evicted")
	require.Equal(t, seq[2:], seqs(evs))
	recovered, evs = replay(t, b, "r", broker.Position{Seq: seq[1]}, seq[4])
	require.True(t, recovered)
	require.Equal(t, seq[2:], seqs(evs))
}

// A room forgotten and made again numbers on from where the broker is: an
// old position is never taken for one of the new room's.
func TestInProcessRemadeRoomNeverReusesSeq(t *testing.T) {
	b := broker.NewInProcess(broker.WithKeep(time.Millisecond))
	old := publish(t, b, "r", "1", "2", "3")
	epoch := startOf(t, b, "r").Epoch
	publish(t, b, "other", "x")
	waitForgotten(t, b)
	remade := publish(t, b, "r", "again")
	require.Greater(t, remade[0], old[2], "a remade room never reuses a seq")
	require.Equal(t, epoch, startOf(t, b, "r").Epoch)
	recovered, evs := replay(t, b, "r", broker.Position{Epoch: epoch, Seq: old[1]}, remade[0])
	require.False(t, recovered, "event 3 went with the forgotten room")
	require.Equal(t, remade, seqs(evs))
	recovered, _ = replay(t, b, "fresh", broker.Position{}, 0)
	require.False(t, recovered, "a room made after a forgetting may have had a past")
}

// waitForgotten waits until b has forgotten every room: forgetting is a
// timer of the broker's own, with nothing to wait on but its result.
func waitForgotten(t *testing.T, b *broker.InProcess) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for b.Len() != 0 {
		require.True(t, time.Now().Before(deadline), "idle rooms were not forgotten")
		time.Sleep(time.Millisecond)
	}
}

func TestInProcessKeepsRoomsByDefault(t *testing.T) {
	var b broker.InProcess
	s, err := b.Subscribe(context.Background(), "r", broker.Handler{Event: func(broker.Event) {}})
	require.NoError(t, err)
	s.Close()
	seq := publish(t, &b, "r", "x")
	recovered, evs := replay(t, &b, "r", broker.Position{}, seq[0])
	require.True(t, recovered)
	require.Equal(t, seq, seqs(evs))
	require.Equal(t, 1, b.Len())
}

// Replays share the history's payloads: each batch's Data is the very
// slice that was published.
func TestInProcessReplaySharesData(t *testing.T) {
	var b broker.InProcess
	ctx := context.Background()
	var published [][]byte
	for i := range 600 {
		data := fmt.Appendf(nil, "%03d", i)
		_, err := b.Publish(ctx, "r", data)
		require.NoError(t, err)
		published = append(published, data)
	}
	for range 2 {
		rp, err := b.Replay(ctx, "r", broker.Position{}, ^uint64(0))
		require.NoError(t, err)
		var i, batches int
		for {
			batch, err := rp.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			batches++
			for _, ev := range batch {
				require.Same(t, &published[i][0], &ev.Data[0], "event %d", i)
				i++
			}
		}
		rp.Close()
		require.Equal(t, len(published), i)
		require.Greater(t, batches, 1, "read in batches")
	}
}

func TestInProcessForgetsIdleRooms(t *testing.T) {
	b := broker.NewInProcess(broker.WithKeep(time.Millisecond))
	s, err := b.Subscribe(context.Background(), "r", broker.Handler{Event: func(broker.Event) {}})
	require.NoError(t, err)
	publish(t, b, "r", "x")
	require.Equal(t, 1, b.Len(), "a room with a subscriber is kept")
	s.Close()
	waitForgotten(t, b)
}
