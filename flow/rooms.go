package flow

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/wsflow/wsflow/broker"
)

// Rooms is a registry of named rooms over a broker: what a member of a
// room publishes, every member of that room receives, in the room's one
// order, on this server and on every server sharing the broker. A room is
// made by its first member and freed after its last (the broker may keep
// its history for a while, see broker.InProcess).
//
// Each message crosses the broker as bytes, encoded once per publish; each
// server decodes an event once, and every member of the server receives
// the same decoded value. Each member has a bounded queue of messages
// waiting to be written, as a Hub member has: at most DefaultMemberBuffer
// messages and DefaultMemberBytes bytes of encoded messages unless
// WithRoomMemberLimits says otherwise; past either it is closed with
// ErrTooSlow (1008). When the broker fails (broker.ErrUnavailable, 1013),
// its members are closed with that error.
//
// The zero Rooms is ready to use: its rooms live in this process
// (broker.InProcess) and its values cross the broker in the default
// encoding (see WithCodec). NewRooms sets another broker or encoding. A
// Rooms is safe for concurrent use and must not be copied after first use.
type Rooms[T any] struct {
	mu       sync.Mutex
	broker   broker.Broker
	encode   func(T) ([]byte, error)
	decode   func(broker.Event) (T, error)
	open     map[string]*localRoom[T]
	buffer   int
	maxBytes int
	queued   hubQueued
}

// RoomsOption configures Rooms.
type RoomsOption func(*roomsConfig)

type roomsConfig struct {
	broker         broker.Broker
	encode, decode any
	buffer, bytes  int
}

// WithBroker sets the broker that carries the rooms: broker.InProcess by
// default; broker/nats for rooms that span servers.
func WithBroker(b broker.Broker) RoomsOption {
	return func(c *roomsConfig) { c.broker = b }
}

// WithCodec sets how values cross the broker: encode runs once per
// publish, decode once per event on each server (its result is what every
// member of the server receives, so decode may, for instance, put the
// event's sequence number into the value). T must be the Rooms' element
// type: NewRooms panics otherwise.
//
// Without it, a string or byte slice (or a type defined on one, such as
// json.RawMessage or message.Text) crosses as its bytes, and any other
// type as its encoding/json encoding.
func WithCodec[T any](encode func(T) ([]byte, error), decode func(broker.Event) (T, error)) RoomsOption {
	return func(c *roomsConfig) { c.encode, c.decode = encode, decode }
}

// WithRoomMemberLimits sets how many messages, and how many bytes of
// encoded messages, a member may have waiting before it is closed as too
// slow (each at least 1; 0 keeps the default).
func WithRoomMemberLimits(messages, bytes int) RoomsOption {
	return func(c *roomsConfig) { c.buffer, c.bytes = messages, bytes }
}

// NewRooms returns a registry with no rooms.
func NewRooms[T any](opts ...RoomsOption) *Rooms[T] {
	var cfg roomsConfig
	for _, o := range opts {
		o(&cfg)
	}
	r := &Rooms[T]{broker: cfg.broker, buffer: cfg.buffer, maxBytes: cfg.bytes}
	if cfg.encode != nil {
		enc, ok1 := cfg.encode.(func(T) ([]byte, error))
		dec, ok2 := cfg.decode.(func(broker.Event) (T, error))
		if !ok1 || !ok2 {
			panic(fmt.Sprintf("flow: WithCodec of %T given to Rooms of %s", cfg.encode, reflect.TypeFor[T]()))
		}
		r.encode, r.decode = enc, dec
	}
	return r
}

// Since makes a member resume after the event numbered seq, the last one
// it saw: it receives every later event still in the room's history, in
// order, with no gap and no duplicate, then the live ones. When the
// history no longer holds event seq+1, or seq is beyond the room's latest
// event, the member first receives lost (for instance
// {"recovered":false}), then what the history still holds after seq.
// Without Since a member receives the room's events from the moment it
// joins (from its own Announce hello, when it has one). A Hub ignores it.
//
// What the history gives counts against the member's bounds as live
// events do: a member coming back to more than the bounds' worth of
// events is closed with ErrTooSlow.
func Since[T any](seq uint64, lost T) MemberOption[T] {
	return func(c *memberConfig[T]) { c.since, c.hasSince, c.lost = seq, true, lost }
}

// localRoom is a room with members on this server.
type localRoom[T any] struct {
	members int
	mu      sync.Mutex // guards the decoded event
	seq     uint64
	value   T
	decoded bool
}

// goodbyeTimeout bounds how long a leaving member's goodbye may take to
// publish.
const goodbyeTimeout = 5 * time.Second

// Join returns the flow of one member of room: every element of its input
// is published to the room, and its output is the room's events from the
// moment it joined (or after Since's seq), in the room's order. Announce
// publishes its hello when it joins and its goodbye once it has left. Run
// once per connection, it joins when the socket opens and leaves when it
// closes. It fails with the broker's error when the broker cannot be
// reached (broker.ErrUnavailable for the brokers of this module).
func (r *Rooms[T]) Join(room string, opts ...MemberOption[T]) Flow[T, T] {
	var cfg memberConfig[T]
	for _, o := range opts {
		o(&cfg)
	}
	return Flow[T, T]{open: func(s scope, out outlet[T]) inlet[T] {
		b := r.brokerOf()
		failed := func(err error) inlet[T] {
			out.complete(err)
			return inlet[T]{push: func(T) error { return err }, close: func() {}}
		}
		if err := b.Available(); err != nil {
			return failed(err)
		}
		lr := r.enter(room)
		m := newHubMember[T](out.complete)
		m.limit, m.maxBytes, m.queued = r.limits()
		h := broker.Handler{
			Event: func(ev broker.Event) {
				v, err := r.decodeOnce(lr, ev)
				if err != nil {
					m.release()
					m.fail(err)
					return
				}
				if !m.enqueue(v, len(ev.Data)) {
					m.release()
					m.fail(ErrTooSlow)
				}
			},
			End: func(err error) {
				m.release()
				m.fail(err)
			},
		}
		var sub broker.Subscription
		joined := false
		s.onStop(func(error) {
			if sub != nil {
				sub.Close()
			}
			m.release()
			if joined && cfg.hasGoodbye {
				ctx, cancel := context.WithTimeout(context.Background(), goodbyeTimeout)
				_ = r.publish(ctx, b, room, cfg.goodbye) // an unavailable broker has no one to tell
				cancel()
			}
			r.leave(room)
		})
		var err error
		switch {
		case cfg.hasSince:
			sub, err = b.Subscribe(s.ctx, room, cfg.since, h)
			if err == nil && !sub.Recovered() {
				m.prepend(cfg.lost)
			}
			if err == nil && cfg.hasHello {
				err = r.publish(s.ctx, b, room, cfg.hello)
			}
		case cfg.hasHello:
			var seq uint64
			if seq, err = r.publishSeq(s.ctx, b, room, cfg.hello); err == nil {
				sub, err = b.Subscribe(s.ctx, room, seq-1, h)
			}
		default:
			var seq uint64
			if seq, err = b.Latest(s.ctx, room); err == nil {
				sub, err = b.Subscribe(s.ctx, room, seq, h)
			}
		}
		if err != nil {
			return failed(err)
		}
		joined = true
		s.spawn(func() { out.complete(m.drain(s, out)) })
		return inlet[T]{
			push:  func(v T) error { return r.publish(s.ctx, b, room, v) },
			close: func() {},
		}
	}}
}

// Publish publishes v to room from outside any member, for instance a
// server's announcement. It returns once the broker has taken it.
func (r *Rooms[T]) Publish(ctx context.Context, room string, v T) error {
	return r.publish(ctx, r.brokerOf(), room, v)
}

// Len returns the number of rooms with members on this server.
func (r *Rooms[T]) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.open)
}

// Members returns the number of members room has on this server.
func (r *Rooms[T]) Members(room string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if lr := r.open[room]; lr != nil {
		return lr.members
	}
	return 0
}

// Available returns nil while the broker can carry rooms, and its error
// (broker.ErrUnavailable for the brokers of this module) while it cannot:
// a server answers room handshakes with 503 then.
func (r *Rooms[T]) Available() error { return r.brokerOf().Available() }

// Queued returns how many messages, and how many bytes of encoded
// messages, are waiting to be written to the members of this server,
// summed over its rooms.
func (r *Rooms[T]) Queued() (messages, bytes int) {
	return int(r.queued.messages.Load()), int(r.queued.bytes.Load())
}

func (r *Rooms[T]) publish(ctx context.Context, b broker.Broker, room string, v T) error {
	_, err := r.publishSeq(ctx, b, room, v)
	return err
}

func (r *Rooms[T]) publishSeq(ctx context.Context, b broker.Broker, room string, v T) (uint64, error) {
	enc, _ := r.codec()
	data, err := enc(v)
	if err != nil {
		return 0, err
	}
	return b.Publish(ctx, room, data)
}

// decodeOnce decodes ev for the members of lr, once per event while the
// broker delivers one event to all of them in turn.
func (r *Rooms[T]) decodeOnce(lr *localRoom[T], ev broker.Event) (T, error) {
	lr.mu.Lock()
	defer lr.mu.Unlock()
	if lr.decoded && lr.seq == ev.Seq {
		return lr.value, nil
	}
	_, dec := r.codec()
	v, err := dec(ev)
	if err != nil {
		return v, err
	}
	lr.seq, lr.value, lr.decoded = ev.Seq, v, true
	return v, nil
}

// brokerOf returns the broker, making the in-process one on first use.
func (r *Rooms[T]) brokerOf() broker.Broker {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.broker == nil {
		r.broker = broker.NewInProcess()
	}
	return r.broker
}

func (r *Rooms[T]) codec() (func(T) ([]byte, error), func(broker.Event) (T, error)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.encode == nil {
		r.encode, r.decode = defaultCodec[T]()
	}
	return r.encode, r.decode
}

func (r *Rooms[T]) limits() (int, int, *hubQueued) {
	n, b := r.buffer, r.maxBytes
	if n <= 0 {
		n = DefaultMemberBuffer
	}
	if b <= 0 {
		b = DefaultMemberBytes
	}
	return n, b, &r.queued
}

// enter counts one member more in room, making its local state if needed.
func (r *Rooms[T]) enter(room string) *localRoom[T] {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.open == nil {
		r.open = make(map[string]*localRoom[T])
	}
	lr := r.open[room]
	if lr == nil {
		lr = &localRoom[T]{}
		r.open[room] = lr
	}
	lr.members++
	return lr
}

// leave counts one member fewer in room and frees it after its last.
func (r *Rooms[T]) leave(room string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if lr := r.open[room]; lr != nil {
		if lr.members--; lr.members <= 0 {
			delete(r.open, room)
		}
	}
}

// defaultCodec is the encoding of WithCodec's documentation.
func defaultCodec[T any]() (func(T) ([]byte, error), func(broker.Event) (T, error)) {
	t := reflect.TypeFor[T]()
	switch {
	case t.Kind() == reflect.String:
		return func(v T) ([]byte, error) {
				return []byte(reflect.ValueOf(v).String()), nil
			}, func(ev broker.Event) (T, error) {
				var v T
				reflect.ValueOf(&v).Elem().SetString(string(ev.Data))
				return v, nil
			}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return func(v T) ([]byte, error) {
				return reflect.ValueOf(v).Bytes(), nil
			}, func(ev broker.Event) (T, error) {
				var v T
				reflect.ValueOf(&v).Elem().SetBytes(ev.Data)
				return v, nil
			}
	}
	return func(v T) ([]byte, error) { return json.Marshal(v) },
		func(ev broker.Event) (T, error) {
			var v T
			err := json.Unmarshal(ev.Data, &v)
			return v, err
		}
}
