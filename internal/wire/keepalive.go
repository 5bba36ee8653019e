package wire

import (
	"context"
	"sync"
	"time"

	"github.com/wsflow/wsflow/message"
)

// keepAlive pings an idle peer on a timer, holding no goroutine between
// ticks. A socket without keep-alive has none: halt and stop do nothing
// on a nil keepAlive.
//
// At each tick a peer that has sent something since the previous tick is
// alive and is left alone: pinging it while it waits for its own writes to
// drain could deadlock a client that answers pings from its reading
// goroutine (as coder/websocket's does). So is a peer whose last message
// the flow is still handling: the server is not reading then, and a pong
// may wait behind unread data; if the peer does not take the flow's
// writes, the write timeout drops it. An idle peer is pinged; one that is
// still idle at the next tick with the pong not back is dropped. A
// socket that parks (Options.Park) writes its pings itself and counts
// the pongs as activity: nothing waits while the pong is on its way.
type keepAlive struct {
	mu       sync.Mutex
	timer    *time.Timer
	interval time.Duration
	stopped  bool
	pinging  bool // a ping waits for its pong on the timer's goroutine
	awaiting bool // a ping was written; its pong comes as activity
	seen     int64
	pings    sync.WaitGroup
	ctx      context.Context
	cancel   context.CancelFunc
}

// pinger is the socket as keep-alive sees it.
type pinger interface {
	messagesReceived() int64
	busy() bool // a message is being handled: the socket is not reading
	// ping pings the peer: it returns once the pong is back, or, with
	// awaiting true, once the ping is written, the pong then counting
	// as a message received.
	ping(ctx context.Context) (awaiting bool, err error)
	end(reason error)
}

func (s *Socket[In, Out]) messagesReceived() int64 {
	if s.park != nil {
		return s.received.Load() + s.netConn.Pongs()
	}
	return s.received.Load()
}

func (s *Socket[In, Out]) busy() bool { return s.handled.Load() != s.received.Load() }

func (s *Socket[In, Out]) ping(ctx context.Context) (bool, error) {
	if s.park != nil {
		return s.netConn.Ping()
	}
	return false, s.conn.Ping(ctx)
}

// start arms the timer; an interval of 0 or less leaves keep-alive off.
func (k *keepAlive) start(interval time.Duration, p pinger) {
	if interval <= 0 {
		return
	}
	k.interval = interval
	k.ctx, k.cancel = context.WithCancel(context.Background())
	k.mu.Lock() // tick reads k.timer
	k.timer = time.AfterFunc(interval, func() { k.tick(p) })
	k.mu.Unlock()
}

// tick runs on the timer's goroutine.
func (k *keepAlive) tick(p pinger) {
	k.mu.Lock()
	if k.stopped {
		k.mu.Unlock()
		return
	}
	if n := p.messagesReceived(); n != k.seen || p.busy() {
		k.seen = n
		k.awaiting = false
		k.timer.Reset(k.interval)
		k.mu.Unlock()
		return
	}
	if k.pinging || k.awaiting {
		k.mu.Unlock()
		p.end(&connGone{code: message.AbnormalClosure, err: errNoPong})
		return
	}
	k.pinging = true
	k.timer.Reset(k.interval)
	k.pings.Add(1)
	k.mu.Unlock()

	defer k.pings.Done()
	awaiting, err := p.ping(k.ctx)
	k.mu.Lock()
	k.pinging = false
	k.awaiting = awaiting && err == nil
	stopped := k.stopped
	k.mu.Unlock()
	if err != nil && !stopped {
		p.end(&connGone{code: message.AbnormalClosure, err: err})
	}
}

// halt ends keep-alive without waiting, from any goroutine: a ping in
// flight goes on until its pong comes or stop cancels it, and then ends
// nothing.
func (k *keepAlive) halt() {
	if k == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.stopped = true
	if k.timer != nil {
		k.timer.Stop()
	}
}

// stop ends keep-alive and waits for a ping in flight. It is called
// after start, on the same goroutine.
func (k *keepAlive) stop() {
	if k == nil || k.cancel == nil {
		return // keep-alive is off
	}
	k.halt()
	k.cancel()
	k.pings.Wait()
}
