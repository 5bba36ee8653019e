// Package rooms fans messages out to the members of named rooms: what a
// member of a room publishes, every member of that room receives, in the
// room's one order, on this server and on every server sharing the room's
// broker (package broker). A member is a flow.Flow, one per socket: its
// input is published, its output is the room.
//
// A member that comes back after losing its socket resumes where it left
// off (Resume): it receives every event the room's history still holds
// after the last one it saw, paced by its socket, then the live ones,
// with no gap and no duplicate, and is told whether the history held all
// it missed.
//
// A slow member cannot stall the others: it has a bounded queue of live
// messages waiting to be written (Limits), and past it it is closed with
// ErrTooSlow (1008) while the others go on. What it replays from the
// history never counts against that bound.
package rooms

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/message"
)

// ErrTooSlow closes the socket of a member whose queue of live messages
// would pass its Limits.
var ErrTooSlow = message.NewCloseError(message.PolicyViolation, "too slow: fell behind the room")

// DefaultMessages is how many live messages a member may have waiting to
// be written by default. The queue grows only as needed: an idle member
// holds none of it.
//
// Size it for the bursts of a room, not for one member: each member's
// socket writes what all members publish, so when n members all send as
// fast as they can, each socket has n times the work of each sender and
// falls behind by the size of the burst until the senders pause.
const DefaultMessages = 4096

// DefaultBytes is how many bytes of live messages, as they cross the
// broker, a member may have waiting to be written by default: 8 MiB. With
// DefaultMessages it bounds what a member that never reads holds, whatever
// the size of the room's messages.
const DefaultBytes = 8 << 20

// Limits bound the live messages a member may have waiting to be written:
// past either bound it is closed with ErrTooSlow. Zero fields stand for
// DefaultMessages and DefaultBytes. The messages are counted from the
// moment the broker delivers them to the moment the socket has taken
// them; their bytes are their size as they cross the broker.
type Limits struct {
	Messages int
	Bytes    int
}

// Config configures Rooms. Its zero value is the zero Rooms': rooms in
// this process (broker.InProcess), the default Codec and the default
// Limits.
type Config[T any] struct {
	// Broker carries the rooms; nil for a broker.InProcess of their own.
	// Package broker/natsbroker carries rooms that span servers.
	Broker broker.Broker
	// Codec turns values into the bytes that cross the broker and back.
	Codec Codec[T]
	// Limits bound each member's queue of live messages.
	Limits Limits
}

// Rooms is a registry of named rooms of values of type T. A room has no
// state of its own on a server beyond its members: it is there while it
// has members and its history is the broker's.
//
// Each value crosses the broker as bytes, encoded once per publish; each
// server decodes a live event once, and every member of the server
// receives the same decoded value (a member replaying history decodes
// what it replays).
//
// The zero Rooms is ready to use with the zero Config; New sets another.
// A Rooms is safe for concurrent use and must not be copied after first
// use.
type Rooms[T any] struct {
	mu    sync.Mutex
	cfg   Config[T]
	ready bool // cfg's defaults are filled in
	open  map[string]*localRoom[T]
}

// New returns a registry of rooms configured by cfg.
func New[T any](cfg Config[T]) *Rooms[T] {
	return &Rooms[T]{cfg: cfg}
}

// config returns the registry's configuration, its defaults filled in.
func (r *Rooms[T]) config() *Config[T] {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.ready {
		if r.cfg.Broker == nil {
			r.cfg.Broker = broker.NewInProcess()
		}
		if r.cfg.Codec.Encode == nil || r.cfg.Codec.Decode == nil {
			r.cfg.Codec = DefaultCodec[T]()
		}
		if r.cfg.Limits.Messages <= 0 {
			r.cfg.Limits.Messages = DefaultMessages
		}
		if r.cfg.Limits.Bytes <= 0 {
			r.cfg.Limits.Bytes = DefaultBytes
		}
		r.ready = true
	}
	return &r.cfg
}

// publishTimeout bounds how long a member's publish, and its goodbye, may
// wait for the broker before the member is closed with the broker's
// error.
const publishTimeout = 5 * time.Second

// Publish publishes v to room from outside any member, for instance a
// server's announcement. It returns once the broker has stored it.
func (r *Rooms[T]) Publish(ctx context.Context, room string, v T) error {
	_, err := r.config().publish(ctx, room, v)
	return err
}

// publish encodes v and publishes it to room. Members call it on the
// configuration they hold, so that a message takes no lock of the Rooms.
func (cfg *Config[T]) publish(ctx context.Context, room string, v T) (uint64, error) {
	data, err := cfg.Codec.Encode(v)
	if err != nil {
		return 0, err
	}
	return cfg.Broker.Publish(ctx, room, data)
}

// Available returns nil while the broker can carry rooms, and its error
// (broker.ErrUnavailable for the brokers of this module) while it cannot:
// a server answers room handshakes with 503 then.
func (r *Rooms[T]) Available() error { return r.config().Broker.Available() }

// Len returns the number of rooms with members on this server.
func (r *Rooms[T]) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.open)
}

// Members returns the number of members room has on this server that
// have joined its live feed.
func (r *Rooms[T]) Members(room string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if lr := r.open[room]; lr != nil {
		return lr.members
	}
	return 0
}

// Queued returns how many live messages, and how many bytes of them, are
// waiting to be written to the members of this server, summed over its
// rooms. A message a member's socket has been handed but has not yet
// taken still counts. It visits every member's queue in turn: the
// members keep no shared count, which every delivery would update.
func (r *Rooms[T]) Queued() (messages, bytes int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, lr := range r.open {
		for q := range lr.queues {
			n, b := q.len()
			messages, bytes = messages+n, bytes+b
		}
	}
	return messages, bytes
}

// localRoom is a room with members on this server, and its latest live
// event decoded.
type localRoom[T any] struct {
	queues  map[*liveQueue[T]]struct{} // the queues of its members on this server; guarded by the Rooms' mu
	members int                        // those that have joined the live feed; guarded likewise

	mu     sync.Mutex                 // serialises decoding
	latest atomic.Pointer[decoded[T]] // the latest event decoded
}

// decoded is a live event decoded.
type decoded[T any] struct {
	seq   uint64
	value T
}

// decodeOnce decodes ev for the members of lr, once per event while the
// broker delivers one event to all of them in turn: the members after the
// first read what it decoded without taking a lock.
func (lr *localRoom[T]) decodeOnce(decode func(broker.Event) (T, error), ev broker.Event) (T, error) {
	if d := lr.latest.Load(); d != nil && d.seq == ev.Seq {
		return d.value, nil
	}
	lr.mu.Lock()
	defer lr.mu.Unlock()
	if d := lr.latest.Load(); d != nil && d.seq == ev.Seq {
		return d.value, nil
	}
	v, err := decode(ev)
	if err != nil {
		return v, err
	}
	lr.latest.Store(&decoded[T]{ev.Seq, v})
	return v, nil
}

// enter counts one member more in room, of queue q, making its local
// state if needed.
func (r *Rooms[T]) enter(room string, q *liveQueue[T]) *localRoom[T] {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.open == nil {
		r.open = make(map[string]*localRoom[T])
	}
	lr := r.open[room]
	if lr == nil {
		lr = &localRoom[T]{queues: make(map[*liveQueue[T]]struct{})}
		r.open[room] = lr
	}
	lr.queues[q] = struct{}{}
	return lr
}

// joined counts lr's member that has joined the live feed.
func (r *Rooms[T]) joined(lr *localRoom[T]) {
	r.mu.Lock()
	lr.members++
	r.mu.Unlock()
}

// leave counts one member fewer in room, of queue q, which had joined
// its live feed or not, and lets the room go after its last.
func (r *Rooms[T]) leave(room string, lr *localRoom[T], q *liveQueue[T], joined bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if joined {
		lr.members--
	}
	delete(lr.queues, q)
	if len(lr.queues) == 0 {
		delete(r.open, room)
	}
}
