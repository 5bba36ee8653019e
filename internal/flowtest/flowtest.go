// Package flowtest holds what the tests of package flow and of its
// adapters (flow/rxflow) share: bounded waits on a running flow and on
// channels, and Peer, an emit that hands each element to the test; and
// the scripted flows (Script, Listen) that the tests running flows over
// sockets put on one side.
package flowtest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/wsflow/wsflow/flow"
)

// Patience bounds how long a test waits for a signal that should come, so
// that a bug hangs one test instead of the whole run. It is never a bound
// on how fast anything must be.
const Patience = 10 * time.Second

// Context returns a context that ends after Patience or with the test.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), Patience)
	t.Cleanup(cancel)
	return ctx
}

// WaitDone waits for r to end, failing the test if it does not.
func WaitDone[In any](t testing.TB, r *flow.Running[In]) {
	t.Helper()
	select {
	case <-r.Done():
	case <-time.After(Patience):
		t.Fatal("the flow did not end")
	}
}

// IsDone reports whether r has ended, without waiting.
func IsDone[In any](r *flow.Running[In]) bool {
	select {
	case <-r.Done():
		return true
	default:
		return false
	}
}

// Receive waits for a value on ch, failing the test if none comes.
func Receive[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(Patience):
		t.Fatal("nothing arrived")
		panic("unreachable")
	}
}

// ErrHungUp is what a Peer's Emit returns once it takes no more.
var ErrHungUp = errors.New("test: hung up")

// Peer is an emit that hands each element to the test on Got, as a
// connection writes to its socket. Call HangUp before stopping a flow
// that may still be emitting: from then on Emit refuses elements, as an
// emit must once it can take no more.
type Peer[T any] struct {
	Got  chan T
	quit chan struct{}
	once sync.Once
}

// NewPeer returns a Peer that has not hung up.
func NewPeer[T any]() *Peer[T] {
	return &Peer[T]{Got: make(chan T), quit: make(chan struct{})}
}

// Emit hands v to the test, or returns ErrHungUp once HangUp was called.
func (p *Peer[T]) Emit(v T) error {
	select {
	case p.Got <- v:
		return nil
	case <-p.quit:
		return ErrHungUp
	}
}

// HangUp makes Emit refuse every element from now on.
func (p *Peer[T]) HangUp() { p.once.Do(func() { close(p.quit) }) }
