package rooms_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/internal/flowtest"
	"github.com/wsflow/wsflow/rooms"
)

// seqCodec makes each value received read "SEQ TEXT".
func seqCodec() rooms.Codec[string] {
	return rooms.Codec[string]{
		Encode: func(s string) ([]byte, error) { return []byte(s), nil },
		Decode: func(ev broker.Event) (string, error) { return fmt.Sprintf("%d %s", ev.Seq, ev.Data), nil },
	}
}

// resumed is the first message of a member that Resumes.
func resumed(epoch string, recovered bool) string {
	return fmt.Sprintf("resumed %v", recovered)
}

func TestOneOrderForAll(t *testing.T) {
	var rs rooms.Rooms[string]
	names := []string{"ann", "bob", "cy"}
	var members []*member
	for i, n := range names {
		members = append(members, join(t, &rs, "a", n, 1))
		for j, m := range members[:i] {
			m.waitFor(t, i-j+1) // every join is seen before the next
		}
	}
	other := join(t, &rs, "b", "dee", 1)
	require.Equal(t, 2, rs.Len())
	require.Equal(t, 3, rs.Members("a"))
	const each = 300
	var wg sync.WaitGroup
	for i, m := range members {
		wg.Go(func() {
			for j := range each {
				require.NoError(t, m.r.Push(fmt.Sprint(names[i], j)))
			}
		})
	}
	wg.Wait()
	total := 1 + len(names)*each
	want := members[2].waitFor(t, total)
	require.Equal(t, "* cy joined", want[0])
	for i, m := range members[:2] {
		got := m.waitFor(t, total+len(names)-1-i) // earlier joiners also saw later joins
		require.Len(t, got, total+len(names)-1-i)
		require.Equal(t, want, got[len(got)-total:])
	}
	// Each member's own messages arrive in the order it sent them.
	for i, n := range names {
		next := 0
		for _, v := range want {
			if v == fmt.Sprintf("%s: %s%d", n, n, next) {
				next++
			}
		}
		require.Equal(t, each, next, "member %d", i)
	}
	require.Equal(t, []string{"* dee joined"}, other.waitFor(t, 1), "rooms are independent")
	for _, m := range append(members, other) {
		m.r.Stop()
	}
	require.Zero(t, rs.Len(), "a room is let go after its last member")
}

func TestAnnouncesLeaving(t *testing.T) {
	var rs rooms.Rooms[string]
	a := join(t, &rs, "r", "ann", 1)
	b := join(t, &rs, "r", "bob", 1)
	b.r.Stop()
	require.Equal(t, []string{"* ann joined", "* bob joined", "* bob left"}, a.waitFor(t, 3))
	a.r.Stop()
}

func TestZeroValue(t *testing.T) {
	var rs rooms.Rooms[string]
	require.NoError(t, rs.Publish(context.Background(), "r", "nobody hears this"))
	a := join(t, &rs, "r", "ann", 1)
	require.NoError(t, a.r.Push("hi"))
	require.Equal(t, []string{"* ann joined", "ann: hi"}, a.waitFor(t, 2))
	require.Equal(t, 1, rs.Len())
	a.r.Stop()
	require.Zero(t, rs.Len())
}

func TestPublishFromOutside(t *testing.T) {
	rs := rooms.New(rooms.Config[string]{Codec: seqCodec()})
	a := join(t, rs, "r", "ann", 1)
	require.NoError(t, rs.Publish(context.Background(), "r", "server: hi"))
	require.Equal(t, []string{"1 * ann joined", "2 server: hi"}, a.waitFor(t, 2))
	require.Equal(t, 1, rs.Members("r"))
	a.r.Stop()
}

func TestGreetWithEpoch(t *testing.T) {
	b := broker.NewInProcess()
	rs := rooms.New(rooms.Config[string]{Broker: b, Codec: seqCodec()})
	a := join(t, rs, "r", "ann", 2, rooms.Greet(func(epoch string) string { return "epoch " + epoch }))
	got := a.waitFor(t, 2)
	a.r.Stop()
	sub, err := b.Subscribe(context.Background(), "r", broker.Handler{Event: func(broker.Event) {}})
	require.NoError(t, err)
	defer sub.Close()
	require.Equal(t, []string{"epoch " + sub.Start().Epoch, "1 * ann joined"}, got)
}

func TestResumeRecovers(t *testing.T) {
	rs := rooms.New(rooms.Config[string]{Codec: seqCodec()})
	ctx := context.Background()
	for i := 1; i <= 5; i++ {
		require.NoError(t, rs.Publish(ctx, "r", fmt.Sprint("m", i)))
	}
	a := join(t, rs, "r", "ann", 5, rooms.Resume(broker.Position{Seq: 2}, resumed))
	require.NoError(t, a.r.Push("back"))
	require.Equal(t, []string{"resumed true", "3 m3", "4 m4", "5 m5", "6 * ann joined", "7 ann: back"}, a.waitFor(t, 6))
	a.r.Stop()
}

func TestResumeBeyondHistory(t *testing.T) {
	rs := rooms.New(rooms.Config[string]{Codec: seqCodec(), Broker: broker.NewInProcess(broker.WithHistory(3))})
	ctx := context.Background()
	for i := 1; i <= 10; i++ {
		require.NoError(t, rs.Publish(ctx, "r", fmt.Sprint("m", i)))
	}
	a := join(t, rs, "r", "ann", 5, rooms.Resume(broker.Position{Seq: 2}, resumed))
	require.Equal(t, []string{"resumed false", "8 m8", "9 m9", "10 m10", "11 * ann joined"}, a.waitFor(t, 5))
	a.r.Stop()

	b := join(t, rs, "r", "bob", 2, rooms.Resume(broker.Position{Seq: 100}, resumed)) // ahead of the room
	require.Equal(t, []string{"resumed false", "13 * bob joined"}, b.waitFor(t, 2))
	b.r.Stop()

	c := join(t, rs, "r", "cy", 5, rooms.Resume(broker.Position{Epoch: "another", Seq: 12}, resumed))
	require.Equal(t, []string{"resumed false", "12 * ann left", "13 * bob joined", "14 * bob left", "15 * cy joined"}, c.waitFor(t, 5),
		"another epoch: everything the history holds")
	c.r.Stop()
}

// startStuck starts a member of room whose peer takes its first message
// (the greeting: the member has joined) and then nothing until the test
// ends.
func startStuck[T any](t *testing.T, rs *rooms.Rooms[T], room string, greet T) *flow.Running[T] {
	t.Helper()
	release := make(chan struct{})
	greeted := make(chan struct{})
	first := true
	stuck := flow.Start(context.Background(), rs.Join(room, rooms.Greet(func(string) T { return greet })), func(T) error {
		if first {
			first = false
			close(greeted)
			return nil
		}
		<-release // a peer that never reads
		return nil
	})
	t.Cleanup(func() { close(release); stuck.Stop() })
	flowtest.Receive(t, greeted)
	return stuck
}

func TestBoundsMemberBytes(t *testing.T) {
	var rs rooms.Rooms[[]byte]
	stuck := startStuck(t, &rs, "r", nil)
	msg := make([]byte, 64<<10)
	ctx := context.Background()
	for i := 1; i <= rooms.DefaultBytes/len(msg); i++ {
		require.NoError(t, rs.Publish(ctx, "r", msg))
		_, b := rs.Queued()
		require.Equal(t, i*len(msg), b)
		require.False(t, flowtest.IsDone(stuck), "closed after %d messages", i)
	}
	require.NoError(t, rs.Publish(ctx, "r", msg)) // one more than 8 MiB
	flowtest.WaitDone(t, stuck)
	require.ErrorIs(t, stuck.Err(), rooms.ErrTooSlow)
	n, b := rs.Queued()
	require.Zero(t, n, "the closed member's queue is freed")
	require.Zero(t, b)
}

func TestBoundsMemberMessages(t *testing.T) {
	rs := rooms.New(rooms.Config[string]{Limits: rooms.Limits{Messages: 2}})
	stuck := startStuck(t, rs, "r", "")
	ctx := context.Background()
	require.NoError(t, rs.Publish(ctx, "r", "1"))
	require.NoError(t, rs.Publish(ctx, "r", "2"))
	require.False(t, flowtest.IsDone(stuck))
	require.NoError(t, rs.Publish(ctx, "r", "3"))
	flowtest.WaitDone(t, stuck)
	require.ErrorIs(t, stuck.Err(), rooms.ErrTooSlow)
}

func TestClosesSlowMemberOnly(t *testing.T) {
	rs := rooms.New(rooms.Config[string]{Limits: rooms.Limits{Messages: 4}})
	stuck := startStuck(t, rs, "r", "")
	fast := join(t, rs, "r", "fast", 1)
	// The stuck member's writer takes one message and blocks on it; three
	// more fill its queue; the next overflows it.
	for i := range 5 {
		require.NoError(t, fast.r.Push(fmt.Sprint(i)))
		fast.waitFor(t, 2+i) // the fast member keeps up
	}
	flowtest.WaitDone(t, stuck)
	require.ErrorIs(t, stuck.Err(), rooms.ErrTooSlow)
	require.Equal(t, []string{"* fast joined", "fast: 0", "fast: 1", "fast: 2", "fast: 3", "fast: 4"}, fast.waitFor(t, 6))
	fast.r.Stop()
}

// Replaying the history is not falling behind: a member that resumes with
// far more history than its limits allow gets all of it as its socket
// takes it.
func TestReplayDoesNotCountAgainstLimits(t *testing.T) {
	rs := rooms.New(rooms.Config[string]{Codec: seqCodec(), Limits: rooms.Limits{Messages: 2, Bytes: 16}})
	ctx := context.Background()
	for i := 1; i <= 600; i++ {
		require.NoError(t, rs.Publish(ctx, "r", fmt.Sprintf("message %d", i)))
	}
	p := flowtest.NewPeer[string]()
	r := flow.Start(ctx, rs.Join("r", rooms.Resume(broker.Position{}, resumed)), p.Emit)
	require.Equal(t, "resumed true", flowtest.Receive(t, p.Got))
	for i := 1; i <= 600; i++ {
		require.Equal(t, fmt.Sprintf("%d message %d", i, i), flowtest.Receive(t, p.Got))
	}
	require.False(t, flowtest.IsDone(r))
	p.HangUp()
	r.Stop()
}

func TestQueuedFallsAsMembersWrite(t *testing.T) {
	var rs rooms.Rooms[string]
	got, next := make(chan string), make(chan struct{})
	r := flow.Start(context.Background(), rs.Join("r", rooms.Greet(func(string) string { return "hi" })), func(v string) error {
		got <- v
		select { // the write takes until the test lets it finish
		case <-next:
			return nil
		case <-time.After(flowtest.Patience):
			return flowtest.ErrHungUp
		}
	})
	require.Equal(t, "hi", flowtest.Receive(t, got))
	next <- struct{}{}
	require.NoError(t, rs.Publish(context.Background(), "r", "abc"))
	require.NoError(t, rs.Publish(context.Background(), "r", "de"))
	require.Equal(t, "abc", flowtest.Receive(t, got))
	n, b := rs.Queued()
	require.Equal(t, 2, n, "a message being written still counts")
	require.Equal(t, 5, b)
	next <- struct{}{}
	require.Equal(t, "de", flowtest.Receive(t, got))
	n, b = rs.Queued()
	require.Equal(t, 1, n)
	require.Equal(t, 2, b)
	next <- struct{}{}
	r.Stop()
	n, b = rs.Queued()
	require.Zero(t, n)
	require.Zero(t, b)
}

func TestDefaultJSONCodec(t *testing.T) {
	type note struct{ Text string }
	var rs rooms.Rooms[note]
	p := flowtest.NewPeer[note]()
	r := flow.Start(context.Background(), rs.Join("r", rooms.Greet(func(string) note { return note{"greeted"} })), p.Emit)
	require.Equal(t, note{"greeted"}, flowtest.Receive(t, p.Got))
	require.NoError(t, rs.Publish(context.Background(), "r", note{"hi"}))
	require.NoError(t, r.Push(note{"there"}))
	require.Equal(t, note{"hi"}, flowtest.Receive(t, p.Got))
	require.Equal(t, note{"there"}, flowtest.Receive(t, p.Got))
	p.HangUp()
	r.Stop()
}

func TestDecodeOncePerEvent(t *testing.T) {
	var decodes atomic.Int64
	rs := rooms.New(rooms.Config[string]{Codec: rooms.Codec[string]{
		Encode: func(s string) ([]byte, error) { return []byte(s), nil },
		Decode: func(ev broker.Event) (string, error) { decodes.Add(1); return string(ev.Data), nil },
	}})
	var peers []*flowtest.Peer[string]
	var runs []*flow.Running[string]
	for range 3 {
		p := flowtest.NewPeer[string]()
		peers = append(peers, p)
		runs = append(runs, flow.Start(context.Background(), rs.Join("r", rooms.Greet(func(string) string { return "" })), p.Emit))
		require.Empty(t, flowtest.Receive(t, p.Got))
	}
	for i := range 10 {
		require.NoError(t, rs.Publish(context.Background(), "r", fmt.Sprint(i)))
	}
	for _, p := range peers {
		for i := range 10 {
			require.Equal(t, fmt.Sprint(i), flowtest.Receive(t, p.Got))
		}
		p.HangUp()
	}
	for _, r := range runs {
		r.Stop()
	}
	require.Equal(t, int64(10), decodes.Load(), "one decode per event, not per member")
}

// unavailable is a broker that cannot carry rooms.
type unavailable struct{ broker.InProcess }

func (*unavailable) Available() error { return broker.ErrUnavailable }

func TestUnavailableBroker(t *testing.T) {
	rs := rooms.New(rooms.Config[string]{Broker: &unavailable{}})
	require.ErrorIs(t, rs.Available(), broker.ErrUnavailable)
	_, err := flow.Collect(flowtest.Context(t), rs.Join("r"), []string{"hi"})
	require.ErrorIs(t, err, broker.ErrUnavailable)
	require.Zero(t, rs.Len())
}

// lagging is a broker whose live feed starts before an event that another
// server published just before the member's hello, as a feed across
// servers can: the event comes to the feed after its Start.
type lagging struct{ broker.InProcess }

func (b *lagging) Subscribe(ctx context.Context, room string, h broker.Handler) (broker.Subscription, error) {
	sub, err := b.InProcess.Subscribe(ctx, room, h)
	if err == nil {
		_, err = b.InProcess.Publish(ctx, room, []byte("from another server, before the hello"))
	}
	return sub, err
}

// A member without Resume receives the room from its own hello on, even
// when its feed started before events published ahead of the hello.
func TestAnnouncedMemberStartsAtItsHello(t *testing.T) {
	rs := rooms.New(rooms.Config[string]{Broker: &lagging{}})
	ann := join(t, rs, "a", "ann", 1)
	require.Equal(t, []string{"* ann joined"}, ann.waitFor(t, 1))
	require.NoError(t, ann.r.Push("hi"))
	require.Equal(t, []string{"* ann joined", "ann: hi"}, ann.waitFor(t, 2))
	ann.r.Stop()
}
