package flow

import (
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"

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

// DefaultMemberBytes is how many bytes of published messages a hub member
// may have waiting to be written before it is closed as too slow, unless
// WithMemberBytes says otherwise: 8 MiB. With DefaultMemberBuffer it
// bounds what a member that never reads can hold, whatever the size of
// the room's messages.
const DefaultMemberBytes = 8 << 20

// ErrTooSlow closes the socket of a hub member that fell more than its
// buffer behind.
var ErrTooSlow = message.NewCloseError(message.PolicyViolation, "too slow: fell behind the room")

// Hub is a broadcast room: what one member publishes, every member
// receives, and all members receive all messages in one order. A slow
// member cannot stall the others: each has a bounded queue of messages
// waiting to be written, at most WithMemberBuffer messages and at most
// WithMemberBytes bytes, and a member whose queue would pass either bound
// is closed with ErrTooSlow (1008) while the others go on. Leaving, or
// being closed, frees everything the member held.
//
// The size of a message is its length when T is a string or a byte slice
// (or a type defined on one, such as message.Text or json.RawMessage),
// or what its Size method returns when it has one; WithMessageSize sets
// it for other types. A message of any other type counts 0 bytes, so only
// the count bounds its members' queues.
//
// A Hub is safe for concurrent use. Its zero value is an empty hub with
// the default bounds, ready to use; NewHub makes one with other bounds.
// A Hub must not be copied after first use.
type Hub[T any] struct {
	mu       sync.Mutex
	members  map[*hubMember[T]]struct{}
	buffer   int
	maxBytes int
	size     func(T) int
	queued   hubQueued
}

// hubQueued counts what a hub's members hold, written: messages and bytes
// waiting to be written, summed over the members.
type hubQueued struct {
	messages atomic.Int64
	bytes    atomic.Int64
}

// HubOption configures a Hub.
type HubOption func(*hubConfig)

type hubConfig struct {
	buffer, bytes int
	size          any // func(T) int of the hub's T
}

// WithMemberBuffer sets how many messages a member may have waiting
// before it is closed as too slow (at least 1).
func WithMemberBuffer(n int) HubOption {
	return func(c *hubConfig) { c.buffer = max(n, 1) }
}

// WithMemberBytes sets how many bytes of messages a member may have
// waiting before it is closed as too slow (at least 1). A message larger
// than n closes every member it is published to.
func WithMemberBytes(n int) HubOption {
	return func(c *hubConfig) { c.bytes = max(n, 1) }
}

// WithMessageSize sets how the hub measures a message against
// WithMemberBytes. T must be the hub's element type: NewHub panics
// otherwise.
func WithMessageSize[T any](size func(T) int) HubOption {
	return func(c *hubConfig) { c.size = size }
}

// NewHub returns an empty hub.
func NewHub[T any](opts ...HubOption) *Hub[T] {
	var cfg hubConfig
	for _, o := range opts {
		o(&cfg)
	}
	h := &Hub[T]{buffer: cfg.buffer, maxBytes: cfg.bytes}
	if cfg.size != nil {
		size, ok := cfg.size.(func(T) int)
		if !ok {
			panic(fmt.Sprintf("flow: WithMessageSize of %T given to a Hub of %s", cfg.size, reflect.TypeFor[T]()))
		}
		h.size = size
	}
	return h
}

// Len returns the number of members.
func (h *Hub[T]) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.members)
}

// Queued returns how many messages, and how many bytes of them, are
// waiting to be written to the hub's members, summed over the members. A
// message a member's writer has taken but not yet finished writing still
// counts.
func (h *Hub[T]) Queued() (messages, bytes int) {
	return int(h.queued.messages.Load()), int(h.queued.bytes.Load())
}

// Publish sends v to every member. It never waits for a member.
func (h *Hub[T]) Publish(v T) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.publishLocked(v)
}

func (h *Hub[T]) publishLocked(v T) {
	if len(h.members) == 0 {
		return
	}
	n := h.sizeOf(v)
	for m := range h.members {
		if !m.enqueue(v, n) {
			h.dropLocked(m)
			m.fail(ErrTooSlow)
		}
	}
}

// sizeOf measures v against the members' byte bound.
func (h *Hub[T]) sizeOf(v T) int {
	if h.size != nil {
		return h.size(v)
	}
	return defaultSize(v)
}

// defaultSize is the size of v when no WithMessageSize was given.
func defaultSize(v any) int {
	switch x := v.(type) {
	case string:
		return len(x)
	case []byte:
		return len(x)
	case message.Text:
		return len(x)
	case message.Binary:
		return len(x)
	case json.RawMessage:
		return len(x)
	case interface{ Size() int }:
		return x.Size()
	case nil:
		return 0
	}
	rv := reflect.ValueOf(v)
	switch {
	case rv.Kind() == reflect.String:
		return rv.Len()
	case rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8:
		return rv.Len()
	}
	return 0
}

// addLocked makes m a member.
func (h *Hub[T]) addLocked(m *hubMember[T]) {
	if h.members == nil {
		h.members = make(map[*hubMember[T]]struct{})
	}
	m.limit, m.maxBytes, m.queued = h.buffer, h.maxBytes, &h.queued
	if m.limit <= 0 {
		m.limit = DefaultMemberBuffer
	}
	if m.maxBytes <= 0 {
		m.maxBytes = DefaultMemberBytes
	}
	h.members[m] = struct{}{}
}

// dropLocked ends m's membership and frees its queue.
func (h *Hub[T]) dropLocked(m *hubMember[T]) {
	delete(h.members, m)
	m.release()
}

// MemberOption configures one member's Join.
type MemberOption[T any] func(*memberConfig[T])

type memberConfig[T any] struct {
	hello, goodbye       T
	hasHello, hasGoodbye bool
	since                uint64
	hasSince             bool
	lost                 T
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
		m := newHubMember[T](out.complete)
		h.mu.Lock()
		h.addLocked(m)
		if cfg.hasHello {
			h.publishLocked(cfg.hello)
		}
		h.mu.Unlock()
		s.onStop(func(error) {
			h.mu.Lock()
			h.dropLocked(m)
			if cfg.hasGoodbye {
				h.publishLocked(cfg.goodbye)
			}
			h.mu.Unlock()
		})
		s.spawn(func() { out.complete(m.drain(s, out)) })
		return inlet[T]{
			push:  func(v T) error { h.Publish(v); return nil },
			close: func() {},
		}
	}}
}

// hubMember is one member's queue of published messages not yet written.
// Its counts include the messages its writer has taken and not yet
// finished writing.
type hubMember[T any] struct {
	mu       sync.Mutex
	pending  []queued[T]
	count    int // messages not yet written, pending and taken
	bytes    int // their bytes
	released bool
	ready    chan struct{} // has a value when pending may be non-empty
	fail     func(error)

	limit, maxBytes int        // set when it joins
	queued          *hubQueued // the hub's totals, kept with count and bytes
}

// queued is one message waiting in a member's queue, with its size.
type queued[T any] struct {
	v    T
	size int
}

func newHubMember[T any](fail func(error)) *hubMember[T] {
	return &hubMember[T]{ready: make(chan struct{}, 1), fail: fail}
}

// enqueue adds v, of size n, unless that would take the member past its
// bounds. A released member takes nothing and reports success.
func (m *hubMember[T]) enqueue(v T, n int) bool {
	m.mu.Lock()
	if m.released {
		m.mu.Unlock()
		return true
	}
	if m.count+1 > m.limit || m.bytes+n > m.maxBytes {
		m.mu.Unlock()
		return false
	}
	m.pending = append(m.pending, queued[T]{v, n})
	m.count++
	m.bytes += n
	m.queued.messages.Add(1)
	m.queued.bytes.Add(int64(n))
	m.mu.Unlock()
	select {
	case m.ready <- struct{}{}:
	default:
	}
	return true
}

// release drops the member's queue and takes what it held off the hub's
// totals. From then on it takes nothing.
func (m *hubMember[T]) release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.released {
		return
	}
	m.released = true
	if m.queued != nil {
		m.queued.messages.Add(-int64(m.count))
		m.queued.bytes.Add(-int64(m.bytes))
	}
	m.pending, m.count, m.bytes = nil, 0, 0
}

// written counts n messages of size bytes in all as written.
func (m *hubMember[T]) written(n, bytes int) {
	m.mu.Lock()
	if !m.released {
		m.count -= n
		m.bytes -= bytes
		m.queued.messages.Add(-int64(n))
		m.queued.bytes.Add(-int64(bytes))
	}
	m.mu.Unlock()
}

// drain writes the member's messages until its run ends.
func (m *hubMember[T]) drain(s scope, out outlet[T]) error {
	emit := out.emit
	var batch []queued[T]
	for {
		select {
		case <-s.ctx.Done():
			return s.ctx.Err()
		case <-m.ready:
		}
		// Let the publishers that are ready to run go first: what they
		// publish meanwhile joins this batch, and the batch goes out in
		// one write (see Batcher). With nothing else to run it returns at
		// once.
		runtime.Gosched()
		m.mu.Lock()
		batch, m.pending = m.pending, batch[:0]
		m.mu.Unlock()
		if err := m.write(batch, emit, holdBatch(s, out, len(batch))); err != nil {
			return err
		}
	}
}

// write emits batch, with the output held around it when b is not nil.
func (m *hubMember[T]) write(batch []queued[T], emit func(T) error, b Batcher) error {
	if b != nil {
		defer b.Release()
	}
	for i, q := range batch {
		if err := emit(q.v); err != nil {
			return err
		}
		m.written(1, q.size)
		batch[i] = queued[T]{}
	}
	return nil
}

// prepend puts v before everything waiting, counting 0 bytes.
func (m *hubMember[T]) prepend(v T) {
	m.mu.Lock()
	if !m.released {
		m.pending = append([]queued[T]{{v: v}}, m.pending...)
		m.count++
		m.queued.messages.Add(1)
	}
	m.mu.Unlock()
	select {
	case m.ready <- struct{}{}:
	default:
	}
}
