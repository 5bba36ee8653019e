package flow

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// Running is a flow that has been started with Start: what a connection
// runtime, or a test, drives. Push and CloseInput are called from one
// goroutine at a time; Done, Err and Stop from any.
type Running[In any] struct {
	in          inlet[In]
	state       *runState
	cancel      context.CancelFunc
	done        chan struct{}
	ended       atomic.Bool
	err         error
	finishOnce  sync.Once
	stopOnce    sync.Once
	inputClosed bool
	afterDone   []func() // guarded by state.mu
	outputDone  bool     // KeepInput: the output has completed; guarded by state.mu
	inputDone   bool     // KeepInput: CloseInput has been called; guarded by state.mu
}

// Start runs f with ctx. Every output element is passed to emit, which
// must block until it has taken the element (that is the back-pressure)
// and return an error once it can take no more. emit is called from one
// goroutine at a time.
//
// The flow ends when its output completes or fails, or when Stop is
// called; Done is closed then (with KeepInput, output completion waits for
// the input). Stop must be called in every case: it cancels what is still
// running and waits for it.
func Start[In, Out any](ctx context.Context, f Flow[In, Out], emit func(Out) error, opts ...RunOption) *Running[In] {
	ctx, cancel := context.WithCancel(ctx)
	r := &Running[In]{cancel: cancel, done: make(chan struct{}), state: &runState{}}
	r.state.fail = r.finish
	for _, o := range opts {
		o(r.state)
	}
	s := scope{ctx: ctx, run: r.state}
	out := outlet[Out]{
		emit: func(v Out) error {
			if r.ended.Load() {
				return ErrStopped
			}
			return emit(v)
		},
		complete: r.complete,
		direct:   true,
		done:     r.state.emitCopies,
	}
	func() {
		defer s.recoverInto()
		r.in = f.materialize(s, out)
	}()
	if r.in.push == nil { // materialize panicked
		r.in = inlet[In]{push: func(In) error { return ErrStopped }, close: func() {}}
	}
	return r
}

// Fused reports whether every element pushed is passed, on the pushing
// goroutine, through fused stages only, down to emit: then a Push returns
// once everything it caused has been emitted, and blocks on nothing but
// emit. A flow with a stage of its own goroutine (Buffer, Actor, the
// source of a Wrap) is not fused.
func (r *Running[In]) Fused() bool { return r.in.direct }

// Lends reports whether the flow is done with every element by the time
// Push returns it: nothing keeps the element or refers to it afterwards,
// so that it may refer to memory the caller reuses (a message decoded
// without a copy). It holds only for stages that hand elements on
// untouched (Identity, Take, Drop) into an emit that copies what it needs
// (EmitCopies).
func (r *Running[In]) Lends() bool { return r.in.done }

// Push delivers one input element. It blocks while the flow is not ready
// for it (back-pressure). A non-nil error means the flow has ended, or
// with KeepInput that it takes no more input: stop pushing, and read the
// reason from Err once Done is closed.
func (r *Running[In]) Push(v In) (err error) {
	if r.ended.Load() {
		return ErrStopped
	}
	defer func() {
		if p := recover(); p != nil {
			err = panicError(p)
			r.finish(err)
		}
	}()
	if err = r.in.push(v); err != nil {
		if errors.Is(err, ErrStopped) && r.keepsInput() && r.outputCompleted() {
			// A flow whose output is done takes no more input: nothing
			// has failed, and the run ends with CloseInput.
			return err
		}
		r.finish(err)
	}
	return err
}

// CloseInput tells the flow that its input has completed (the peer closed
// its side). Push must not be called after it.
func (r *Running[In]) CloseInput() {
	if r.inputClosed || r.ended.Load() {
		return
	}
	r.inputClosed = true
	defer func() {
		if p := recover(); p != nil {
			r.finish(panicError(p))
		}
	}()
	if !r.keepsInput() {
		r.in.close()
		return
	}
	r.state.mu.Lock()
	r.inputDone = true // before close: an output completing in it ends the run
	r.state.mu.Unlock()
	r.in.close()
	if r.outputCompleted() {
		r.finish(nil)
	}
}

// Done is closed once the flow has ended: its output completed (with
// KeepInput, and its input too) or failed, or it was stopped.
func (r *Running[In]) Done() <-chan struct{} { return r.done }

// Err reports why the flow ended, once Done is closed: nil when its
// output completed, otherwise the failure. It is nil before Done.
func (r *Running[In]) Err() error {
	if !r.ended.Load() {
		return nil
	}
	return r.err
}

// Cancel ends the flow if it has not ended (with context.Canceled) and
// cancels everything it started, without waiting for it.
func (r *Running[In]) Cancel() {
	r.finish(context.Canceled)
	r.cancel()
}

// Stop cancels the flow as Cancel does, waits for its goroutines to
// return, runs its OnDone hooks, and returns Err. Calling Stop again
// returns the same.
func (r *Running[In]) Stop() error {
	r.stopOnce.Do(func() {
		r.Cancel()
		r.state.wg.Wait()
		r.state.mu.Lock()
		hooks := r.state.hooks
		r.state.hooks = nil
		r.state.mu.Unlock()
		for i := len(hooks) - 1; i >= 0; i-- {
			hooks[i](r.err)
		}
	})
	return r.err
}

// complete is the output's end: err nil when it completed.
func (r *Running[In]) complete(err error) {
	if err != nil || !r.keepsInput() {
		r.finish(err)
		return
	}
	r.state.mu.Lock()
	r.outputDone = true
	inputDone := r.inputDone
	r.state.mu.Unlock()
	if inputDone || r.ended.Load() {
		r.finish(nil)
		return
	}
	r.state.afterOutput()
}

func (r *Running[In]) keepsInput() bool { return r.state.afterOutput != nil }

// outputCompleted reports whether the output has completed (KeepInput).
func (r *Running[In]) outputCompleted() bool {
	r.state.mu.Lock()
	defer r.state.mu.Unlock()
	return r.outputDone
}

// finish records how the flow ended; the first call wins.
func (r *Running[In]) finish(err error) {
	r.finishOnce.Do(func() {
		r.state.mu.Lock()
		r.err = err
		r.ended.Store(true)
		fns := r.afterDone
		r.afterDone = nil
		r.state.mu.Unlock()
		close(r.done)
		for _, fn := range fns {
			fn()
		}
	})
}

// AfterDone arranges for fn to run once the flow has ended, on the
// goroutine that ended it, or at once when it already has: a way to react
// to Done without a goroutine waiting on it. fn must not block.
func (r *Running[In]) AfterDone(fn func()) {
	r.state.mu.Lock()
	if !r.ended.Load() {
		r.afterDone = append(r.afterDone, fn)
		r.state.mu.Unlock()
		return
	}
	r.state.mu.Unlock()
	fn()
}

// KeepInput keeps the run's input open after its output completes: the
// output completing does not end the run by itself, but calls afterOutput,
// on the goroutine that completed it, and Push goes on delivering input
// (to the sink of a Wrap, for instance). The run then ends as completed
// when CloseInput is called; a failure or Stop ends it as without the
// option. A flow that takes no more input once its output is done (a
// StageFunc that has returned) refuses a push with ErrStopped, which does
// not end the run: the caller stops pushing and closes the input when its
// own input ends. afterOutput must not block for long.
//
// It is a client socket's half-close: the client's close frame goes out
// when its output completes, and what the server sends until its own close
// still reaches the flow.
func KeepInput(afterOutput func()) RunOption {
	return func(r *runState) { r.afterOutput = afterOutput }
}

// Collect runs f with ctx over the elements of in, then closes its input,
// and returns what it emitted once its output has ended, or once ctx has
// ended (then with ctx.Err()). It is meant for tests and examples.
func Collect[In, Out any](ctx context.Context, f Flow[In, Out], in []In) ([]Out, error) {
	var mu sync.Mutex
	var out []Out
	r := Start(ctx, f, func(v Out) error {
		mu.Lock()
		out = append(out, v)
		mu.Unlock()
		return nil
	})
	for _, v := range in {
		if r.Push(v) != nil {
			break
		}
	}
	r.CloseInput()
	var err error
	select {
	case <-r.Done():
		err = r.Stop()
	case <-ctx.Done():
		r.Stop()
		err = ctx.Err()
	}
	mu.Lock()
	defer mu.Unlock()
	return out, err
}
