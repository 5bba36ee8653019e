package natsbroker_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/flow"
)

// roomMember is one running member of flow.Rooms and what it received.
type roomMember struct {
	r    *flow.Running[string]
	mu   sync.Mutex
	got  []string
	more chan struct{}
}

func (m *roomMember) values() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.got...)
}

func (m *roomMember) waitFor(t *testing.T, n int) []string {
	t.Helper()
	timeout := time.After(patience)
	for {
		if got := m.values(); len(got) >= n {
			return got
		}
		select {
		case <-m.more:
		case <-timeout:
			t.Fatalf("%d messages of %d arrived", len(m.values()), n)
		}
	}
}

// Three members on each of two servers send at once: all six receive one
// identical sequence, numbered 1, 2, 3, ... with nothing lost.
func TestRoomsOnTwoServersOneOrder(t *testing.T) {
	ns := startNATS(t, t.TempDir(), -1)
	codec := flow.WithCodec(func(s string) ([]byte, error) { return []byte(s), nil },
		func(ev broker.Event) (string, error) { return fmt.Sprintf("%d %s", ev.Seq, ev.Data), nil })
	servers := []*flow.Rooms[string]{
		flow.NewRooms[string](codec, flow.WithBroker(connect(t, ns.ClientURL()))),
		flow.NewRooms[string](codec, flow.WithBroker(connect(t, ns.ClientURL()))),
	}
	ctx := context.Background()
	// Everyone joins before anyone sends, so that all see every message.
	var members []*roomMember
	for i := range 6 {
		m := &roomMember{more: make(chan struct{}, 1)}
		m.r = flow.Start(ctx, servers[i%2].Join("lobby"), func(v string) error {
			m.mu.Lock()
			m.got = append(m.got, v)
			m.mu.Unlock()
			select {
			case m.more <- struct{}{}:
			default:
			}
			return nil
		})
		members = append(members, m)
	}
	const each = 200
	var wg sync.WaitGroup
	for i, m := range members {
		wg.Go(func() {
			for j := range each {
				require.NoError(t, m.r.Push(fmt.Sprintf("m%d-%d", i, j)))
			}
		})
	}
	wg.Wait()
	want := members[0].waitFor(t, 6*each)
	for i, v := range want {
		require.Regexp(t, fmt.Sprintf(`^%d m\d-\d+$`, i+1), v)
	}
	for _, m := range members[1:] {
		require.Equal(t, want, m.waitFor(t, 6*each))
	}
	for _, m := range members {
		m.r.Stop()
	}
	require.Zero(t, servers[0].Len())
	require.Zero(t, servers[1].Len())
}

// A member cut on one server comes back on the other with the last seq it
// saw and receives exactly what it missed, then its own joined.
func TestRoomsRecoveryAcrossServers(t *testing.T) {
	ns := startNATS(t, t.TempDir(), -1)
	codec := flow.WithCodec(func(s string) ([]byte, error) { return []byte(s), nil },
		func(ev broker.Event) (string, error) { return fmt.Sprintf("%d %s", ev.Seq, ev.Data), nil })
	a := flow.NewRooms[string](codec, flow.WithBroker(connect(t, ns.ClientURL())))
	b := flow.NewRooms[string](codec, flow.WithBroker(connect(t, ns.ClientURL())))
	ctx := context.Background()
	start := func(rs *flow.Rooms[string], opts ...flow.MemberOption[string]) *roomMember {
		m := &roomMember{more: make(chan struct{}, 1)}
		m.r = flow.Start(ctx, rs.Join("r", opts...), func(v string) error {
			m.mu.Lock()
			m.got = append(m.got, v)
			m.mu.Unlock()
			select {
			case m.more <- struct{}{}:
			default:
			}
			return nil
		})
		return m
	}
	ann := start(a, flow.Announce("+ann", "-ann"))
	require.NoError(t, ann.r.Push("one"))
	require.Equal(t, []string{"1 +ann", "2 one"}, ann.waitFor(t, 2))
	ann.r.Stop() // cut: its goodbye is event 3
	for _, m := range []string{"four", "five"} {
		require.NoError(t, b.Publish(ctx, "r", m))
	}
	back := start(b, flow.Announce("+ann", "-ann"), flow.Since(2, "lost"))
	require.Equal(t, []string{"3 -ann", "4 four", "5 five", "6 +ann"}, back.waitFor(t, 4))
	require.NoError(t, back.r.Push("six"))
	require.Equal(t, "7 six", back.waitFor(t, 5)[4])
	back.r.Stop()

	old := start(a, flow.Since(100, "lost"))
	require.NoError(t, b.Publish(ctx, "r", "nine"))
	require.Equal(t, []string{"lost", "9 nine"}, old.waitFor(t, 2))
	old.r.Stop()
}
