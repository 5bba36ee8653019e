package rooms_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/internal/flowrun"
	"github.com/wsflow/wsflow/internal/flowtest"
	"github.com/wsflow/wsflow/rooms"
)

// recordingBatcher records holds, releases and emits in the order they
// happen.
type recordingBatcher struct {
	mu     sync.Mutex
	events []string
}

func (b *recordingBatcher) add(e string) {
	b.mu.Lock()
	b.events = append(b.events, e)
	b.mu.Unlock()
}

func (b *recordingBatcher) Hold()    { b.add("hold") }
func (b *recordingBatcher) Release() { b.add("release") }

func (b *recordingBatcher) recorded() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.events...)
}

// queueBehindM0 publishes m0 to room r, waits for the member's emit to
// take it (first), publishes m1 to m4 while that emit waits, so that they
// queue up behind it, and lets it go on (unblock).
func queueBehindM0(t *testing.T, rs *rooms.Rooms[string], first, unblock chan struct{}) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, rs.Publish(ctx, "r", "m0"))
	flowtest.Receive(t, first)
	for i := 1; i <= 4; i++ {
		require.NoError(t, rs.Publish(ctx, "r", fmt.Sprint("m", i)))
	}
	close(unblock)
}

// TestMemberBatchesWhatIsQueued shows a member holding the output around
// everything queued for it, when the member leads straight to the output,
// and not when a stage of its own goroutine lies between.
func TestMemberBatchesWhatIsQueued(t *testing.T) {
	for _, c := range []struct {
		name    string
		after   flow.Flow[string, string]
		batched bool
	}{
		{"straight to the output", flow.Identity[string](), true},
		{"through a fused stage", flow.Map(func(s string) string { return s }), true},
		{"through a Buffer", flow.Buffer[string](1, flow.Backpressure), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var rs rooms.Rooms[string]
			b := &recordingBatcher{}
			first := make(chan struct{})
			unblock := make(chan struct{})
			got := make(chan struct{}, 16)
			greet := rooms.Greet(func(string) string { return "hi" })
			r := flow.Start(flowrun.NewContext(context.Background(), flowrun.Options{Batcher: b}), flow.Via(rs.Join("r", greet), c.after), func(v string) error {
				b.add(v)
				if v == "m0" {
					close(first)
					<-unblock // the rest queue up meanwhile
				}
				got <- struct{}{}
				return nil
			})
			defer r.Stop()
			flowtest.Receive(t, got) // joined
			queueBehindM0(t, &rs, first, unblock)
			for range 5 {
				flowtest.Receive(t, got)
			}
			events := b.recorded()
			if c.batched {
				require.Equal(t, []string{"hi", "m0", "hold", "m1", "m2", "m3", "m4", "release"}, events)
				return
			}
			require.NotContains(t, events, "hold")
			require.Equal(t, []string{"hi", "m0", "m1", "m2", "m3", "m4"}, events)
		})
	}
}

// TestReplayIsNotHeld shows a resuming member writing the history as it
// goes: the output is not held around a replay's batch, so a socket that
// takes nothing keeps one event of it waiting, not a batch.
func TestReplayIsNotHeld(t *testing.T) {
	var rs rooms.Rooms[string]
	ctx := context.Background()
	for i := range 3 {
		require.NoError(t, rs.Publish(ctx, "r", fmt.Sprint("m", i)))
	}
	b := &recordingBatcher{}
	got := make(chan struct{}, 16)
	resume := rooms.Resume(broker.Position{}, func(string, bool) string { return "back" })
	r := flow.Start(flowrun.NewContext(ctx, flowrun.Options{Batcher: b}), rs.Join("r", resume), func(v string) error {
		b.add(v)
		got <- struct{}{}
		return nil
	})
	defer r.Stop()
	for range 4 {
		flowtest.Receive(t, got)
	}
	require.Equal(t, []string{"back", "m0", "m1", "m2"}, b.recorded())
}

// queuedAtRelease records, at each Release, how many messages its Rooms
// count as waiting to be written.
type queuedAtRelease struct {
	rs       *rooms.Rooms[string]
	released chan int
}

func (b *queuedAtRelease) Hold() {}
func (b *queuedAtRelease) Release() {
	n, _ := b.rs.Queued()
	b.released <- n
}

// TestQueuedCountsAHeldBatchUntilReleased shows the messages of a held
// batch counted as waiting until the output is released (the socket
// writes them then), and counted written once it is.
func TestQueuedCountsAHeldBatchUntilReleased(t *testing.T) {
	var rs rooms.Rooms[string]
	b := &queuedAtRelease{rs: &rs, released: make(chan int, 1)}
	first, unblock := make(chan struct{}), make(chan struct{})
	queued := make(chan int, 16) // at each emit
	greet := rooms.Greet(func(string) string { return "hi" })
	r := flow.Start(flowrun.NewContext(context.Background(), flowrun.Options{Batcher: b}), rs.Join("r", greet), func(v string) error {
		if v == "m0" {
			close(first)
			<-unblock // the rest queue up meanwhile
		}
		n, _ := rs.Queued()
		queued <- n
		return nil
	})
	defer r.Stop()
	require.Equal(t, 0, flowtest.Receive(t, queued)) // greeted
	queueBehindM0(t, &rs, first, unblock)
	for range 5 {
		flowtest.Receive(t, queued)
	}
	require.Equal(t, 4, flowtest.Receive(t, b.released), "the held batch counts until its release")
	require.NoError(t, rs.Publish(context.Background(), "r", "m5"))
	require.Equal(t, 1, flowtest.Receive(t, queued), "only m5, being written, counts")
}
