package flow_test

import (
	"context"
	"fmt"
	"github.com/wsflow/wsflow/internal/flowtest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/flow"
)

// joinRoom starts a member called name of room, whose input is published
// as "name: TEXT".
func joinRoom(rs *flow.Rooms[string], room, name string, opts ...flow.MemberOption[string]) *member {
	m := &member{seen: make(chan struct{}, 1<<16)}
	opts = append([]flow.MemberOption[string]{flow.Announce("* "+name+" joined", "* "+name+" left")}, opts...)
	f := flow.Via(flow.Map(func(s string) string { return name + ": " + s }), rs.Join(room, opts...))
	m.r = flow.Start(context.Background(), f, func(v string) error {
		m.mu.Lock()
		m.got = append(m.got, v)
		m.mu.Unlock()
		m.seen <- struct{}{}
		return nil
	})
	return m
}

// seqCodec makes each value received read "SEQ TEXT".
func seqCodec() flow.RoomsOption {
	return flow.WithCodec(func(s string) ([]byte, error) { return []byte(s), nil },
		func(ev broker.Event) (string, error) { return fmt.Sprintf("%d %s", ev.Seq, ev.Data), nil })
}

func TestRoomsOneOrderForAll(t *testing.T) {
	var rs flow.Rooms[string]
	names := []string{"ann", "bob", "cy"}
	var members []*member
	for _, n := range names {
		members = append(members, joinRoom(&rs, "a", n))
	}
	other := joinRoom(&rs, "b", "dee")
	require.Equal(t, 2, rs.Len())
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
		got := m.waitFor(t, total+len(names)-1-i)
		require.Len(t, got, total+len(names)-1-i)
		require.Equal(t, want, got[len(got)-total:])
	}
	require.Equal(t, []string{"* dee joined"}, other.waitFor(t, 1), "rooms are independent")
	for _, m := range append(members, other) {
		m.r.Stop()
	}
	require.Zero(t, rs.Len(), "a room is freed after its last member")
}

func TestRoomsPublishFromOutside(t *testing.T) {
	rs := flow.NewRooms[string](seqCodec())
	a := joinRoom(rs, "r", "ann")
	require.NoError(t, rs.Publish(context.Background(), "r", "server: hi"))
	require.Equal(t, []string{"1 * ann joined", "2 server: hi"}, a.waitFor(t, 2))
	require.Equal(t, 1, rs.Members("r"))
	a.r.Stop()
}

func TestRoomsSinceRecovers(t *testing.T) {
	rs := flow.NewRooms[string](seqCodec())
	ctx := context.Background()
	for i := 1; i <= 5; i++ {
		require.NoError(t, rs.Publish(ctx, "r", fmt.Sprint("m", i)))
	}
	a := joinRoom(rs, "r", "ann", flow.Since[string](2, "lost"))
	require.NoError(t, a.r.Push("back"))
	require.Equal(t, []string{"3 m3", "4 m4", "5 m5", "6 * ann joined", "7 ann: back"}, a.waitFor(t, 5))
	a.r.Stop()
}

func TestRoomsSinceBeyondHistory(t *testing.T) {
	rs := flow.NewRooms[string](seqCodec(), flow.WithBroker(broker.NewInProcess(broker.WithHistory(3))))
	ctx := context.Background()
	for i := 1; i <= 10; i++ {
		require.NoError(t, rs.Publish(ctx, "r", fmt.Sprint("m", i)))
	}
	a := joinRoom(rs, "r", "ann", flow.Since[string](2, "lost"))
	require.Equal(t, []string{"lost", "8 m8", "9 m9", "10 m10", "11 * ann joined"}, a.waitFor(t, 5))
	a.r.Stop()

	b := joinRoom(rs, "r", "bob", flow.Since[string](100, "lost")) // ahead of the room
	require.Equal(t, []string{"lost", "13 * bob joined"}, b.waitFor(t, 2))
	b.r.Stop()
}

func TestRoomsBoundMemberBytes(t *testing.T) {
	var rs flow.Rooms[[]byte]
	release := make(chan struct{})
	stuck := flow.Start(context.Background(), rs.Join("r"), func([]byte) error {
		<-release // a peer that never reads
		return nil
	})
	defer func() { close(release); stuck.Stop() }()
	msg := make([]byte, 64<<10)
	ctx := context.Background()
	for i := 1; i <= flow.DefaultMemberBytes/len(msg); i++ {
		require.NoError(t, rs.Publish(ctx, "r", msg))
		_, b := rs.Queued()
		require.Equal(t, i*len(msg), b)
		require.False(t, flowtest.IsDone(stuck), "closed after %d messages", i)
	}
	require.NoError(t, rs.Publish(ctx, "r", msg))
	require.True(t, flowtest.IsDone(stuck))
	require.ErrorIs(t, stuck.Err(), flow.ErrTooSlow)
	n, b := rs.Queued()
	require.Zero(t, n)
	require.Zero(t, b)
}

func TestRoomsCodecOfAnotherType(t *testing.T) {
	require.Panics(t, func() {
		flow.NewRooms[[]byte](seqCodec())
	})
}

func TestRoomsDefaultJSONCodec(t *testing.T) {
	type note struct{ Text string }
	var rs flow.Rooms[note]
	p := flowtest.NewPeer[note]()
	r := flow.Start(context.Background(), rs.Join("r"), p.Emit)
	require.NoError(t, rs.Publish(context.Background(), "r", note{"hi"}))
	require.NoError(t, r.Push(note{"there"}))
	require.Equal(t, note{"hi"}, flowtest.Receive(t, p.Got))
	require.Equal(t, note{"there"}, flowtest.Receive(t, p.Got))
	p.HangUp()
	r.Stop()
}

func TestRoomsDecodeOncePerEvent(t *testing.T) {
	var decodes atomic.Int64
	rs := flow.NewRooms[string](flow.WithCodec(
		func(s string) ([]byte, error) { return []byte(s), nil },
		func(ev broker.Event) (string, error) { decodes.Add(1); return string(ev.Data), nil }))
	var peers []*flowtest.Peer[string]
	var runs []*flow.Running[string]
	for range 3 {
		p := flowtest.NewPeer[string]()
		peers = append(peers, p)
		runs = append(runs, flow.Start(context.Background(), rs.Join("r"), p.Emit))
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

func TestRoomsMemberLimits(t *testing.T) {
	rs := flow.NewRooms[string](flow.WithRoomMemberLimits(2, 0))
	release := make(chan struct{})
	stuck := flow.Start(context.Background(), rs.Join("r"), func(string) error { <-release; return nil })
	defer func() { close(release); stuck.Stop() }()
	ctx := context.Background()
	require.NoError(t, rs.Publish(ctx, "r", "1"))
	require.NoError(t, rs.Publish(ctx, "r", "2"))
	require.False(t, flowtest.IsDone(stuck))
	require.NoError(t, rs.Publish(ctx, "r", "3"))
	require.True(t, flowtest.IsDone(stuck))
	require.ErrorIs(t, stuck.Err(), flow.ErrTooSlow)
}
