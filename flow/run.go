package flow

import (
	"context"
	"errors"
	"sync"

	"github.com/wsflow/wsflow/internal/flowrun"
)

// Running is a flow that has been started with Start: what drives it
// from outside, a transport of your own or a test. Push and CloseInput
// are called from one goroutine at a time; Done, Err, Cancel and Stop
// from any.
type Running[In any] struct {
	in          inlet[In]
	state       runState
	cancel      context.CancelFunc
	done        chan struct{} // made by Done, or closed by finish; guarded by state.mu
	err         error
	finishOnce  sync.Once
	stopOnce    sync.Once
	inputClosed bool
	outputDone  bool // the output has completed, the input is kept; guarded by state.mu
	inputDone   bool // CloseInput has been called, the input is kept; guarded by state.mu
}

func init() {
	flowrun.Register(func(running any) flowrun.Run {
		return running.(interface{ core() *runState }).core()
	})
}

// Start runs f with ctx, as a socket runs its flow: the input is what
// Push delivers, and every output element is passed to emit, which must
// block until it has taken the element (that is the back-pressure) and
// return an error once it can take no more. emit is called from one
// goroutine at a time.
//
// The flow ends when its output completes or fails, or when Stop is
// called; Done is closed then. Stop must be called in every case: it
// cancels what is still running and waits for it.
func Start[In, Out any](ctx context.Context, f Flow[In, Out], emit func(Out) error) *Running[In] {
	opts, ctx := flowrun.Take(ctx)
	ctx, cancel := context.WithCancel(ctx)
	r := &Running[In]{cancel: cancel, state: runState{
		batcher:     opts.Batcher,
		afterOutput: opts.KeepInput,
	}}
	r.state.owner = r
	s := scope{ctx: ctx, run: &r.state}
	out := outlet[Out]{
		emit: func(v Out) error {
			if r.state.ended.Load() {
				return ErrStopped
			}
			return emit(v)
		},
		complete: r.complete,
		direct:   true,
		done:     opts.EmitCopies,
	}
	func() {
		defer s.recoverInto()
		r.in = f.materialize(s, out)
	}()
	if r.in.push == nil { // materialize panicked
		r.in = inlet[In]{push: func(In) error { return ErrStopped }, close: func() {}}
	}
	r.state.fused, r.state.lends = r.in.direct, r.in.done
	return r
}

// core is what package internal/flowrun sees of the run.
func (r *Running[In]) core() *runState { return &r.state }

// Push delivers one input element. It blocks while the flow is not ready
// for it (back-pressure). A non-nil error means the flow has ended, or
// that it takes no more input: stop pushing, and read the reason from
// Err once Done is closed.
func (r *Running[In]) Push(v In) (err error) {
	if r.state.ended.Load() {
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
	if r.inputClosed || r.state.ended.Load() {
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

// Done is closed once the flow has ended: its output completed or failed,
// or it was stopped.
func (r *Running[In]) Done() <-chan struct{} {
	r.state.mu.Lock()
	defer r.state.mu.Unlock()
	if r.done == nil {
		// Made when first asked for: a run nobody waits on holds none.
		r.done = make(chan struct{})
		if r.state.ended.Load() {
			close(r.done)
		}
	}
	return r.done
}

// Err reports why the flow ended, once Done is closed: nil when its
// output completed, otherwise the failure. It is nil before Done.
func (r *Running[In]) Err() error {
	if !r.state.ended.Load() {
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
	if inputDone || r.state.ended.Load() {
		r.finish(nil)
		return
	}
	r.state.afterOutput()
}

func (r *Running[In]) keepsInput() bool { return r.state.afterOutput != nil }

// outputCompleted reports whether the output has completed while the
// input is kept.
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
		r.state.ended.Store(true)
		fns := r.state.afterDone
		r.state.afterDone = nil
		if r.done != nil {
			close(r.done)
		}
		r.state.mu.Unlock()
		for _, fn := range fns {
			fn()
		}
	})
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
