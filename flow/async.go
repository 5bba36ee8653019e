package flow

import "context"

// MapAsync calls fn with each element, up to parallelism calls (which
// must be positive) at a time on goroutines of their own, and emits the results in the
// order of the input: Akka's mapAsync. It takes no more input while
// parallelism calls are unfinished or waiting for downstream
// (back-pressure). When its input completes, it emits the outstanding
// results, then completes. An error from fn fails the flow (a
// *message.CloseError closes the socket with its code) and cancels the
// calls in flight; so does the run ending: ctx, which fn receives, is the
// run's.
func MapAsync[In, Out any](parallelism int, fn func(ctx context.Context, v In) (Out, error)) Flow[In, Out] {
	needPositive("MapAsync", "parallelism", parallelism)
	needFunc("MapAsync", "fn", fn == nil)
	return mapAsync(parallelism, true, fn)
}

// MapAsyncUnordered is MapAsync emitting each result as soon as it is
// ready, whatever the input order: Akka's mapAsyncUnordered. A slow call
// then holds back nothing but its own result.
func MapAsyncUnordered[In, Out any](parallelism int, fn func(ctx context.Context, v In) (Out, error)) Flow[In, Out] {
	needPositive("MapAsyncUnordered", "parallelism", parallelism)
	needFunc("MapAsyncUnordered", "fn", fn == nil)
	return mapAsync(parallelism, false, fn)
}

type result[T any] struct {
	v   T
	err error
}

func mapAsync[In, Out any](parallelism int, ordered bool, fn func(context.Context, In) (Out, error)) Flow[In, Out] {
	return Flow[In, Out]{open: func(s scope, out outlet[Out]) inlet[In] {
		return detach(s, out, 0, Backpressure, nil, func(s scope, in <-chan In, emit func(Out) error) error {
			ctx, cancel := context.WithCancel(s.ctx)
			defer cancel() // a failure cancels the calls in flight
			// Ordered: one channel per call, in input order. Unordered:
			// one channel all calls report to. Every channel has room for
			// all the results it may get, so a call never waits to report.
			var queue []chan result[Out]
			shared := make(chan result[Out], parallelism)
			inflight := 0
			call := func(v In) {
				done := shared
				if ordered {
					done = make(chan result[Out], 1)
					queue = append(queue, done)
				}
				inflight++
				s.spawn(func() {
					w, err := fn(ctx, v)
					done <- result[Out]{w, err}
				})
			}
			for input := in; input != nil || inflight > 0; {
				accept := input
				if inflight >= parallelism {
					accept = nil
				}
				next := shared
				if ordered {
					next = nil
					if len(queue) > 0 {
						next = queue[0]
					}
				}
				select {
				case v, ok := <-accept:
					if !ok {
						input = nil
						continue
					}
					call(v)
				case r := <-next:
					inflight--
					if ordered {
						queue = queue[1:]
					}
					if r.err != nil {
						return r.err
					}
					if err := emit(r.v); err != nil {
						return err
					}
				case <-s.ctx.Done():
					return s.ctx.Err()
				}
			}
			return nil
		})
	}}
}
