package flow

import (
	"time"

	"github.com/wsflow/wsflow/message"
)

// ErrIdleTimeout fails a flow under IdleTimeout when no element passed in
// time; a socket closes with 1001 (going away) "idle timeout".
var ErrIdleTimeout = message.NewCloseError(message.GoingAway, "idle timeout")

// ErrCompletionTimeout fails a flow under CompletionTimeout that did not
// complete in time; a socket closes with 1001 (going away) "completion
// timeout".
var ErrCompletionTimeout = message.NewCloseError(message.GoingAway, "completion timeout")

// Throttle shapes its output to at most elements per period per, with
// bursts of up to burst elements after a quiet spell: Akka's throttle in
// shaping mode. elements, per and burst must be positive. It never drops:
// an element that comes too early waits, on a goroutine of its own, and
// the stage pushing the next one waits for it (back-pressure). It holds
// at most that one element, so on a socket the reader is free, and pings
// are answered, while it waits. It completes with its input once what it
// holds is emitted; a failure upstream fails it at once.
func Throttle[T any](elements int, per time.Duration, burst int) Flow[T, T] {
	needPositive("Throttle", "elements", elements)
	needPositive("Throttle", "per", per)
	needPositive("Throttle", "burst", burst)
	interval := per / time.Duration(elements)
	slack := time.Duration(burst-1) * interval
	return timed(func(s scope, a *alarm, in <-chan T, emit func(T) error) error {
		var due time.Time // when the bucket is next empty; zero: full
		for {
			var v T
			select {
			case w, ok := <-in:
				if !ok {
					return nil
				}
				v = w
			case <-s.ctx.Done():
				return s.ctx.Err()
			}
			now := a.clk.now()
			if due.Before(now) {
				due = now
			}
			if wait := due.Sub(now) - slack; wait > 0 {
				a.set(wait)
				select {
				case <-a.c():
					a.fired()
				case <-s.ctx.Done():
					return s.ctx.Err()
				}
			}
			due = due.Add(interval)
			if err := emit(v); err != nil {
				return err
			}
		}
	})
}

// Debounce emits an element only once d has passed without another after
// it: of a burst, only the last goes on. When the input completes, a
// pending element is emitted, then the output completes; a failure
// upstream fails it at once. It runs on a goroutine of its own; while
// downstream is slow, it stops taking input.
func Debounce[T any](d time.Duration) Flow[T, T] {
	needPositive("Debounce", "d", d)
	return timed(func(s scope, a *alarm, in <-chan T, emit func(T) error) error {
		var pending T
		has := false
		for {
			select {
			case v, ok := <-in:
				if !ok {
					if has {
						return emit(pending)
					}
					return nil
				}
				pending, has = v, true
				a.set(d)
			case <-a.c():
				a.fired()
				has = false
				if err := emit(pending); err != nil {
					return err
				}
			case <-s.ctx.Done():
				return s.ctx.Err()
			}
		}
	})
}

// GroupedWithin emits the elements in slices of up to n (positive),
// each as soon as it is full or d after its first element arrived,
// whichever comes first: Akka's groupedWithin. It never emits an empty
// slice. When the input completes, what is held is emitted, then the
// output completes; a failure upstream fails it at once. It runs on a
// goroutine of its own and holds at most n elements: while downstream is
// slow, it stops taking input.
func GroupedWithin[T any](n int, d time.Duration) Flow[T, []T] {
	needPositive("GroupedWithin", "n", n)
	needPositive("GroupedWithin", "d", d)
	return timed(func(s scope, a *alarm, in <-chan T, emit func([]T) error) error {
		var batch []T
		flush := func() error {
			a.clear()
			b := batch
			batch = nil
			return emit(b)
		}
		for {
			select {
			case v, ok := <-in:
				if !ok {
					if len(batch) > 0 {
						return flush()
					}
					return nil
				}
				if batch == nil {
					batch = make([]T, 0, n)
					a.set(d)
				}
				batch = append(batch, v)
				if len(batch) == n {
					if err := flush(); err != nil {
						return err
					}
				}
			case <-a.c():
				a.fired()
				if err := flush(); err != nil {
					return err
				}
			case <-s.ctx.Done():
				return s.ctx.Err()
			}
		}
	})
}

// KeepAlive passes elements through and emits inject() whenever its
// output has been idle for idle: the heartbeat message many protocols
// want from a server, independent of WebSocket pings. The idle time
// counts from the start and from each element emitted, its own included.
// It completes and fails with its input; it runs on a goroutine of its
// own and stops taking input while downstream is slow.
func KeepAlive[T any](idle time.Duration, inject func() T) Flow[T, T] {
	needPositive("KeepAlive", "idle", idle)
	needFunc("KeepAlive", "inject", inject == nil)
	return timed(func(s scope, a *alarm, in <-chan T, emit func(T) error) error {
		a.set(idle)
		for {
			select {
			case v, ok := <-in:
				if !ok {
					return nil
				}
				if err := emit(v); err != nil {
					return err
				}
			case <-a.c():
				a.fired()
				if err := emit(inject()); err != nil {
					return err
				}
			case <-s.ctx.Done():
				return s.ctx.Err()
			}
			a.set(idle)
		}
	})
}

// IdleTimeout passes elements through, and fails with ErrIdleTimeout (a
// socket closes with 1001 "idle timeout") when none has arrived for d,
// counting from the start and from each element. It completes and fails
// with its input; it runs on a goroutine of its own, and time spent
// waiting for a slow downstream does not count as idle.
func IdleTimeout[T any](d time.Duration) Flow[T, T] {
	needPositive("IdleTimeout", "d", d)
	return timed(func(s scope, a *alarm, in <-chan T, emit func(T) error) error {
		for {
			a.set(d)
			select {
			case v, ok := <-in:
				if !ok {
					return nil
				}
				a.clear()
				if err := emit(v); err != nil {
					return err
				}
			case <-a.c():
				a.fired()
				return ErrIdleTimeout
			case <-s.ctx.Done():
				return s.ctx.Err()
			}
		}
	})
}

// CompletionTimeout passes elements through, and fails with
// ErrCompletionTimeout (a socket closes with 1001 "completion timeout")
// unless its input has completed within d of the start. It fails with its
// input; it runs on a goroutine of its own.
func CompletionTimeout[T any](d time.Duration) Flow[T, T] {
	needPositive("CompletionTimeout", "d", d)
	return timed(func(s scope, a *alarm, in <-chan T, emit func(T) error) error {
		a.set(d)
		for {
			select {
			case v, ok := <-in:
				if !ok {
					return nil
				}
				if err := emit(v); err != nil {
					return err
				}
			case <-a.c():
				a.fired()
				return ErrCompletionTimeout
			case <-s.ctx.Done():
				return s.ctx.Err()
			}
		}
	})
}

// TickTime emits the time of each tick, every d, the first d after it
// starts, until its context ends. Like Tick it keeps to its schedule:
// ticks downstream could not take in time are dropped, not queued. d must
// be positive.
func TickTime(d time.Duration) Source[time.Time] {
	needPositive("TickTime", "d", d)
	return ticks(d, d, func(at time.Time) time.Time { return at })
}

// timed builds a stage of the timed operators: loop runs on a goroutine
// of its own over an unbuffered input, with an alarm on the run's clock
// that is released when loop returns.
func timed[In, Out any](loop func(s scope, a *alarm, in <-chan In, emit func(Out) error) error) Flow[In, Out] {
	return Flow[In, Out]{open: func(s scope, out outlet[Out]) inlet[In] {
		return detach(s, out, 0, Backpressure, nil, func(s scope, in <-chan In, emit func(Out) error) error {
			a := alarm{clk: clockOf(s.ctx)}
			defer a.close()
			return loop(s, &a, in, emit)
		})
	}}
}
