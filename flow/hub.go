package flow

import (
	"sync"

	"github.com/wsflow/wsflow/message"
)

// DefaultMemberBuffer is how many published messages a hub member may
// have waiting to be written before it is closed as too slow, unless
// WithMemberBuffer says otherwise. The queue grows only as needed: an idle
// member holds none of it.
//
// Size it for the bursts of the room, not for one member: each member's
// writer writes what all members publish, so when n members all send as
// fast as they can, every writer has n times the work of each sender and
// falls behind by the size of the burst until the senders pause.
const DefaultMemberBuffer = 4096

// ErrTooSlow closes the socket of a hub member that fell more than its
// buffer behind.
var ErrTooSlow = message.NewCloseError(message.PolicyViolation, "too slow: fell behind the room")

// Hub is a broadcast room: what one member publishes, every member
// receives, and all members receive all messages in one order. A slow
// member cannot stall the others: each has a bounded buffer of messages
// waiting to be written (WithMemberBuffer), and a member whose buffer
// overflows is closed with ErrTooSlow (1008) while the others go on.
// Leaving frees everything the member held.
//
// A Hub is safe for concurrent use; its zero value is not: use NewHub.
type Hub[T any] struct {
	mu      sync.Mutex
	members map[*hubMember[T]]struct{}
	buffer  int
}

// HubOption configures a Hub.
type HubOption func(*hubConfig)

type hubConfig struct{ buffer int }

// WithMemberBuffer sets how many messages a member may have waiting
// before it is closed as too slow (at least 1).
func WithMemberBuffer(n int) HubOption {
	return func(c *hubConfig) { c.buffer = max(n, 1) }
}

// NewHub returns an empty hub.
func NewHub[T any](opts ...HubOption) *Hub[T] {
	cfg := hubConfig{buffer: DefaultMemberBuffer}
	for _, o := range opts {
		o(&cfg)
	}
	return &Hub[T]{members: make(map[*hubMember[T]]struct{}), buffer: cfg.buffer}
}

// Len returns the number of members.
func (h *Hub[T]) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.members)
}

// Publish sends v to every member. It never waits for a member.
func (h *Hub[T]) Publish(v T) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.publishLocked(v)
}

func (h *Hub[T]) publishLocked(v T) {
	for m := range h.members {
		if !m.enqueue(v, h.buffer) {
			delete(h.members, m)
			m.fail(ErrTooSlow)
		}
	}
}

// MemberOption configures one member's Join.
type MemberOption[T any] func(*memberConfig[T])

type memberConfig[T any] struct {
	hello, goodbye       T
	hasHello, hasGoodbye bool
}

// Announce publishes hello when the member joins (it receives it too) and
// goodbye once it has left, for whatever reason: chat's "* N joined" and
// "* N left".
func Announce[T any](hello, goodbye T) MemberOption[T] {
	return func(c *memberConfig[T]) {
		c.hello, c.goodbye, c.hasHello, c.hasGoodbye = hello, goodbye, true, true
	}
}

// Join returns the flow of one member: every element of its input is
// published to the hub, and its output is everything published to the
// hub from the moment it joined, in the hub's order. Run once per
// connection, it joins when the socket opens and leaves when it closes.
func (h *Hub[T]) Join(opts ...MemberOption[T]) Flow[T, T] {
	var cfg memberConfig[T]
	for _, o := range opts {
		o(&cfg)
	}
	return Flow[T, T]{open: func(s scope, out outlet[T]) inlet[T] {
		m := &hubMember[T]{ready: make(chan struct{}, 1), fail: out.complete}
		h.mu.Lock()
		h.members[m] = struct{}{}
		if cfg.hasHello {
			h.publishLocked(cfg.hello)
		}
		h.mu.Unlock()
		s.onStop(func(error) {
			h.mu.Lock()
			delete(h.members, m)
			if cfg.hasGoodbye {
				h.publishLocked(cfg.goodbye)
			}
			h.mu.Unlock()
		})
		s.spawn(func() { out.complete(m.drain(s, out.emit)) })
		return inlet[T]{
			push:  func(v T) error { h.Publish(v); return nil },
			close: func() {},
		}
	}}
}

// hubMember is one member's queue of published messages not yet written.
type hubMember[T any] struct {
	mu      sync.Mutex
	pending []T
	ready   chan struct{} // has a value when pending may be non-empty
	fail    func(error)
}

// enqueue adds v unless the member already has limit messages waiting.
func (m *hubMember[T]) enqueue(v T, limit int) bool {
	m.mu.Lock()
	if len(m.pending) >= limit {
		m.mu.Unlock()
		return false
	}
	m.pending = append(m.pending, v)
	m.mu.Unlock()
	select {
	case m.ready <- struct{}{}:
	default:
	}
	return true
}

// drain writes the member's messages until its run ends.
func (m *hubMember[T]) drain(s scope, emit func(T) error) error {
	var batch []T
	for {
		select {
		case <-s.ctx.Done():
			return s.ctx.Err()
		case <-m.ready:
		}
		m.mu.Lock()
		batch, m.pending = m.pending, batch[:0]
		m.mu.Unlock()
		for i, v := range batch {
			if err := emit(v); err != nil {
				return err
			}
			var zero T
			batch[i] = zero
		}
	}
}
