package flow

import (
	"context"
	"time"

	"github.com/wsflow/wsflow/internal/batch"
)

// Source is a blueprint of a stream of T: Play's Source, Play 2.0's
// Enumerator. Running it emits values until it completes, fails or its
// context ends. The zero Source is empty.
type Source[T any] struct {
	run func(s scope, emit func(T) error) error
}

// newSource makes a Source from its run function. run emits each value
// with emit, returns nil when the stream is complete, an error when it
// fails, and must return when emit fails or s.ctx ends.
func newSource[T any](run func(s scope, emit func(T) error) error) Source[T] {
	return Source[T]{run: run}
}

func (src Source[T]) start(s scope, emit func(T) error) error {
	if src.run == nil {
		return nil
	}
	return src.run(s, emit)
}

// Just emits the given values in order, then completes: Play 2.0's
// Enumerator("Hello!") >>> Enumerator.eof.
func Just[T any](values ...T) Source[T] {
	return newSource(func(_ scope, emit func(T) error) error {
		for _, v := range values {
			if err := emit(v); err != nil {
				return err
			}
		}
		return nil
	})
}

// Empty completes at once without emitting.
func Empty[T any]() Source[T] { return Source[T]{} }

// Failed fails at once with err. With a *message.CloseError it closes the
// socket with that code.
func Failed[T any](err error) Source[T] {
	return newSource(func(scope, func(T) error) error { return err })
}

// FromChannel emits what arrives on ch until ch is closed, then completes.
// Every run of the blueprint reads the same channel, so a value goes to
// whichever running source receives it first.
func FromChannel[T any](ch <-chan T) Source[T] {
	return newSource(func(s scope, emit func(T) error) error {
		for {
			select {
			case <-s.ctx.Done():
				return s.ctx.Err()
			case v, ok := <-ch:
				if !ok {
					return nil
				}
				if err := emit(v); err != nil {
					return err
				}
			}
		}
	})
}

// Tick emits value every interval, the first one interval after the
// source starts, until its context ends: TickFrom(interval, interval,
// value). interval must be positive.
func Tick[T any](interval time.Duration, value T) Source[T] {
	needPositive("Tick", "interval", interval)
	return ticks(interval, interval, func(time.Time) T { return value })
}

// TickFrom emits value initial after the source starts (0: at once), then
// every interval, until its context ends: Akka's Source.tick(initialDelay,
// interval, tick). Ticks keep to their schedule: a slow downstream does
// not make them drift, and ticks it could not take in time are dropped
// rather than queued. initial must not be negative, interval must be
// positive.
func TickFrom[T any](initial, interval time.Duration, value T) Source[T] {
	if initial < 0 {
		refuse("TickFrom", "negative initial %v", initial)
	}
	needPositive("TickFrom", "interval", interval)
	return ticks(initial, interval, func(time.Time) T { return value })
}

// ticks emits value(t) at each tick t, the first initial after it starts,
// then every interval, skipping the ticks emit was too slow to take.
func ticks[T any](initial, interval time.Duration, value func(time.Time) T) Source[T] {
	return newSource(func(s scope, emit func(T) error) error {
		a := alarm{clk: clockOf(s.ctx)}
		defer a.close()
		next := a.clk.now().Add(initial)
		for {
			a.set(next.Sub(a.clk.now()))
			var at time.Time
			select {
			case at = <-a.c():
				a.fired()
			case <-s.ctx.Done():
				return s.ctx.Err()
			}
			if err := emit(value(at)); err != nil {
				return err
			}
			// Ticks missed while emit waited are skipped.
			for now := a.clk.now(); !next.After(now); {
				next = next.Add(interval)
			}
		}
	})
}

// Through returns the Source of src's values passed through f: Akka's
// source.via(flow).
func Through[A, B any](src Source[A], f Flow[A, B]) Source[B] {
	return newSource(func(s scope, emit func(B) error) error {
		// f's output may end while src still runs (a Wrap whose source
		// completes, a Take, a failure on f's own goroutine): then
		// src is cancelled, and f's outcome is the result.
		ctx, cancel := context.WithCancel(s.ctx)
		defer cancel()
		inner := scope{ctx: ctx, run: s.run}
		result := make(chan error, 1)
		in := f.materialize(inner, outlet[B]{
			emit: emit,
			complete: func(err error) {
				select {
				case result <- err:
				default:
				}
				cancel()
			},
		})
		push, below := in.push, false
		if in.fail != nil { // f handles src's failure (Recover)
			push = func(v A) error {
				err := in.push(v)
				below = err != nil
				return err
			}
		}
		if !in.direct { // src's emits do not lead straight to the output
			inner.ctx = batch.Without(inner.ctx)
		}
		err := src.start(inner, push)
		select {
		case ferr := <-result:
			return ferr
		default:
		}
		switch {
		case err != nil && in.fail != nil && !below:
			in.fail(err)
		case err != nil:
			return err
		default:
			in.close()
		}
		select {
		case err = <-result:
			return err
		case <-s.ctx.Done():
			return s.ctx.Err()
		}
	})
}

// Collect runs src with ctx and returns what it emitted, once it completes
// or fails or ctx ends (then with ctx.Err()). It is meant for tests and
// examples.
func (src Source[T]) Collect(ctx context.Context) ([]T, error) {
	var out []T
	r := Start(ctx, Wrap(Ignore[struct{}](), src), func(v T) error {
		out = append(out, v)
		return nil
	})
	select {
	case <-r.Done():
		err := r.Stop() // before reading out: Stop waits for the source
		return out, err
	case <-ctx.Done():
		r.Stop()
		return out, ctx.Err()
	}
}
