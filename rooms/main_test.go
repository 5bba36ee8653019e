package rooms_test

import (
	"context"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/internal/flowtest"
	"github.com/wsflow/wsflow/rooms"
)

// TestMain checks every test of the package for leaked goroutines.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// member is one running member and what it has received.
type member struct {
	r    *flow.Running[string]
	mu   sync.Mutex
	got  []string
	seen chan struct{}
}

// join starts a member called name of room, which announces itself and
// whose input is published as "name: TEXT", and waits until it has
// received n messages (its hello among them).
func join(t *testing.T, rs *rooms.Rooms[string], room, name string, n int, opts ...rooms.JoinOption[string]) *member {
	t.Helper()
	m := &member{seen: make(chan struct{}, 1<<16)}
	opts = append([]rooms.JoinOption[string]{rooms.Announce("* "+name+" joined", "* "+name+" left")}, opts...)
	f := flow.Via(flow.Map(func(s string) string { return name + ": " + s }), rs.Join(room, opts...))
	m.r = flow.Start(context.Background(), f, func(v string) error {
		m.mu.Lock()
		m.got = append(m.got, v)
		m.mu.Unlock()
		m.seen <- struct{}{}
		return nil
	})
	m.waitFor(t, n)
	return m
}

// waitFor waits until the member has received n messages and returns all
// it has received.
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
