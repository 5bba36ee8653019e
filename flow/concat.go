package flow

import (
	"context"

	"github.com/wsflow/wsflow/internal/batch"
)

// Concat emits all the elements of each source in turn, running the next
// only once the one before has completed: Akka's concat. The first
// failure fails it; the sources after a failure never run.
func Concat[T any](sources ...Source[T]) Source[T] {
	return newSource(func(s scope, emit func(T) error) error {
		for _, src := range sources {
			if err := src.start(s, emit); err != nil {
				return err
			}
		}
		return nil
	})
}

// Zip emits combine(a, b) for each pair of a's n-th and b's n-th
// elements: Akka's zipWith. Each source runs on a goroutine of its own and
// waits, once it has an element ready, until the other has one too. It
// completes as soon as either source completes (the other is cancelled);
// either failing fails it.
func Zip[A, B, C any](a Source[A], b Source[B], combine func(A, B) C) Source[C] {
	needFunc("Zip", "combine", combine == nil)
	return newSource(func(s scope, emit func(C) error) error {
		ctx, cancel := context.WithCancel(s.ctx)
		defer cancel()
		child := scope{ctx: ctx, run: s.run}
		as, aEnd := feed(child, a)
		bs, bEnd := feed(child, b)
		for {
			var va A
			select {
			case va = <-as:
			case err := <-aEnd:
				return err
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case vb := <-bs:
				if err := emit(combine(va, vb)); err != nil {
					return err
				}
			case err := <-bEnd:
				return err
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	})
}

// feed runs src on a goroutine of s, handing each element over on the
// first channel; the second receives how src ended. An element handed
// over always arrives before the end.
func feed[T any](s scope, src Source[T]) (<-chan T, <-chan error) {
	values := make(chan T)
	end := make(chan error, 1)
	fed := scope{ctx: batch.Without(s.ctx), run: s.run} // its emits go to a channel, not back to back to the output
	s.spawn(func() {
		end <- src.start(fed, func(v T) error {
			select {
			case values <- v:
				return nil
			case <-s.ctx.Done():
				return ErrStopped
			}
		})
	})
	return values, end
}
