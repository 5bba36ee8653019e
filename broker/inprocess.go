package broker

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"slices"
	"sync"
	"time"
)

// DefaultKeep is how long InProcess keeps a room's history after its last
// subscriber has left (and no event has been published to it since): time
// for a dropped member to come back.
const DefaultKeep = 2 * time.Minute

// InProcess is the broker of rooms that live in this process only.
//
// Each room keeps its latest events: at most WithHistory of them
// (DefaultHistory by default), and all rooms together at most
// WithHistoryBytes bytes of payload (DefaultHistoryBytes by default); past
// that budget the oldest event of all rooms goes first. A room keeps its
// history while it has subscribers and for WithKeep (DefaultKeep) after
// its last one has left; then it is forgotten and costs nothing.
//
// The events of all rooms are numbered in one sequence, so a room that is
// forgotten and made again never numbers an event as its earlier
// incarnation did; a member coming back to it is told that its events
// are gone (Replay.Recovered). The epoch is chosen at random for each
// InProcess and stays for its life: a new process is a new epoch.
//
// Subscribers are called under the room's lock, on the publisher's
// goroutine: a publish is delivered to every subscriber before Publish
// returns, which is what makes one order per room.
//
// The zero InProcess is ready to use with the defaults; NewInProcess sets
// others. An InProcess must not be copied after first use.
type InProcess struct {
	mu        sync.Mutex // guards what follows and every room's history
	rooms     map[string]*memRoom
	seq       uint64 // the latest sequence number of all rooms
	oldest    *held  // every event held, in publish order
	newest    *held
	bytes     int64  // their payload bytes
	forgotten bool   // a room has been forgotten
	epoch     string // made on first use

	history int
	budget  int64
	keep    time.Duration
}

// InProcessOption configures an InProcess broker.
type InProcessOption func(*InProcess)

// WithHistory sets how many of its latest events each room keeps (at
// least 1).
func WithHistory(n int) InProcessOption {
	return func(b *InProcess) { b.history = max(n, 1) }
}

// WithHistoryBytes sets how many bytes of payload the histories of all
// rooms hold together (n > 0; otherwise DefaultHistoryBytes). Past it
// the oldest event of all rooms goes first; a single event larger than n
// is delivered live and kept by no history.
func WithHistoryBytes(n int64) InProcessOption {
	return func(b *InProcess) { b.budget = n }
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

var _ Broker = (*InProcess)(nil)

// held is one event of a room's history, linked in the broker's publish
// order.
type held struct {
	room       *memRoom
	ev         Event
	prev, next *held
}

// memRoom is one room of an InProcess broker.
type memRoom struct {
	b    *InProcess
	name string

	// Guarded by b.mu.
	events []*held // the room's history, oldest first, from first
	first  int
	latest uint64 // the room's latest sequence number
	lost   uint64 // the highest sequence number of the room ever discarded

	// Set holding both b.mu and mu, read holding either.
	gone bool // forgotten: a new memRoom takes its name

	// Guarded by mu, which orders the room's deliveries.
	mu    sync.Mutex
	subs  map[*memSub]struct{}
	idle  time.Time   // when it last became idle (no subscribers)
	timer *time.Timer // the forgetting check, while idle
}

// Publish appends data to the room's order and delivers it to every
// subscriber of the room before it returns.
func (b *InProcess) Publish(ctx context.Context, room string, data []byte) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	r := b.room(room)
	defer r.mu.Unlock()
	b.mu.Lock()
	b.seq++
	ev := Event{Seq: b.seq, Data: data}
	r.latest = ev.Seq
	b.keepLocked(r, ev)
	b.mu.Unlock()
	for s := range r.subs {
		s.h.Event(ev)
	}
	if len(r.subs) == 0 {
		r.idleLocked()
	}
	return ev.Seq, nil
}

// keepLocked adds ev to r's history, then discards what passes the
// room's count and the broker's budget.
func (b *InProcess) keepLocked(r *memRoom, ev Event) {
	h := &held{room: r, ev: ev, prev: b.newest}
	if b.newest != nil {
		b.newest.next = h
	} else {
		b.oldest = h
	}
	b.newest = h
	b.bytes += int64(len(ev.Data))
	r.events = append(r.events, h)
	if len(r.events)-r.first > b.historyLen() {
		b.discardLocked(r)
	}
	for budget := b.budgetBytes(); b.bytes > budget; {
		b.discardLocked(b.oldest.room)
	}
}

// discardLocked drops r's oldest event, raising r's lost.
func (b *InProcess) discardLocked(r *memRoom) {
	h := r.events[r.first]
	r.events[r.first] = nil
	r.first++
	if r.first > len(r.events)/2 { // keep the slice from growing without end
		r.events = slices.Delete(r.events, 0, r.first) // clears what it leaves behind
		r.first = 0
	}
	r.lost = max(r.lost, h.ev.Seq)
	b.unlinkLocked(h)
}

// unlinkLocked takes h out of the broker's order and off its budget.
func (b *InProcess) unlinkLocked(h *held) {
	if h.prev != nil {
		h.prev.next = h.next
	} else {
		b.oldest = h.next
	}
	if h.next != nil {
		h.next.prev = h.prev
	} else {
		b.newest = h.prev
	}
	h.prev, h.next = nil, nil
	b.bytes -= int64(len(h.ev.Data))
}

// Subscribe starts room's live feed at its latest event.
func (b *InProcess) Subscribe(ctx context.Context, room string, h Handler) (Subscription, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := b.room(room)
	defer r.mu.Unlock()
	b.mu.Lock()
	start := Position{Epoch: b.epochLocked(), Seq: r.latest}
	b.mu.Unlock()
	s := &memSub{room: r, h: h, start: start}
	r.subs[s] = struct{}{}
	if r.timer != nil {
		r.timer.Stop()
		r.timer = nil
	}
	return s, nil
}

// memSub is one subscription of an InProcess room.
type memSub struct {
	room  *memRoom
	h     Handler
	start Position
}

// Start returns the position the feed starts after.
func (s *memSub) Start() Position { return s.start }

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

// replayBatch bounds the events of one Next: by count, and by bytes past
// the first event.
const (
	replayBatch      = 256
	replayBatchBytes = 256 << 10
)

// Replay reads the events room's history holds after from, up to upTo,
// as they are when it is called: the replay holds them (not copies) until
// it is closed, whatever the history discards meanwhile.
func (b *InProcess) Replay(ctx context.Context, room string, from Position, upTo uint64) (Replay, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	after, sameEpoch := from.Seq, from.Epoch == "" || from.Epoch == b.epochLocked()
	if !sameEpoch {
		after = 0
	}
	r := b.rooms[room]
	if r == nil { // as a room made now would be
		r = b.newRoomLocked(room)
	}
	rp := &memReplay{recovered: sameEpoch && from.Seq <= r.latest && from.Seq >= r.lost}
	for _, h := range r.events[r.first:] {
		if h.ev.Seq > upTo {
			break
		}
		if h.ev.Seq > after {
			rp.events = append(rp.events, h.ev)
		}
	}
	return rp, nil
}

// memReplay is a snapshot of a room's history: its events' headers,
// sharing their Data with the history.
type memReplay struct {
	recovered bool
	events    []Event
}

// Recovered reports whether the history held every event after the
// replay's position.
func (rp *memReplay) Recovered() bool { return rp.recovered }

// Next returns the next events: at most replayBatch, and no more than
// replayBatchBytes past the first.
func (rp *memReplay) Next(ctx context.Context) ([]Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(rp.events) == 0 {
		return nil, io.EOF
	}
	n, size := 1, len(rp.events[0].Data)
	for n < len(rp.events) && n < replayBatch && size+len(rp.events[n].Data) <= replayBatchBytes {
		size += len(rp.events[n].Data)
		n++
	}
	batch := rp.events[:n:n]
	rp.events = rp.events[n:]
	return batch, nil
}

// Close lets go of the events the replay has not returned.
func (rp *memReplay) Close() { rp.events = nil }

// Available returns nil: an in-process broker is always available.
func (b *InProcess) Available() error { return nil }

// Len returns the number of rooms the broker remembers: those with
// subscribers and those still keeping their history.
func (b *InProcess) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.rooms)
}

// newRoomLocked returns a room called name as it is made now, not yet
// kept: once the broker has forgotten rooms, the events of its earlier
// incarnation count as lost. b.mu is held.
func (b *InProcess) newRoomLocked(name string) *memRoom {
	r := &memRoom{b: b, name: name, subs: make(map[*memSub]struct{})}
	if b.forgotten {
		r.lost = b.seq
	}
	return r
}

// room returns the live room called name, making it if needed, with its
// mu locked.
func (b *InProcess) room(name string) *memRoom {
	for {
		b.mu.Lock()
		if b.rooms == nil {
			b.rooms = make(map[string]*memRoom)
		}
		r := b.rooms[name]
		if r == nil {
			r = b.newRoomLocked(name)
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

// epochLocked returns the broker's epoch, making it on first use: 16
// characters of base64url from crypto/rand.
func (b *InProcess) epochLocked() string {
	if b.epoch == "" {
		var p [12]byte
		rand.Read(p[:]) // never fails (crypto/rand)
		b.epoch = base64.RawURLEncoding.EncodeToString(p[:])
	}
	return b.epoch
}

func (b *InProcess) historyLen() int {
	if b.history <= 0 {
		return DefaultHistory
	}
	return b.history
}

func (b *InProcess) budgetBytes() int64 {
	if b.budget <= 0 {
		return DefaultHistoryBytes
	}
	return b.budget
}

func (b *InProcess) keepFor() time.Duration {
	if b.keep <= 0 {
		return DefaultKeep
	}
	return b.keep
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

// forget drops the room, and its history, if it has stayed without
// subscribers for the broker's keep time, and otherwise checks again when
// that time is up.
func (r *memRoom) forget() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.timer = nil
	if len(r.subs) > 0 {
		return
	}
	if left := r.b.keepFor() - time.Since(r.idle); left > 0 {
		r.timer = time.AfterFunc(left, r.forget)
		return
	}
	b := r.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if r.gone {
		return
	}
	for _, h := range r.events[r.first:] {
		b.unlinkLocked(h)
	}
	r.events, r.first = nil, 0
	r.gone = true
	b.forgotten = true
	delete(b.rooms, r.name)
}
