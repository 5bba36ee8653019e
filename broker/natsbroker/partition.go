package natsbroker

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/wsflow/wsflow/broker"
)

// feedInactive is how long the NATS server keeps a stopped partition
// consumer before it removes it.
const feedInactive = 30 * time.Second

// partition is one stream, and the live feed of its rooms on this server:
// one consumer for the local subscribers of all its rooms.
type partition struct {
	b       *Broker
	stream  string
	subject string // the rooms' subjects are subject.<token>

	mu    sync.Mutex
	epoch string
	rooms map[string]map[*sub]struct{} // by subject; a room with no subscription has no entry
	feed  jetstream.ConsumeContext     // the consumer, from the first subscription to the connection's loss
	gen   uint64                       // counts the consumers started: deliveries of older ones are dropped
	last  uint64                       // the latest sequence number the consumer handed out
}

// sub is one subscription.
type sub struct {
	p       *partition
	subject string
	h       broker.Handler
	start   broker.Position
}

// Start returns the position after which the subscription receives every
// event of its room.
func (s *sub) Start() broker.Position { return s.start }

// Close ends the subscription. The partition's consumer goes on after
// its last one on this server, until the broker loses its connection or
// is closed: a server keeps at most one consumer per partition, and
// rooms joined one after another do not make and drop one each.
func (s *sub) Close() {
	p := s.p
	p.mu.Lock()
	subs := p.rooms[s.subject]
	if _, ok := subs[s]; !ok {
		p.mu.Unlock()
		return
	}
	delete(subs, s)
	if len(subs) == 0 {
		delete(p.rooms, s.subject)
	}
	p.mu.Unlock()
}

// setEpoch records the partition's epoch and reports whether it changed.
func (p *partition) setEpoch(e string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	changed := p.epoch != "" && p.epoch != e
	p.epoch = e
	return changed
}

// currentEpoch returns the partition's epoch.
func (p *partition) currentEpoch() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.epoch
}

// Subscribe starts the room's live feed on this server: the room's events
// that the partition's consumer hands out after the subscription's Start.
// The partition's first local subscription starts the consumer after the
// stream's latest event.
func (b *Broker) Subscribe(ctx context.Context, room string, h broker.Handler) (broker.Subscription, error) {
	if err := b.Available(); err != nil {
		return nil, err
	}
	p := b.partitions[partitionOf(room, len(b.partitions))]
	s := &sub{p: p, subject: p.subject + "." + token(room), h: h}
	p.mu.Lock()
	if p.feed == nil {
		if err := p.startFeed(ctx); err != nil {
			p.mu.Unlock()
			return nil, unavailable(err)
		}
	}
	if err := b.Available(); err != nil { // lost while the consumer started
		var stop jetstream.ConsumeContext
		if len(p.rooms) == 0 {
			stop = p.detach()
		}
		p.mu.Unlock()
		stopFeed(stop)
		return nil, err
	}
	subs := p.rooms[s.subject]
	if subs == nil {
		subs = make(map[*sub]struct{})
		p.rooms[s.subject] = subs
	}
	subs[s] = struct{}{}
	s.start = broker.Position{Epoch: p.epoch, Seq: p.last}
	p.mu.Unlock()
	return s, nil
}

// startFeed starts the partition's consumer after the stream's latest
// event, making the stream again if it is gone. p.mu is held.
func (p *partition) startFeed(ctx context.Context) error {
	st, err := p.b.js.Stream(ctx, p.stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		st, err = p.b.makeStream(ctx, p)
	}
	if err != nil {
		return err
	}
	info := st.CachedInfo()
	last := info.State.LastSeq
	cons, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		DeliverPolicy:     jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:       last + 1,
		InactiveThreshold: feedInactive,
	})
	if err != nil {
		return err
	}
	gen := p.gen + 1
	feed, err := cons.Consume(func(m jetstream.Msg) { p.deliver(gen, m) })
	if err != nil {
		return err
	}
	p.epoch, p.last, p.gen, p.feed = epochOf(info.Created), last, gen, feed
	return nil
}

// deliver is consumer gen's handler: it hands each event to the local
// subscribers of its room, in stream order.
func (p *partition) deliver(gen uint64, m jetstream.Msg) {
	meta, err := m.Metadata()
	if err != nil {
		return
	}
	ev := broker.Event{Seq: meta.Sequence.Stream, Data: m.Data()}
	p.mu.Lock()
	defer p.mu.Unlock()
	if gen != p.gen || ev.Seq <= p.last { // a detached consumer's gen is never p.gen
		return
	}
	p.last = ev.Seq
	for s := range p.rooms[m.Subject()] {
		s.h.Event(ev)
	}
}

// detach takes the consumer off the partition, to be stopped with
// stopFeed once p.mu is released. p.mu is held.
func (p *partition) detach() jetstream.ConsumeContext {
	feed := p.feed
	p.feed = nil
	p.gen++
	return feed
}

// stopFeed stops a detached consumer and waits until its handler has
// returned.
func stopFeed(feed jetstream.ConsumeContext) {
	if feed != nil {
		feed.Stop()
		<-feed.Closed()
	}
}

// end ends every subscription of the partition with err, and stops its
// consumer.
func (p *partition) end(err error) {
	p.mu.Lock()
	rooms := p.rooms
	p.rooms = make(map[string]map[*sub]struct{})
	stop := p.detach()
	p.mu.Unlock()
	stopFeed(stop)
	for _, subs := range rooms {
		for s := range subs {
			if s.h.End != nil {
				s.h.End(err)
			}
		}
	}
}
