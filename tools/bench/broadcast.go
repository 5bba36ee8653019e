package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// joinTimeout bounds how long the members of a broadcast room may take to
// hear that a member joined.
const joinTimeout = 10 * time.Second

// MeasureBroadcast runs one broadcast round against roomURL, the prefix
// of a chat room route (see Routes.Room): l.Members members join a room
// of their own, named afresh for the round, as m0, m1, ..., one at a
// time, each once every member before it has heard "* NAME joined" of
// the one before (a burst of joins would flood a room with announcements,
// and gorilla-hub drops a member whose 256 queued messages are not
// written in time); then the first l.Senders of them send messages of
// l.Size bytes, for l.Warmup and then the measured l.Duration.
//
// With l.Rate 0 the round is a closed loop: a sender keeps l.Window
// messages on their way (at least 1), sending its next once its
// deliveries count l.Members for every message up to the one l.Window
// before it, so that about l.Senders*l.Window messages are on their way
// to each member: the server is kept busy (saturated, for a Window
// large enough) without a member falling behind. A count cannot tell a
// slow member from a fast one, so a member may be a little further
// behind than that; l.Senders*l.Window well under a baseline's queue
// (gorilla-hub's 256) keeps it from being dropped. With l.Rate > 0 each
// sender sends l.Rate messages a second on a fixed schedule, whatever
// the deliveries do; a server that cannot keep up falls behind, and
// drops or closes members, which fails the round.
//
// Every member checks every message: from each sender exactly the
// messages it sent, in order, unaltered (see broadcastChecker); a
// mismatch fails the round, and so does a message that has not reached
// every member drainTimeout after it was due. Announcements of members
// joining pace the joins and are otherwise, as those of members leaving,
// not checked. A message's latency is the time from
// just before its Write to just after a member has read it whole, for
// deliveries read in the measured window. pid is the server's process (0:
// unknown).
func MeasureBroadcast(ctx context.Context, roomURL string, pid int, l Load) (Sample, error) {
	room := fmt.Sprintf("bench-%016x", rand.Uint64())
	g := newGroup(ctx, nil)
	b := newBroadcastRound(l)
	conns := make([]*websocket.Conn, 0, l.Members)
	for i := range l.Members {
		c, err := dialOne(ctx, roomURL+room+"?name="+url.QueryEscape(memberName(i)), int64(l.Size)+64)
		if err != nil {
			g.fail(fmt.Errorf("member %s: %w", memberName(i), err))
			break
		}
		if !g.add(c) {
			break
		}
		conns = append(conns, c)
		g.spawn(func() error { return b.member(i, c) })
		if err := b.awaitJoin(i, g); err != nil {
			g.fail(err)
			break
		}
	}
	select {
	case <-g.failed:
		return Sample{}, g.wait()
	default:
	}

	stop := make(chan struct{})
	var senders sync.WaitGroup
	for i := range l.Senders {
		senders.Add(1)
		g.spawn(func() error {
			defer senders.Done()
			return b.send(i, conns[i], stop, g.failed)
		})
	}
	g.spawn(func() error {
		senders.Wait() // every message has reached every member, or the round failed
		b.closing.Store(true)
		closeAll(conns, true)
		return nil
	})
	ra, rb, err := g.window(l, pid, b.counters, &b.phase, stop)
	if err != nil {
		return Sample{}, err
	}
	sent := make([]uint64, l.Senders)
	var s Sample
	for i := range b.senders {
		sent[i] = b.senders[i].sent
		s.Sent += b.senders[i].measured
	}
	for _, chk := range b.checkers {
		if err := chk.complete(sent); err != nil {
			return Sample{}, err
		}
	}
	ra.fill(rb, l.Size, &s)
	var all []time.Duration
	for _, d := range b.lats {
		all = append(all, d...)
	}
	s.Latency = summarize(all)
	return s, nil
}

// broadcastRound is the state of a broadcast round that its goroutines
// share.
type broadcastRound struct {
	l        Load
	began    time.Time // the origin of the send times in the messages
	phase    atomic.Int32
	closing  atomic.Bool // the round is over: a connection's end is no error
	counters []connCounter
	checkers []*broadcastChecker
	lats     [][]time.Duration // by member: latencies read in the window
	senders  []senderState

	heard  []atomic.Int64 // by member: how many members have heard it joined
	joined chan struct{}  // signalled when the member joining has been heard by all
}

// senderState is one sender's progress, on cache lines of its own.
type senderState struct {
	delivered atomic.Int64  // deliveries of its messages, to every member
	want      atomic.Int64  // the delivered count the sender waits for; -1: none
	reached   chan struct{} // signalled when delivered reaches want
	sent      uint64        // messages sent (the sender's own)
	measured  int64         // of which in the measured window
	_         [64]byte
}

func newBroadcastRound(l Load) *broadcastRound {
	b := &broadcastRound{
		l:        l,
		began:    time.Now(),
		counters: make([]connCounter, l.Members),
		checkers: make([]*broadcastChecker, l.Members),
		lats:     make([][]time.Duration, l.Members),
		senders:  make([]senderState, l.Senders),
		heard:    make([]atomic.Int64, l.Members),
		joined:   make(chan struct{}, 1),
	}
	for i := range b.checkers {
		b.checkers[i] = newBroadcastChecker(i, l.Senders, l.Size)
	}
	for i := range b.senders {
		b.senders[i].want.Store(-1)
		b.senders[i].reached = make(chan struct{}, 1)
	}
	return b
}

// awaitJoin waits until members 0 to i have heard that member i joined:
// once member i has, it receives every message sent.
func (b *broadcastRound) awaitJoin(i int, g *group) error {
	t := time.NewTimer(joinTimeout)
	defer t.Stop()
	select {
	case <-b.joined:
		return nil
	case <-g.failed:
		return nil // g holds the error
	case <-t.C:
		return fmt.Errorf("%s joined, and %d of the %d members had not heard of it after %v", memberName(i), int64(i+1)-b.heard[i].Load(), i+1, joinTimeout)
	}
}

// member reads and checks what member id receives until the connection
// ends; its end is no error once the round is closing.
func (b *broadcastRound) member(id int, c *websocket.Conn) error {
	me := []byte(memberName(id))
	chk := b.checkers[id]
	in := make([]byte, 0, b.l.Size+64)
	joined := false
	for {
		typ, msg, err := readMessage(c, in)
		if err != nil {
			if b.closing.Load() {
				return nil
			}
			return fmt.Errorf("member %s: %w", me, err)
		}
		in = msg
		if typ != websocket.MessageText {
			return fmt.Errorf("delivery mismatch at member %s: got a %v message, want text", me, typ)
		}
		line, err := parseChatLine(msg)
		if err != nil {
			return &DeliveryError{Member: id, Sender: -1, Problem: err.Error(), Got: append([]byte(nil), msg...)}
		}
		if line.kind == lineJoined {
			if string(line.name) == string(me) {
				joined = true
			}
			if j := memberIndex(line.name); j >= 0 && j < len(b.heard) && b.heard[j].Add(1) == int64(j+1) {
				select {
				case b.joined <- struct{}{}:
				default: // a server announcing joins that did not happen: awaitJoin times out
				}
			}
			continue
		}
		switch {
		case line.kind != lineSaid:
			continue
		case !joined:
			return &DeliveryError{Member: id, Sender: -1, Problem: "a message before its own \"joined\"", Got: append([]byte(nil), msg...)}
		}
		sender, at, err := chk.check(line.name, line.text)
		if err != nil {
			return err
		}
		lat := time.Since(b.began) - at
		if lat < 0 {
			return &DeliveryError{Member: id, Sender: sender, Seq: chk.next[sender] - 1, Problem: "a send time in the future", Got: append([]byte(nil), line.text...)}
		}
		b.counters[id].msgs.Add(1)
		if b.phase.Load() == phaseMeasure {
			b.lats[id] = append(b.lats[id], lat)
		}
		ss := &b.senders[sender]
		if n := ss.delivered.Add(1); n == ss.want.Load() {
			select {
			case ss.reached <- struct{}{}:
			default:
			}
		}
	}
}

// send runs sender id until stop, then waits until each of its messages
// has reached every member. It returns nil, early, once the round has
// failed (failed is closed): the round reports that error.
func (b *broadcastRound) send(id int, c *websocket.Conn, stop, failed <-chan struct{}) error {
	ss := &b.senders[id]
	members := int64(b.l.Members)
	out := make([]byte, b.l.Size)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var interval time.Duration
	var next time.Time
	if b.l.Rate > 0 {
		interval = time.Duration(float64(time.Second) / b.l.Rate)
		// Senders take turns over an interval, rather than send at once.
		next = time.Now().Add(interval * time.Duration(id) / time.Duration(b.l.Senders))
	}
	for {
		if b.l.Rate > 0 {
			timer.Reset(time.Until(next))
			select {
			case <-timer.C:
			case <-stop:
				ss.want.Store(members * int64(ss.sent))
				if ss.delivered.Load() >= ss.want.Load() {
					return nil
				}
				return b.await(id, timer, failed)
			case <-failed:
				return nil
			}
			next = next.Add(interval)
		} else {
			select {
			case <-stop:
				ss.want.Store(members * int64(ss.sent))
				return b.await(id, timer, failed)
			case <-failed:
				return nil
			default:
			}
			if ahead := int64(ss.sent) + 1 - int64(max(b.l.Window, 1)); ahead > 0 {
				ss.want.Store(members * ahead)
				if err := b.await(id, timer, failed); err != nil {
					return err
				}
			}
		}
		measuring := b.phase.Load() == phaseMeasure
		fillBroadcast(out, id, ss.sent, time.Since(b.began))
		if err := c.Write(bg, websocket.MessageText, out); err != nil {
			return fmt.Errorf("sender %s: %w", memberName(id), err)
		}
		ss.sent++
		if measuring {
			ss.measured++
		}
	}
}

// await waits until sender id's messages have been delivered as many
// times as its want says, for at most drainTimeout.
func (b *broadcastRound) await(id int, timer *time.Timer, failed <-chan struct{}) error {
	ss := &b.senders[id]
	timer.Reset(drainTimeout)
	// reached may hold a signal of an earlier want, reached before it was
	// waited for: the count decides.
	for ss.delivered.Load() < ss.want.Load() {
		select {
		case <-ss.reached:
		case <-failed:
			return nil
		case <-timer.C:
			members := int64(b.l.Members)
			short := ss.want.Load() - ss.delivered.Load()
			return fmt.Errorf("sender %s: %d deliveries of its last messages (to %d members) still missing %v after they were due", memberName(id), short, members, drainTimeout)
		}
	}
	return nil
}
