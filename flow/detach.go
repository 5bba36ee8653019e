package flow

import "context"

// detach is the one mechanism of every stage that works on a goroutine of
// its own (Actor, Buffer, StageFunc, MapAsync, the timed operators, the
// kill switch): pushes go into a channel of size elements (0: a
// hand-off), filled according to policy; loop runs on a goroutine of the
// run, reads the channel, which is closed when the input completes, emits
// with emit, and its return ends the stage's output (nil: completed).
// Once loop has returned, a push that would wait returns ErrStopped.
func detach[In, Out any](s scope, out outlet[Out], size int, policy Overflow, overflow error,
	loop func(s scope, in <-chan In, emit func(Out) error) error) inlet[In] {
	box := make(chan In, size)
	stopped := make(chan struct{})
	s.spawn(func() {
		defer close(stopped)
		out.complete(loop(s, box, out.emit))
	})
	return inlet[In]{
		push:  func(v In) error { return deliver(s.ctx, stopped, box, v, policy, overflow) },
		close: func() { close(box) },
	}
}

// StageFunc makes a Flow of a function that runs once per run, on a
// goroutine of its own: a way to write a stage of your own. run receives
// the run's context, the input on in (closed when the input completes)
// and emit, which blocks until downstream has taken the element and fails
// once it takes no more. run returning ends the output: nil completes
// it, an error fails it. run must return when ctx ends.
//
// Back-pressure: in is unbuffered, so a push waits until run receives it.
func StageFunc[In, Out any](run func(ctx context.Context, in <-chan In, emit func(Out) error) error) Flow[In, Out] {
	needFunc("StageFunc", "run", run == nil)
	return Flow[In, Out]{open: func(s scope, out outlet[Out]) inlet[In] {
		return detach(s, out, 0, Backpressure, nil, func(s scope, in <-chan In, emit func(Out) error) error {
			return run(s.ctx, in, emit)
		})
	}}
}

// SourceFunc makes a Source of a function that runs once per run: run
// emits with emit, which blocks until downstream has taken the element and
// fails once it takes no more, and returns nil when the stream is
// complete or an error when it fails. run must return when emit fails or
// ctx ends.
func SourceFunc[T any](run func(ctx context.Context, emit func(T) error) error) Source[T] {
	needFunc("SourceFunc", "run", run == nil)
	return newSource(func(s scope, emit func(T) error) error { return run(s.ctx, emit) })
}
