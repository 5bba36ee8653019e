package rooms

import (
	"context"
	"errors"
	"io"
	"runtime"
	"sync"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/internal/batch"
)

// JoinOption configures one member's Join.
type JoinOption[T any] func(*joinConfig[T])

type joinConfig[T any] struct {
	hello, goodbye T
	announce       bool
	resume         bool
	from           broker.Position
	resumed        func(epoch string, recovered bool) T
	greet          func(epoch string) T
}

// Announce publishes hello when the member joins (it receives it too) and
// goodbye once it has left, for whatever reason: chat's "* N joined" and
// "* N left".
func Announce[T any](hello, goodbye T) JoinOption[T] {
	return func(c *joinConfig[T]) { c.hello, c.goodbye, c.announce = hello, goodbye, true }
}

// Resume makes a member come back after from, the last event it saw: its
// first message is first(epoch, recovered), with the room's epoch and
// whether the history held every event after from; then it receives every
// event the history holds after from, in order, with no gap and no
// duplicate, then the live ones. recovered is false when the history no
// longer reaches back to from, when from is beyond the room's latest
// event, or when from's epoch is not the room's (then every event the
// history holds follows).
//
// What the history gives is written as the member's socket takes it and
// never counts against the member's Limits; the live events that arrive
// meanwhile wait in its queue and do.
func Resume[T any](from broker.Position, first func(epoch string, recovered bool) T) JoinOption[T] {
	return func(c *joinConfig[T]) { c.resume, c.from, c.resumed = true, from, first }
}

// Greet makes a member's first message first(epoch), with the room's
// epoch, so that it can Resume later in the same epoch. A member that
// Resumes is greeted by Resume's first instead.
func Greet[T any](first func(epoch string) T) JoinOption[T] {
	return func(c *joinConfig[T]) { c.greet = first }
}

// Join returns the flow of one member of room: every element of its input
// is published to the room, and its output is the room's events from the
// moment it joined (or after Resume's position), in the room's order,
// after the first message of Greet or Resume. Announce publishes its hello
// when it joins and its goodbye once it has left. Run once per
// connection, it joins when the socket opens and leaves when it closes.
//
// It fails with ErrTooSlow when its queue of live messages would pass its
// Limits, and with the broker's error when the broker cannot carry the
// room (broker.ErrUnavailable for the brokers of this module).
func (r *Rooms[T]) Join(room string, opts ...JoinOption[T]) flow.Flow[T, T] {
	var cfg joinConfig[T]
	for _, o := range opts {
		o(&cfg)
	}
	return flow.Defer(func() flow.Flow[T, T] {
		m := r.newMember(room, &cfg)
		return flow.Wrap(flow.ForEachErr(m.publish), flow.SourceFunc(m.run)).OnDone(m.leave)
	})
}

// member is one running member of a room.
type member[T any] struct {
	r     *Rooms[T]
	cfg   *Config[T]
	room  string
	join  *joinConfig[T]
	queue *liveQueue[T]

	joined    chan struct{} // closed once the member has joined: publishes go
	pubCtx    context.Context
	cancelPub context.CancelFunc

	failOnce sync.Once
	failed   chan struct{} // closed when the member fails from outside its writer
	failure  error

	// Set by the writer, read by leave once the writer has ended.
	started    bool
	writerDone chan struct{}
	writeErr   error
	local      *localRoom[T]
	sub        broker.Subscription
	announced  bool
	from       uint64 // the first sequence number it writes live: its hello's, once announced
}

func (r *Rooms[T]) newMember(room string, join *joinConfig[T]) *member[T] {
	cfg := r.config()
	m := &member[T]{
		r:          r,
		cfg:        cfg,
		room:       room,
		join:       join,
		queue:      newLiveQueue[T](cfg.Limits),
		joined:     make(chan struct{}),
		failed:     make(chan struct{}),
		writerDone: make(chan struct{}),
	}
	m.pubCtx, m.cancelPub = context.WithCancel(context.Background())
	return m
}

// publish publishes v, an element of the member's input, once the member
// has joined, so that its own messages follow its hello.
func (m *member[T]) publish(v T) error {
	select {
	case <-m.joined:
	case <-m.writerDone: // it never joined: the run is ending
		return m.writeErr
	case <-m.failed:
		return m.failure
	case <-m.pubCtx.Done():
		return m.pubCtx.Err()
	}
	ctx, cancel := context.WithTimeout(m.pubCtx, publishTimeout)
	defer cancel()
	_, err := m.cfg.publish(ctx, m.room, v)
	return err
}

// run is the member's output: its writer runs on a goroutine of its own,
// so that a failure from outside it (ErrTooSlow, the broker's end) ends
// the member at once, even while the writer waits for a socket that takes
// nothing. leave waits for the writer.
func (m *member[T]) run(ctx context.Context, emit func(T) error) error {
	context.AfterFunc(ctx, func() {
		m.cancelPub()
		m.queue.wake()
	})
	m.started = true
	go func() {
		defer close(m.writerDone)
		m.writeErr = m.write(ctx, emit)
	}()
	select {
	case <-m.writerDone:
		return m.writeErr
	case <-m.failed:
		return m.failure
	}
}

// fail ends the member with err, from outside its writer, and frees its
// queue at once.
func (m *member[T]) fail(err error) {
	m.failOnce.Do(func() {
		m.failure = err
		m.queue.release()
		close(m.failed)
		m.queue.wake()
	})
}

// write joins the room, writes the member's first message and what it
// replays, then the live events, until the member ends.
func (m *member[T]) write(ctx context.Context, emit func(T) error) error {
	b := m.cfg.Broker
	if err := b.Available(); err != nil {
		return err
	}
	lr := m.r.enter(m.room, m.queue)
	m.local = lr
	sub, err := b.Subscribe(ctx, m.room, broker.Handler{
		Event: func(ev broker.Event) {
			v, err := lr.decodeOnce(m.cfg.Codec.Decode, ev)
			if err != nil {
				m.fail(err)
				return
			}
			if !m.queue.push(v, len(ev.Data), ev.Seq) {
				m.fail(ErrTooSlow)
			}
		},
		End: m.fail,
	})
	if err != nil {
		return err
	}
	m.sub = sub
	m.r.joined(lr)
	start := sub.Start()
	var rp broker.Replay
	if m.join.resume { // before the hello, which could push out what it reads
		if rp, err = b.Replay(ctx, m.room, m.join.from, start.Seq); err != nil {
			return err
		}
		defer rp.Close()
	}
	if m.join.announce {
		pctx, cancel := context.WithTimeout(ctx, publishTimeout)
		seq, err := m.cfg.publish(pctx, m.room, m.join.hello)
		cancel()
		if err != nil {
			return err
		}
		m.announced = true
		if !m.join.resume {
			// Its feed may start before events that others published
			// before its hello and that this server had not yet seen
			// (with a broker across servers): it receives from its hello.
			m.from = seq
		}
	}
	close(m.joined)
	out := batch.From(ctx)
	switch {
	case rp != nil:
		if err := m.replay(ctx, rp, start.Epoch, emit); err != nil {
			return err
		}
	case m.join.greet != nil:
		if err := emit(m.join.greet(start.Epoch)); err != nil {
			return err
		}
	}
	return m.live(ctx, out, emit)
}

// replay writes the first message of Resume, then what rp reads: the
// history after the member's position up to where its live feed starts,
// a batch at a time, pulling the next only once the socket has taken the
// one before. Each event is decoded as it is written, and the output is
// not held: a member whose socket takes nothing holds one event of the
// history, not a batch of them, whatever the history's size.
func (m *member[T]) replay(ctx context.Context, rp broker.Replay, epoch string, emit func(T) error) error {
	if err := emit(m.join.resumed(epoch, rp.Recovered())); err != nil {
		return err
	}
	for {
		evs, err := rp.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, ev := range evs {
			v, err := m.cfg.Codec.Decode(ev)
			if err != nil {
				return err
			}
			if err := emit(v); err != nil {
				return err
			}
		}
	}
}

// live writes the member's queue of live events as they come.
func (m *member[T]) live(ctx context.Context, out batch.Output, emit func(T) error) error {
	var buf []pending[T]
	for {
		<-m.queue.ready // given too when the member ends, from within or without
		select {
		case <-m.failed:
			return m.failure
		default:
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		// Let the publishers that are ready to run go first: what they
		// publish meanwhile joins this batch, and the batch goes out in
		// one write (see package internal/batch). With nothing else to run it
		// returns at once.
		runtime.Gosched()
		buf = m.queue.take(buf)
		if err := m.writeLive(buf, hold(out, len(buf)), emit); err != nil {
			return err
		}
	}
}

// writeLive emits msgs, with out released afterwards when it is not nil,
// and counts them written as the socket takes them: each on its own
// without out, all at once once out is released (a held batch goes out
// in one write).
func (m *member[T]) writeLive(msgs []pending[T], out batch.Output, emit func(T) error) error {
	n, size := 0, 0 // emitted and not yet counted written
	defer func() {
		if out != nil {
			out.Release()
		}
		m.queue.written(n, size)
	}()
	for i, p := range msgs {
		msgs[i] = pending[T]{}
		if p.seq >= m.from {
			if err := emit(p.v); err != nil {
				return err
			}
		}
		n, size = n+1, size+p.size
		if out == nil {
			m.queue.written(n, size)
			n, size = 0, 0
		}
	}
	return nil
}

// hold holds out for n elements about to be emitted back to back, and
// returns it to release afterwards; it returns nil when there is nothing
// to gather.
func hold(out batch.Output, n int) batch.Output {
	if out == nil || n < 2 {
		return nil
	}
	out.Hold()
	return out
}

// leave ends the membership once the member's run has stopped: it waits
// for the writer, leaves the live feed, frees the queue and says goodbye.
func (m *member[T]) leave(error) {
	m.cancelPub()
	if m.started {
		<-m.writerDone
	}
	if m.sub != nil {
		m.sub.Close()
	}
	m.queue.release()
	if m.announced {
		ctx, cancel := context.WithTimeout(context.Background(), publishTimeout)
		_, _ = m.cfg.publish(ctx, m.room, m.join.goodbye) // an unavailable broker has no one to tell
		cancel()
	}
	if m.local != nil {
		m.r.leave(m.room, m.local, m.queue, m.sub != nil)
	}
}
