package bench

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/wsflow/wsflow/internal/wire"
)

// Load is the shape of the traffic of a round.
type Load struct {
	Conns    int           // rtt, stream: connections
	Window   int           // stream: messages in flight per connection
	Size     int           // rtt, stream, broadcast: message size in bytes (at least MinSize; BroadcastMinSize for broadcast)
	Binary   bool          // rtt, stream: send binary messages instead of text
	Idle     int           // idle: connections held
	Members  int           // broadcast: members of the room
	Senders  int           // broadcast: members that send (1 to Members)
	Rate     float64       // broadcast: messages per second per sender; 0: closed loop
	Warmup   time.Duration // rtt, stream, broadcast: traffic before the measured window
	Duration time.Duration // rtt, stream, broadcast: the measured window
}

func (l Load) msgType() websocket.MessageType {
	if l.Binary {
		return websocket.MessageBinary
	}
	return websocket.MessageText
}

// bg is the context of every Read and Write of the client:
// coder/websocket does no per-call work for a context that cannot be
// cancelled. Connections are ended by closing them.
var bg = context.Background()

// connCounter counts one connection's echoes, on a cache line of its own
// so that connections do not contend.
type connCounter struct {
	msgs atomic.Int64
	_    [56]byte
}

// reading is the state of the counters at one end of the measured window.
type reading struct {
	at             time.Time
	msgs           int64
	srv, cli, busy time.Duration
	srvWrites      int64 // -1 when unknown
}

// takeReading reads the counters, the CPU times of the server (pid; 0
// when unknown) and of this process, and the server's write system calls
// (unknown, not an error, where /proc/PID/io cannot be read).
func takeReading(pid int, counters []connCounter) (reading, error) {
	r := reading{srv: -1, srvWrites: -1}
	var err error
	if pid > 0 {
		if r.srv, err = ProcCPU(pid); err != nil {
			return r, fmt.Errorf("server CPU time: %w", err)
		}
		r.srvWrites, err = ProcWrites(pid)
		if errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrNotExist) {
			r.srvWrites, err = -1, nil
		}
		if err != nil {
			return r, fmt.Errorf("server write calls: %w", err)
		}
	}
	if r.cli, err = ProcCPU(0); err != nil {
		return r, fmt.Errorf("own CPU time: %w", err)
	}
	if r.busy, err = MachineBusy(); err != nil {
		return r, fmt.Errorf("machine CPU time: %w", err)
	}
	for i := range counters {
		r.msgs += counters[i].msgs.Load()
	}
	r.at = time.Now()
	return r, nil
}

// fill records the window from a to b in s.
func (a reading) fill(b reading, size int, s *Sample) {
	s.Window = b.at.Sub(a.at)
	s.Msgs = b.msgs - a.msgs
	s.Bytes = s.Msgs * int64(size)
	s.ServerCPU = -1
	if a.srv >= 0 && b.srv >= 0 {
		s.ServerCPU = b.srv - a.srv
	}
	s.ServerWrites = -1
	if a.srvWrites >= 0 && b.srvWrites >= 0 {
		s.ServerWrites = b.srvWrites - a.srvWrites
	}
	s.ClientCPU = b.cli - a.cli
	s.OtherCPU = -1
	if s.ServerCPU >= 0 {
		s.OtherCPU = max(0, b.busy-a.busy-s.ServerCPU-s.ClientCPU)
	}
}

// readMessage reads the next message into buf's spare capacity, growing
// it only when a message does not fit.
func readMessage(c *websocket.Conn, buf []byte) (websocket.MessageType, []byte, error) {
	typ, r, err := c.Reader(bg)
	if err != nil {
		return 0, buf, err
	}
	buf, err = wire.ReadAll(r, buf[:0])
	return typ, buf, err
}

// group runs one goroutine per connection and keeps the first error. The
// first error, or the end of ctx, closes every connection at once, which
// ends the other goroutines.
type group struct {
	mu     sync.Mutex
	conns  []*websocket.Conn // guarded by mu
	dead   bool              // guarded by mu: the connections are closed
	wg     sync.WaitGroup
	once   sync.Once
	err    error
	failed chan struct{} // closed by the first error
	stop   func() bool   // unregisters the context.AfterFunc
}

func newGroup(ctx context.Context, conns []*websocket.Conn) *group {
	g := &group{conns: conns, failed: make(chan struct{})}
	g.stop = context.AfterFunc(ctx, func() { g.fail(ctx.Err()) })
	return g
}

func (g *group) fail(err error) {
	g.once.Do(func() {
		g.err = err
		close(g.failed)
		g.mu.Lock()
		g.dead = true
		conns := g.conns
		g.mu.Unlock()
		for _, c := range conns {
			c.CloseNow()
		}
	})
}

// add adds c to the connections that the first error closes; once the
// group has failed it closes c at once and returns false.
func (g *group) add(c *websocket.Conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.dead {
		c.CloseNow()
		return false
	}
	g.conns = append(g.conns, c)
	return true
}

func (g *group) spawn(fn func() error) {
	g.wg.Go(func() {
		if err := fn(); err != nil {
			g.fail(err)
		}
	})
}

// wait waits for every goroutine and returns the first error.
func (g *group) wait() error {
	g.wg.Wait()
	g.stop()
	g.once.Do(func() {}) // no failure from now on
	return g.err
}

// sleep waits for d, or until the group fails.
func (g *group) sleep(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-g.failed:
	}
}

// The phases of a round, as the connections' goroutines see them.
const (
	phaseWarmup int32 = iota
	phaseMeasure
	phaseStop
)

// window runs the round's warm-up and measured window while the
// connections' goroutines (started by the caller) run, then stops them
// (phase and stop) and waits for them. It returns the window's readings.
func (g *group) window(l Load, pid int, counters []connCounter, phase *atomic.Int32, stop chan struct{}) (a, b reading, err error) {
	g.sleep(l.Warmup)
	a, err = takeReading(pid, counters)
	if err != nil {
		g.fail(err)
	}
	phase.Store(phaseMeasure)
	g.sleep(l.Duration)
	b, err = takeReading(pid, counters)
	if err != nil {
		g.fail(err)
	}
	phase.Store(phaseStop)
	close(stop)
	return a, b, g.wait()
}

// errType is an echo of the wrong message type.
func errType(conn int, got, want websocket.MessageType) error {
	return fmt.Errorf("echo mismatch on connection %d: got a %v message, want %v", conn, got, want)
}
