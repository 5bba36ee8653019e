package natsbroker

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/wsflow/wsflow/broker"
)

// Replay batches: at most replayBatch events and replayBatchBytes bytes
// (or one message of the server's largest size) per request.
const (
	replayBatch      = 256
	replayBatchBytes = 256 << 10
)

// replayInactive is how long the NATS server keeps a replay's consumer
// that nobody reads.
const replayInactive = 30 * time.Second

// replay reads a room's history through an ephemeral consumer filtered on
// the room's subject, in batches.
type replay struct {
	b         *Broker
	stream    string
	cons      jetstream.Consumer // nil once released
	after     uint64             // events up to it are not returned
	upTo      uint64
	pending   uint64 // events of the room after the last one read
	first     uint64 // the first event read (0: none)
	recovered bool
	ready     []broker.Event // the first batch, read to learn Recovered
	done      bool
}

// Replay reads the room's history after from, up to and including upTo.
//
// With from.Seq > 0 in the room's epoch, its consumer starts at from.Seq:
// the replay recovered iff that event is still held (and is the room's: a
// number the room never had counts as not recovered). With from.Seq = 0,
// it recovered iff the partition's stream has discarded nothing. With an
// epoch other than the room's, it reads every event held and did not
// recover. Its first batch is read before Replay returns.
func (b *Broker) Replay(ctx context.Context, room string, from broker.Position, upTo uint64) (broker.Replay, error) {
	if err := b.Available(); err != nil {
		return nil, err
	}
	p := b.partitions[partitionOf(room, len(b.partitions))]
	sameEpoch := from.Epoch == "" || from.Epoch == p.currentEpoch()
	r := &replay{b: b, stream: p.stream, after: from.Seq, upTo: upTo}
	if !sameEpoch {
		r.after = 0
	}
	cfg := jetstream.ConsumerConfig{
		FilterSubject:     p.subject + "." + token(room),
		DeliverPolicy:     jetstream.DeliverAllPolicy,
		AckPolicy:         jetstream.AckNonePolicy,
		InactiveThreshold: replayInactive,
		MemoryStorage:     true,
		Replicas:          1,
	}
	if r.after > 0 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, r.after
	}
	cons, err := b.js.CreateConsumer(ctx, p.stream, cfg)
	if err != nil {
		return nil, unavailable(err)
	}
	r.cons, r.pending = cons, cons.CachedInfo().NumPending
	for r.first == 0 && !r.done { // until the first event, or the end
		evs, err := r.fetch(ctx)
		if err != nil {
			r.Close()
			return nil, err
		}
		r.ready = append(r.ready, evs...)
	}
	switch {
	case !sameEpoch:
	case from.Seq > 0:
		r.recovered = r.first == from.Seq
	default:
		st, err := b.js.Stream(ctx, p.stream)
		if err != nil {
			r.Close()
			return nil, unavailable(err)
		}
		state := st.CachedInfo().State
		r.recovered = state.FirstSeq <= 1 && state.NumDeleted == 0
	}
	return r, nil
}

// Recovered reports whether the history held every event of the room
// after the replay's start.
func (r *replay) Recovered() bool { return r.recovered }

// Next returns the next batch of events; io.EOF after the last.
func (r *replay) Next(ctx context.Context) ([]broker.Event, error) {
	if evs := r.ready; evs != nil {
		r.ready = nil
		return evs, nil
	}
	for !r.done {
		evs, err := r.fetch(ctx)
		if err != nil {
			return nil, err
		}
		if len(evs) > 0 {
			return evs, nil
		}
	}
	r.Close()
	return nil, io.EOF
}

// fetch reads one batch from the consumer. It sets done once it has read
// the event numbered upTo or beyond, or the room has no more.
func (r *replay) fetch(ctx context.Context) ([]broker.Event, error) {
	if r.pending == 0 {
		r.done = true
		return nil, nil
	}
	batch, err := r.cons.Fetch(int(min(r.pending, replayBatch)),
		jetstream.FetchMaxBytes(r.b.batchBytes), jetstream.FetchContext(ctx))
	if err != nil {
		return nil, unavailable(err)
	}
	var evs []broker.Event
	read := false
	for m := range batch.Messages() {
		meta, err := m.Metadata()
		if err != nil {
			continue
		}
		read = true
		seq := meta.Sequence.Stream
		r.pending = meta.NumPending
		if r.first == 0 {
			r.first = seq
		}
		switch {
		case r.done:
		case seq > r.upTo:
			r.done = true
		case seq > r.after:
			evs = append(evs, broker.Event{Seq: seq, Data: m.Data()})
			r.done = seq == r.upTo
		}
	}
	if err := batch.Error(); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return nil, unavailable(err)
	}
	if !read { // events went while it asked for them: count again
		info, err := r.cons.Info(ctx)
		if err != nil {
			return nil, unavailable(err)
		}
		r.pending = info.NumPending
	}
	if r.pending == 0 {
		r.done = true
	}
	return evs, nil
}

// Close deletes the replay's consumer; Next then returns io.EOF.
func (r *replay) Close() {
	r.ready, r.done = nil, true
	if r.cons == nil {
		return
	}
	name := r.cons.CachedInfo().Name
	r.cons = nil
	if r.b.Available() != nil {
		return // the server removes it when it is inactive
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	_ = r.b.js.DeleteConsumer(ctx, r.stream, name)
	cancel()
}
