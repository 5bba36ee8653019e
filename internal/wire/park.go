package wire

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// parkAfter is how long a socket that may park (Options.Park) waits for
// its peer on a goroutine before it parks, at least (at most twice as
// long): a busy socket keeps its goroutine and pays nothing for parking.
// (A variable, so that tests can shorten it.)
var parkAfter = time.Second

// errRuntimePanic is the reason of a socket whose reader panicked: a bug
// in the runtime itself, which LogEnd reports at error level.
var errRuntimePanic = errors.New("wire: runtime panic")

// parking is the state of a socket that may park: its reader stops
// between messages once the peer has been silent for parkAfter, and the
// poller wakes it on a fresh goroutine when the connection has input.
type parking struct {
	poller *poller

	mu      sync.Mutex
	done    func(reason error) // Run's; nil until Run
	reading bool               // a reader runs
	parked  bool               // the connection is left to the poller
	id      int32              // the poller's registration, while parked
	closing bool               // the close has begun: no more parking
	closed  bool               // the close is done
}

// Run serves the socket as Serve does, without holding a goroutine while
// the peer is silent when the socket may park (Options.Park), and calls
// done with what Serve would return once the socket has closed and
// everything its flow started has ended. It returns at once. It is called
// once, instead of Serve. done may run on the socket's closing goroutine:
// it must not panic.
func (s *Socket[In, Out]) Run(done func(reason error)) {
	p := s.park
	if p == nil {
		go func() { done(s.serveRecovered()) }()
		return
	}
	p.mu.Lock()
	p.done = done
	p.reading = true
	p.mu.Unlock()
	go s.readOn(false)
}

// readOn reads until the socket parks or ends; when it ends and the close
// is done, it finishes the socket.
func (s *Socket[In, Out]) readOn(woke bool) {
	if !s.readRecovered(woke) {
		s.readerEnded()
	}
}

// serveRecovered is Serve, with a panic in the runtime itself dropping the
// connection for a reason that says so, rather than the process.
func (s *Socket[In, Out]) serveRecovered() (reason error) {
	defer func() {
		if v := recover(); v != nil {
			s.dropFor(fmt.Errorf("%w: %v", errRuntimePanic, v))
			<-s.closed
			reason = s.result()
		}
	}()
	return s.Serve()
}

// readRecovered is read, with a panic in the runtime itself dropping the
// connection for a reason that says so (the socket has then not parked).
func (s *Socket[In, Out]) readRecovered(woke bool) (parked bool) {
	defer func() {
		if v := recover(); v != nil {
			s.dropFor(fmt.Errorf("%w: %v", errRuntimePanic, v))
			parked = false
		}
	}()
	return s.read(woke)
}

// readerEnded records that the reader has stopped for good.
func (s *Socket[In, Out]) readerEnded() {
	p := s.park
	p.mu.Lock()
	p.reading = false
	finish := p.closed && p.done != nil
	p.mu.Unlock()
	if finish {
		s.finish()
	}
}

// parkNow leaves the connection to the poller, unless the close has
// begun, and reports whether it has: the reader then returns, and its
// goroutine ends.
func (s *Socket[In, Out]) parkNow() bool {
	p := s.park
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closing {
		return false
	}
	id, err := p.poller.park(s.netConn.in.raw, s)
	if err != nil {
		return false // the reader goes on waiting in its read
	}
	p.id, p.parked, p.reading = id, true, false
	return true
}

// wake is the poller's: the parked socket's connection has input. It runs
// on a goroutine of its own, which becomes the socket's reader.
func (s *Socket[In, Out]) wake() {
	p := s.park
	p.mu.Lock()
	if p.closing || !p.parked {
		p.mu.Unlock()
		return // the close reads what came
	}
	p.parked, p.reading = false, true
	p.mu.Unlock()
	s.readOn(true)
}

// closing marks the start of the close, before it reads or writes: a
// parked socket leaves the poller, whose wake would race with the close's
// own reads.
func (s *Socket[In, Out]) closing() {
	p := s.park
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closing = true
	if p.parked {
		p.parked = false
		p.poller.forget(p.id)
	}
}

// closeDone finishes the socket once the close is done, unless its reader
// still runs (readerEnded then does).
func (s *Socket[In, Out]) closeDone() {
	p := s.park
	if p == nil {
		return
	}
	p.mu.Lock()
	p.closed = true
	finish := !p.reading && p.done != nil
	p.mu.Unlock()
	if finish {
		s.finish()
	}
}

// finish reports the socket's end to Run's caller.
func (s *Socket[In, Out]) finish() { s.park.done(s.result()) }
