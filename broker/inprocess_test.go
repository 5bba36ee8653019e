package broker_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/broker"
)

// recorder is a Handler that records what it receives.
type recorder struct {
	mu   sync.Mutex
	got  []broker.Event
	more chan struct{}
}

func newRecorder() *recorder { return &recorder{more: make(chan struct{}, 1)} }

func (r *recorder) handler() broker.Handler {
	return broker.Handler{Event: func(ev broker.Event) {
		r.mu.Lock()
		r.got = append(r.got, ev)
		r.mu.Unlock()
		select {
		case r.more <- struct{}{}:
		default:
		}
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

func TestInProcessOneOrderConsecutive(t *testing.T) {
	var b broker.InProcess
	ctx := context.Background()
	a, c := newRecorder(), newRecorder()
	sa, err := b.Subscribe(ctx, "r", 0, a.handler())
	require.NoError(t, err)
	sc, err := b.Subscribe(ctx, "r", 0, c.handler())
	require.NoError(t, err)
	var wg sync.WaitGroup
	for p := range 4 {
		wg.Go(func() {
			for i := range 250 {
				_, err := b.Publish(ctx, "r", fmt.Appendf(nil, "%d-%d", p, i))
				require.NoError(t, err)
			}
		})
	}
	wg.Wait()
	sa.Close()
	sc.Close()
	got := a.events()
	require.Len(t, got, 1000)
	for i, ev := range got {
		require.Equal(t, uint64(i+1), ev.Seq)
	}
	require.Equal(t, got, c.events())
	latest, err := b.Latest(ctx, "r")
	require.NoError(t, err)
	require.Equal(t, uint64(1000), latest)
	other, err := b.Latest(ctx, "other")
	require.NoError(t, err)
	require.Zero(t, other)
}

func TestInProcessRecovery(t *testing.T) {
	b := broker.NewInProcess(broker.WithHistory(5))
	ctx := context.Background()
	for range 8 { // history holds 4..8
		_, err := b.Publish(ctx, "r", []byte("x"))
		require.NoError(t, err)
	}
	for _, tc := range []struct {
		after     uint64
		recovered bool
		want      []uint64
	}{
		{3, true, []uint64{4, 5, 6, 7, 8}},
		{6, true, []uint64{7, 8}},
		{8, true, nil},
		{2, false, []uint64{4, 5, 6, 7, 8}},
		{0, false, []uint64{4, 5, 6, 7, 8}},
		{9, false, nil},
	} {
		r := newRecorder()
		s, err := b.Subscribe(ctx, "r", tc.after, r.handler())
		require.NoError(t, err)
		require.Equal(t, tc.recovered, s.Recovered(), "after %d", tc.after)
		require.Equal(t, tc.want, seqs(r.events()), "after %d", tc.after)
		s.Close()
	}
	// A new room recovers from 0.
	s, err := b.Subscribe(ctx, "new", 0, newRecorder().handler())
	require.NoError(t, err)
	require.True(t, s.Recovered())
	s.Close()
}

func TestInProcessLiveAfterHistory(t *testing.T) {
	var b broker.InProcess
	ctx := context.Background()
	for range 3 {
		_, err := b.Publish(ctx, "r", nil)
		require.NoError(t, err)
	}
	r := newRecorder()
	s, err := b.Subscribe(ctx, "r", 1, r.handler())
	require.NoError(t, err)
	_, err = b.Publish(ctx, "r", nil)
	require.NoError(t, err)
	s.Close()
	_, err = b.Publish(ctx, "r", nil) // not delivered after Close
	require.NoError(t, err)
	require.Equal(t, []uint64{2, 3, 4}, seqs(r.events()))
}

func TestInProcessForgetsIdleRooms(t *testing.T) {
	b := broker.NewInProcess(broker.WithKeep(time.Millisecond))
	ctx := context.Background()
	s, err := b.Subscribe(ctx, "r", 0, newRecorder().handler())
	require.NoError(t, err)
	_, err = b.Publish(ctx, "r", nil)
	require.NoError(t, err)
	require.Equal(t, 1, b.Len(), "a room with a subscriber is kept")
	s.Close()
	deadline := time.Now().Add(10 * time.Second)
	for b.Len() != 0 { // forgetting is a timer of the broker's own
		require.True(t, time.Now().Before(deadline), "the idle room was not forgotten")
		time.Sleep(time.Millisecond)
	}
	seq, err := b.Publish(ctx, "r", nil)
	require.NoError(t, err)
	require.Equal(t, uint64(1), seq, "a room made again starts again at 1")
}

func TestInProcessKeepsRoomsByDefault(t *testing.T) {
	var b broker.InProcess
	ctx := context.Background()
	s, err := b.Subscribe(ctx, "r", 0, newRecorder().handler())
	require.NoError(t, err)
	s.Close()
	seq, err := b.Publish(ctx, "r", nil)
	require.NoError(t, err)
	s, err = b.Subscribe(ctx, "r", 0, newRecorder().handler())
	require.NoError(t, err)
	require.True(t, s.Recovered())
	s.Close()
	require.Equal(t, uint64(1), seq)
	require.Equal(t, 1, b.Len())
}

func TestInProcessAheadOfRoomThenLive(t *testing.T) {
	var b broker.InProcess
	ctx := context.Background()
	_, err := b.Publish(ctx, "r", nil)
	require.NoError(t, err)
	r := newRecorder()
	s, err := b.Subscribe(ctx, "r", 50, r.handler())
	require.NoError(t, err)
	defer s.Close()
	require.False(t, s.Recovered())
	_, err = b.Publish(ctx, "r", nil)
	require.NoError(t, err)
	require.Equal(t, []uint64{2}, seqs(r.events()))
}
