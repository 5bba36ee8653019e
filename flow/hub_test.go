package flow_test

import (
	"context"
	"fmt"
	"github.com/wsflow/wsflow/internal/flowtest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/flow"
)

// member is one running hub member and what it has received.
type member struct {
	r    *flow.Running[string]
	mu   sync.Mutex
	got  []string
	seen chan struct{}
}

func join(h *flow.Hub[string], name string) *member {
	m := &member{seen: make(chan struct{}, 1<<16)}
	f := flow.Via(flow.Map(func(s string) string { return name + ": " + s }),
		h.Join(flow.Announce("* "+name+" joined", "* "+name+" left")))
	m.r = flow.Start(context.Background(), f, func(v string) error {
		m.mu.Lock()
		m.got = append(m.got, v)
		m.mu.Unlock()
		m.seen <- struct{}{}
		return nil
	})
	return m
}

func (m *member) waitFor(t *testing.T, n int) []string {
	t.Helper()
	for {
		m.mu.Lock()
		got := append([]string(nil), m.got...)
		m.mu.Unlock()
		if len(got) >= n {
			return got
		}
		flowtest.Receive(t, m.seen)
	}
}

func TestHubOneOrderForAll(t *testing.T) {
	h := flow.NewHub[string]()
	names := []string{"ann", "bob", "cy"}
	var members []*member
	for _, n := range names {
		members = append(members, join(h, n))
	}
	const each = 300
	var wg sync.WaitGroup
	for i, m := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range each {
				require.NoError(t, m.r.Push(fmt.Sprint(names[i], j)))
			}
		}()
	}
	wg.Wait()
	// The last joiner sees its own join and everything after it.
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
	for _, m := range members {
		m.r.Stop()
	}
	require.Equal(t, 0, h.Len())
}

func TestHubAnnouncesLeaving(t *testing.T) {
	h := flow.NewHub[string]()
	a := join(h, "ann")
	b := join(h, "bob")
	b.r.Stop()
	require.Equal(t, []string{"* ann joined", "* bob joined", "* bob left"}, a.waitFor(t, 3))
	a.r.Stop()
}

func TestHubClosesSlowMemberOnly(t *testing.T) {
	h := flow.NewHub[string](flow.WithMemberBuffer(4))
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	slow := flow.Start(context.Background(), h.Join(), func(string) error {
		select {
		case entered <- struct{}{}:
		default:
		}
		<-release
		return nil
	})
	fast := join(h, "fast")
	// The slow member's writer takes one message and blocks on it; four
	// more fill its buffer; the next overflows it.
	require.NoError(t, fast.r.Push("0"))
	flowtest.Receive(t, entered)
	fast.waitFor(t, 2)
	for i := 1; i <= 5; i++ {
		require.NoError(t, fast.r.Push(fmt.Sprint(i)))
		fast.waitFor(t, 2+i) // the fast member keeps up
	}
	flowtest.WaitDone(t, slow)
	close(release)
	require.ErrorIs(t, slow.Stop(), flow.ErrTooSlow)
	got := fast.waitFor(t, 7)
	require.Equal(t, []string{"* fast joined", "fast: 0", "fast: 1", "fast: 2", "fast: 3", "fast: 4", "fast: 5"}, got)
	require.Equal(t, 1, h.Len())
	fast.r.Stop()
}

func TestHubBoundsMemberBytes(t *testing.T) {
	h := flow.NewHub[[]byte]()
	release := make(chan struct{})
	stuck := flow.Start(context.Background(), h.Join(), func([]byte) error {
		<-release // a peer that never reads
		return nil
	})
	defer func() { close(release); stuck.Stop() }()
	msg := make([]byte, 64<<10)
	const fits = flow.DefaultMemberBytes / (64 << 10) // 128
	for i := 1; i <= fits; i++ {
		h.Publish(msg)
		n, b := h.Queued()
		require.Equal(t, i, n)
		require.Equal(t, i*len(msg), b)
		require.False(t, flowtest.IsDone(stuck), "closed after %d messages", i)
	}
	h.Publish(msg) // one more than 8 MiB
	require.True(t, flowtest.IsDone(stuck))
	require.ErrorIs(t, stuck.Err(), flow.ErrTooSlow)
	n, b := h.Queued()
	require.Zero(t, n, "the closed member's queue is freed")
	require.Zero(t, b)
	require.Zero(t, h.Len())
}

func TestHubBoundsMemberBytesWithSize(t *testing.T) {
	type msg struct{ body string }
	h := flow.NewHub[msg](flow.WithMemberBytes(10),
		flow.WithMessageSize(func(m msg) int { return len(m.body) }))
	release := make(chan struct{})
	stuck := flow.Start(context.Background(), h.Join(), func(msg) error { <-release; return nil })
	defer func() { close(release); stuck.Stop() }()
	h.Publish(msg{"12345"})
	h.Publish(msg{"67890"})
	_, b := h.Queued()
	require.Equal(t, 10, b)
	require.False(t, flowtest.IsDone(stuck))
	h.Publish(msg{"x"})
	require.True(t, flowtest.IsDone(stuck))
	require.ErrorIs(t, stuck.Err(), flow.ErrTooSlow)
}

func TestHubMessageSizeOfAnotherType(t *testing.T) {
	require.Panics(t, func() {
		flow.NewHub[string](flow.WithMessageSize(func([]byte) int { return 0 }))
	})
}

func TestHubQueuedFallsAsMembersWrite(t *testing.T) {
	h := flow.NewHub[string]()
	got, next := make(chan string), make(chan struct{})
	r := flow.Start(context.Background(), h.Join(), func(v string) error {
		got <- v
		select { // the write takes until the test lets it finish
		case <-next:
			return nil
		case <-time.After(flowtest.Patience):
			return flowtest.ErrHungUp
		}
	})
	h.Publish("abc")
	h.Publish("de")
	require.Equal(t, "abc", flowtest.Receive(t, got))
	n, b := h.Queued()
	require.Equal(t, 2, n, "a message being written still counts")
	require.Equal(t, 5, b)
	next <- struct{}{}
	require.Equal(t, "de", flowtest.Receive(t, got))
	n, b = h.Queued()
	require.Equal(t, 1, n)
	require.Equal(t, 2, b)
	next <- struct{}{}
	r.Stop()
	n, b = h.Queued()
	require.Zero(t, n)
	require.Zero(t, b)
}

func TestHubZeroValue(t *testing.T) {
	var h flow.Hub[string]
	h.Publish("nobody hears this")
	a := join(&h, "ann")
	require.NoError(t, a.r.Push("hi"))
	require.Equal(t, []string{"* ann joined", "ann: hi"}, a.waitFor(t, 2))
	require.Equal(t, 1, h.Len())
	a.r.Stop()
	require.Zero(t, h.Len())
}
