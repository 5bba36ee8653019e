package flow

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/wsflow/wsflow/internal/batch"
)

// A running stage receives input through an inlet and sends output to an
// outlet. The rules every stage keeps:
//
//   - inlet.push and inlet.close are called from one goroutine at a time,
//     and push is never called after close.
//   - outlet.emit is called from one goroutine at a time; it blocks until
//     the value has been taken downstream (back-pressure). A non-nil error
//     means downstream has stopped: stop producing and return it.
//   - A push that fails returns the error; the caller fails the flow. A
//     stage producing on its own goroutine reports its end with
//     outlet.complete (nil: completed; else failed).
//   - inlet.fail, when a stage has it (Recover does), receives the failure
//     of the stages upstream of it instead of that failure bypassing it;
//     Via and Through route it there. It is called at most once, from the
//     goroutine that would have pushed, and no push follows it.
//   - direct, on an outlet, says that emit passes the element on, on the
//     calling goroutine, down to the run's output, blocking on nothing
//     but the output itself; on an inlet, that push does the same with
//     everything it emits. A fused stage passes its outlet's on to its
//     inlet; any other stage leaves its inlet's false. The runtime may
//     gather what a direct chain writes (see package internal/batch).
//   - done, on an outlet, says that emit is done with the element when it
//     returns: nothing keeps it or refers to it afterwards; on an inlet,
//     that push is. Only stages that hand elements on untouched, calling
//     no function of the user's with them (Identity, Take, Drop), pass
//     their outlet's on to their inlet.
type inlet[T any] struct {
	push   func(T) error
	close  func()
	fail   func(error)
	direct bool
	done   bool
}

type outlet[T any] struct {
	emit     func(T) error
	complete func(error)
	direct   bool
	done     bool
}

// scope is what a running flow shares among its stages: the context that
// ends with the flow, the goroutines it must wait for, and the hooks that
// run once it has stopped.
type scope struct {
	ctx context.Context
	run *runState
}

// runState is the part of a run that does not depend on its element
// types; it is the run as package internal/flowrun sees it.
type runState struct {
	wg        sync.WaitGroup
	mu        sync.Mutex
	hooks     []func(error)
	owner     owner // the run's *Running
	ended     atomic.Bool
	afterDone []func() // guarded by mu

	batcher     batch.Output // nil: the output writes each element on its own
	afterOutput func()       // flowrun.Options.KeepInput; nil: the output's completion ends the run
	fused       bool         // set once materialized
	lends       bool         // set once materialized
}

// owner is a run's *Running as its stages see it.
type owner interface {
	// finish records how the flow ended; the first call wins.
	finish(err error)
}

// fail ends the flow with err, unless it has ended.
func (r *runState) fail(err error) { r.owner.finish(err) }

// Fused implements flowrun.Run.
func (r *runState) Fused() bool { return r.fused }

// Lends implements flowrun.Run.
func (r *runState) Lends() bool { return r.lends }

// AfterDone implements flowrun.Run.
func (r *runState) AfterDone(fn func()) {
	r.mu.Lock()
	if !r.ended.Load() {
		r.afterDone = append(r.afterDone, fn)
		r.mu.Unlock()
		return
	}
	r.mu.Unlock()
	fn()
}

// spawn runs fn on a goroutine the running flow waits for when it stops. A
// panic in fn fails the flow instead of crashing the process.
func (s scope) spawn(fn func()) {
	s.run.wg.Add(1)
	go func() {
		defer s.run.wg.Done()
		defer s.recoverInto()
		fn()
	}()
}

// recoverInto turns a panic on the current goroutine into the flow's
// failure. It must be deferred directly.
func (s scope) recoverInto() {
	if v := recover(); v != nil {
		s.run.fail(panicError(v))
	}
}

// onStop registers fn to run once the flow has stopped and every goroutine
// it started has ended, with the reason it stopped.
func (s scope) onStop(fn func(error)) {
	s.run.mu.Lock()
	s.run.hooks = append(s.run.hooks, fn)
	s.run.mu.Unlock()
}
