package flow

import (
	"context"
	"sync"

	"github.com/wsflow/wsflow/internal/batch"
)

// Merge emits the elements of all sources as they come, each source on a
// goroutine of its own, and completes when they have all completed. The
// first failure cancels the others and fails the merge.
//
// It is built on goroutines and a mutex, not on rxgo's Merge, which leaks
// goroutines when its context is cancelled.
func Merge[T any](sources ...Source[T]) Source[T] {
	return newSource(func(s scope, emit func(T) error) error {
		ctx, cancel := context.WithCancel(s.ctx)
		defer cancel()
		child := scope{ctx: batch.Without(ctx), run: s.run} // emits are not back to back
		serial := serialize(emit)
		results := make(chan error, len(sources))
		for _, src := range sources {
			s.spawn(func() { results <- src.start(child, serial) })
		}
		var first error
		for range sources {
			if err := <-results; err != nil && first == nil {
				first = err
				cancel()
			}
		}
		return first
	})
}

// Combine sends every input element to each of flows, in order, and
// merges their outputs: Akka's broadcast and merge. It completes when all
// of them have completed and fails when one fails. It is how a socket
// combines request/response with output of its own, as the stopwatch that
// also answers "time" does:
//
//	flow.Combine(flow.Wrap(control, ticks), answers)
func Combine[In, Out any](flows ...Flow[In, Out]) Flow[In, Out] {
	return Flow[In, Out]{open: func(s scope, out outlet[Out]) inlet[In] {
		var mu sync.Mutex
		remaining := len(flows)
		merged := outlet[Out]{
			emit: serialize(out.emit),
			complete: func(err error) {
				mu.Lock()
				remaining--
				last := remaining == 0
				mu.Unlock()
				if err != nil || last {
					out.complete(err)
				}
			},
		}
		ins := make([]inlet[In], len(flows))
		for i, f := range flows {
			ins[i] = f.materialize(s, merged)
		}
		if len(flows) == 0 {
			out.complete(nil)
		}
		return inlet[In]{
			push: func(v In) error {
				for _, in := range ins {
					if err := in.push(v); err != nil {
						return err
					}
				}
				return nil
			},
			close: func() {
				for _, in := range ins {
					in.close()
				}
			},
		}
	}}
}

// serialize returns emit guarded so that calls from several goroutines
// reach it one at a time, as the outlet rules require.
func serialize[T any](emit func(T) error) func(T) error {
	var mu sync.Mutex
	return func(v T) error {
		mu.Lock()
		defer mu.Unlock()
		return emit(v)
	}
}
