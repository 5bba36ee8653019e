package flow

// Sink is a blueprint of a consumer of T: Play's Sink, Play 2.0's Iteratee.
// The zero Sink ignores everything.
type Sink[T any] struct {
	open func(s scope) inlet[T]
}

func (k Sink[T]) materialize(s scope) inlet[T] {
	if k.open == nil {
		return Ignore[T]().open(s)
	}
	return k.open(s)
}

// ForEach calls fn with every element, on the goroutine that delivers it:
// Play's Sink.foreach.
func ForEach[T any](fn func(T)) Sink[T] {
	needFunc("ForEach", "fn", fn == nil)
	return Sink[T]{open: func(scope) inlet[T] {
		return inlet[T]{
			push:  func(v T) error { fn(v); return nil },
			close: func() {},
		}
	}}
}

// ForEachErr calls fn with every element; an error from fn fails the flow
// the sink is part of. A *message.CloseError closes the socket with its
// code and reason.
func ForEachErr[T any](fn func(T) error) Sink[T] {
	needFunc("ForEachErr", "fn", fn == nil)
	return Sink[T]{open: func(scope) inlet[T] {
		return inlet[T]{push: fn, close: func() {}}
	}}
}

// Ignore consumes and discards every element: Play 2.0's
// Iteratee.consume.
func Ignore[T any]() Sink[T] {
	return Sink[T]{open: func(scope) inlet[T] {
		return inlet[T]{
			push:  func(T) error { return nil },
			close: func() {},
		}
	}}
}

// To returns the Sink that passes elements through f into k: Akka's
// flow.to(sink).
func To[A, B any](f Flow[A, B], k Sink[B]) Sink[A] {
	return Sink[A]{open: func(s scope) inlet[A] {
		kin := k.materialize(s)
		return f.materialize(s, outlet[B]{
			emit: kin.push,
			complete: func(err error) {
				if err != nil {
					s.run.fail(err)
					return
				}
				kin.close()
			},
		})
	}}
}

// OnDone returns k with a hook: fn runs once, after the running flow the
// sink is part of has stopped (for a socket: after it closed), with the
// reason it stopped. It is Play 2.0's Iteratee.mapDone.
func (k Sink[T]) OnDone(fn func(err error)) Sink[T] {
	needFunc("Sink.OnDone", "fn", fn == nil)
	return Sink[T]{open: func(s scope) inlet[T] {
		s.onStop(fn)
		return k.materialize(s)
	}}
}
