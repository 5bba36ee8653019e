package broker

import (
	"context"
	"sync"
	"time"
)

// DefaultKeep is how long InProcess keeps a room's history after its last
// subscriber has left (and no event has been published to it since): time
// for a dropped member to come back.
const DefaultKeep = 2 * time.Minute

// InProcess is the broker of rooms that live in this process only. Each
// room keeps its latest events (WithHistory, DefaultHistory by default)
// while it has subscribers and for DefaultKeep (WithKeep) after its last
// one has left; then the room is forgotten, and a room of that name made
// again starts again at 1. A forgotten room costs nothing.
//
// Subscribers are called under the room's lock, on the publisher's
// goroutine: a publish is delivered to every subscriber before Publish
// returns, which is what makes one order per room.
//
// The zero InProcess is ready to use with the defaults; NewInProcess sets
// others. An InProcess must not be copied after first use.
type InProcess struct {
	mu      sync.Mutex
	rooms   map[string]*memRoom
	history int
	keep    time.Duration
}

// InProcessOption configures an InProcess broker.
type InProcessOption func(*InProcess)

// WithHistory sets how many of its latest events each room keeps (at
// least 1).
func WithHistory(n int) InProcessOption {
	return func(b *InProcess) { b.history = max(n, 1) }
}

// WithKeep sets how long a room without subscribers keeps its history
// before it is forgotten (d > 0; otherwise DefaultKeep).
func WithKeep(d time.Duration) InProcessOption {
	return func(b *InProcess) { b.keep = d }
}

// NewInProcess returns an in-process broker with no rooms.
func NewInProcess(opts ...InProcessOption) *InProcess {
	b := &InProcess{}
	for _, o := range opts {
		o(b)
	}
	return b
}


// memRoom is one room of an InProcess broker.
type memRoom struct {
	mu     sync.Mutex
	b      *InProcess
	name   string
	events []Event // ring of the latest events, oldest at head
	head   int
	last   uint64 // the latest event's sequence number
	subs   map[*memSub]struct{}
	idle   time.Time   // when it last became idle (no subscribers)
	timer  *time.Timer // the forgetting check, while idle
	gone   bool        // forgotten: a new memRoom takes its name
}

type memSub struct {
	room      *memRoom
	h         Handler
	recovered bool
}

// Recovered reports whether the subscription received every event after
// the one it asked for.
func (s *memSub) Recovered() bool { return s.recovered }

// Close ends the subscription.
func (s *memSub) Close() {
	r := s.room
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.subs[s]; !ok {
		return
	}
	delete(r.subs, s)
	if len(r.subs) == 0 {
		r.idleLocked()
	}
}

// room returns the live room called name, making it if needed, locked.
func (b *InProcess) room(name string) *memRoom {
	for {
		b.mu.Lock()
		if b.rooms == nil {
			b.rooms = make(map[string]*memRoom)
		}
		r := b.rooms[name]
		if r == nil {
			r = &memRoom{b: b, name: name, subs: make(map[*memSub]struct{})}
			b.rooms[name] = r
		}
		b.mu.Unlock()
		r.mu.Lock()
		if !r.gone {
			return r
		}
		r.mu.Unlock() // forgotten in between: look again
	}
}

func (b *InProcess) historyLen() int {
	if b.history <= 0 {
		return DefaultHistory
	}
	return b.history
}

func (b *InProcess) keepFor() time.Duration {
	if b.keep <= 0 {
		return DefaultKeep
	}
	return b.keep
}

// Publish appends data to the room's order and delivers it to every
// subscriber of the room before it returns.
func (b *InProcess) Publish(ctx context.Context, room string, data []byte) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	r := b.room(room)
	defer r.mu.Unlock()
	r.last++
	ev := Event{Seq: r.last, Data: data}
	if n := b.historyLen(); len(r.events) < n {
		r.events = append(r.events, ev)
	} else {
		r.events[r.head] = ev
		r.head = (r.head + 1) % len(r.events)
	}
	for s := range r.subs {
		s.h.Event(ev)
	}
	if len(r.subs) == 0 {
		r.idleLocked()
	}
	return ev.Seq, nil
}

// Subscribe delivers the history after after, then registers h for the
// live events, all under the room's lock.
func (b *InProcess) Subscribe(ctx context.Context, room string, after uint64, h Handler) (*memSub, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := b.room(room)
	defer r.mu.Unlock()
	first := r.last + 1 - uint64(len(r.events)) // the oldest kept event
	s := &memSub{room: r, h: h, recovered: after+1 >= first && after <= r.last}
	for i := range r.events {
		ev := r.events[(r.head+i)%len(r.events)]
		if ev.Seq > after {
			h.Event(ev)
		}
	}
	r.subs[s] = struct{}{}
	if r.timer != nil {
		r.timer.Stop()
		r.timer = nil
	}
	return s, nil
}

// Latest returns the room's latest sequence number, 0 for a room with no
// history.
func (b *InProcess) Latest(ctx context.Context, room string) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	b.mu.Lock()
	r := b.rooms[room]
	b.mu.Unlock()
	if r == nil {
		return 0, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gone {
		return 0, nil
	}
	return r.last, nil
}

// Available returns nil: an in-process broker is always available.
func (b *InProcess) Available() error { return nil }

// Len returns the number of rooms the broker remembers: those with
// subscribers and those still keeping their history.
func (b *InProcess) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.rooms)
}

// idleLocked starts the countdown to forgetting a room that has no
// subscriber.
func (r *memRoom) idleLocked() {
	r.idle = time.Now()
	if r.timer != nil {
		return
	}
	r.timer = time.AfterFunc(r.b.keepFor(), r.forget)
}

// forget drops the room if it has stayed without subscribers for the
// broker's keep time, and otherwise checks again when that time is up.
func (r *memRoom) forget() {
	b := r.b
	b.mu.Lock()
	defer b.mu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.timer = nil
	if len(r.subs) > 0 || r.gone {
		return
	}
	if left := b.keepFor() - time.Since(r.idle); left > 0 {
		r.timer = time.AfterFunc(left, r.forget)
		return
	}
	r.gone = true
	delete(b.rooms, r.name)
}
