package natsbroker

import (
	"context"
	"errors"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/wsflow/wsflow/broker"
)

// room is a room with subscribers on this server: its one consumer and
// the subscribers it feeds.
type room struct {
	b    *Broker
	name string

	mu   sync.Mutex
	subs map[*sub]struct{}
	last uint64 // the latest sequence number handed to the subscribers
	cc   jetstream.ConsumeContext
	dead bool
}

// sub is one subscription.
type sub struct {
	r         *room
	h         broker.Handler
	next      uint64         // the next sequence number it is to receive
	catching  bool           // still reading its history: live events wait
	waiting   []broker.Event // live events that came while catching up
	recovered bool
	ended     bool
}

// Recovered reports whether the subscription received every event after
// the one it asked for.
func (s *sub) Recovered() bool { return s.recovered }

// Close ends the subscription, and the room's consumer after the room's
// last subscriber.
func (s *sub) Close() {
	r := s.r
	r.mu.Lock()
	if _, ok := r.subs[s]; !ok {
		r.mu.Unlock()
		return
	}
	delete(r.subs, s)
	s.ended = true
	last := len(r.subs) == 0 && !r.dead
	if last {
		r.dead = true
	}
	r.mu.Unlock()
	if last {
		r.b.mu.Lock()
		if r.b.rooms[r.name] == r {
			delete(r.b.rooms, r.name)
		}
		r.b.mu.Unlock()
		r.stop()
	}
}

// stop stops the room's consumer and waits until its handler has
// returned. The room must be dead.
func (r *room) stop() {
	if r.cc != nil {
		r.cc.Stop()
		<-r.cc.Closed()
	}
}

// end ends every subscription of the room with err.
func (r *room) end(err error) {
	r.mu.Lock()
	subs := r.subs
	r.subs = nil
	r.dead = true
	for s := range subs {
		s.ended = true
	}
	r.mu.Unlock()
	r.stop()
	for s := range subs {
		if s.h.End != nil {
			s.h.End(err)
		}
	}
}

// deliver is the room consumer's handler: it hands each event to the
// room's subscribers in stream order.
func (r *room) deliver(msg jetstream.Msg) {
	meta, err := msg.Metadata()
	if err != nil {
		return
	}
	ev := broker.Event{Seq: meta.Sequence.Stream, Data: msg.Data()}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dead || ev.Seq <= r.last {
		return
	}
	r.last = ev.Seq
	for s := range r.subs {
		switch {
		case s.catching:
			s.waiting = append(s.waiting, ev)
		case ev.Seq >= s.next:
			s.next = ev.Seq + 1
			s.h.Event(ev)
		}
	}
}

// Subscribe delivers the room's events after after: those still in the
// stream, read from it directly, then the live ones from the room's
// consumer on this server, which it makes for the room's first local
// subscriber.
func (b *Broker) Subscribe(ctx context.Context, roomName string, after uint64, h broker.Handler) (broker.Subscription, error) {
	if err := b.Available(); err != nil {
		return nil, err
	}
	st, info, err := b.streamInfo(ctx, roomName)
	if err != nil {
		return nil, err
	}
	first, latest := info.State.FirstSeq, info.State.LastSeq
	if info.State.Msgs == 0 {
		first = latest + 1
	}
	s := &sub{h: h, next: after + 1, catching: true, recovered: after+1 >= first && after <= latest}
	if after > latest { // beyond the room: not recovered, and live from now on
		s.next = latest + 1
	}
	r, seen, err := b.enter(ctx, roomName, st, latest, s)
	if err != nil {
		return nil, err
	}
	// Read what the consumer had handed out before s joined, from the
	// stream itself.
	for seq := max(s.next, first); seq <= seen; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			s.recovered = false // aged out while it was being read
			continue
		}
		if err != nil {
			s.Close()
			return nil, b.unavailable(err)
		}
		s.next = seq + 1
		h.Event(broker.Event{Seq: seq, Data: m.Data})
	}
	// Then what came while it was reading, and from now on, live.
	r.mu.Lock()
	defer r.mu.Unlock()
	if s.ended {
		return nil, broker.ErrUnavailable
	}
	for _, ev := range s.waiting {
		if ev.Seq >= s.next {
			s.next = ev.Seq + 1
			h.Event(ev)
		}
	}
	s.waiting, s.catching = nil, false
	return s, nil
}

// enter adds s to the room on this server, making the room and its
// consumer (from the event after latest) if it has no subscriber here. It
// returns the room and the latest sequence number handed out before s
// joined.
func (b *Broker) enter(ctx context.Context, name string, st jetstream.Stream, latest uint64, s *sub) (*room, uint64, error) {
	for {
		b.mu.Lock()
		r := b.rooms[name]
		if r == nil {
			r = &room{b: b, name: name, subs: make(map[*sub]struct{}), last: latest}
			// Held until the consumer runs, so that another subscriber
			// waits for it rather than joining a room that has none.
			r.mu.Lock()
			b.rooms[name] = r
			b.mu.Unlock()
			cons, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
				DeliverPolicy: jetstream.DeliverByStartSequencePolicy,
				OptStartSeq:   latest + 1,
			})
			var cc jetstream.ConsumeContext
			if err == nil {
				cc, err = cons.Consume(r.deliver)
			}
			if err != nil {
				r.dead = true
				r.mu.Unlock()
				b.mu.Lock()
				if b.rooms[name] == r {
					delete(b.rooms, name)
				}
				b.mu.Unlock()
				return nil, 0, b.unavailable(err)
			}
			r.cc = cc
		} else {
			b.mu.Unlock()
			r.mu.Lock()
		}
		if r.dead { // its last subscriber left, or the connection was lost
			r.mu.Unlock()
			if err := b.Available(); err != nil {
				return nil, 0, err
			}
			continue
		}
		s.r = r
		r.subs[s] = struct{}{}
		seen := r.last
		r.mu.Unlock()
		return r, seen, nil
	}
}

// streamInfo returns the room's stream and its state, making the stream
// again if it was deleted after it was looked up.
func (b *Broker) streamInfo(ctx context.Context, room string) (jetstream.Stream, *jetstream.StreamInfo, error) {
	for attempt := 0; ; attempt++ {
		st, _, err := b.stream(ctx, room)
		if err != nil {
			return nil, nil, err
		}
		info, err := st.Info(ctx)
		if err == nil {
			return st, info, nil
		}
		b.forgetStream(room)
		if attempt > 0 || !errors.Is(err, jetstream.ErrStreamNotFound) {
			return nil, nil, b.unavailable(err)
		}
	}
}
