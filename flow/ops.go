package flow

import "sync"

// The fused operators of this file are plain functions of each element:
// an element passes through them on the goroutine that pushed it, with no
// hand-off, no buffer and no allocation of their own. Back-pressure is
// that of the stage after them.

// Scan emits, for every element, fn applied to the previous result (first
// initial) and the element: a running total. Unlike Akka's scan it does
// not emit initial itself. It completes and fails with its input; each
// run starts again from initial.
func Scan[In, Out any](initial Out, fn func(acc Out, v In) Out) Flow[In, Out] {
	needFunc("Scan", "fn", fn == nil)
	return Flow[In, Out]{open: func(_ scope, out outlet[Out]) inlet[In] {
		acc := initial
		return inlet[In]{
			push: func(v In) error {
				acc = fn(acc, v)
				return out.emit(acc)
			},
			close:  completer(out),
			direct: out.direct,
		}
	}}
}

// Take passes on the first n elements, then completes (on a socket: closes
// it with 1000); what arrives after is discarded. Take(0) completes at
// once; n must not be negative. It fails with its input.
func Take[T any](n int) Flow[T, T] {
	if n < 0 {
		refuse("Take", "negative n %d", n)
	}
	return Flow[T, T]{open: func(_ scope, out outlet[T]) inlet[T] {
		left := n
		if left <= 0 {
			out.complete(nil)
		}
		return inlet[T]{
			push: func(v T) error {
				if left <= 0 {
					return nil
				}
				left--
				if err := out.emit(v); err != nil {
					return err
				}
				if left == 0 {
					out.complete(nil)
				}
				return nil
			},
			close: func() {
				if left > 0 {
					left = 0
					out.complete(nil)
				}
			},
			direct: out.direct,
			done:   out.done,
		}
	}}
}

// TakeWhile passes on elements while keep returns true, and completes at
// the first for which it returns false (that one is not emitted); what
// arrives after is discarded. It fails with its input.
func TakeWhile[T any](keep func(T) bool) Flow[T, T] {
	needFunc("TakeWhile", "keep", keep == nil)
	return Flow[T, T]{open: func(_ scope, out outlet[T]) inlet[T] {
		done := false
		return inlet[T]{
			push: func(v T) error {
				if done {
					return nil
				}
				if !keep(v) {
					done = true
					out.complete(nil)
					return nil
				}
				return out.emit(v)
			},
			close: func() {
				if !done {
					done = true
					out.complete(nil)
				}
			},
			direct: out.direct,
		}
	}}
}

// Drop discards the first n elements and passes on the rest; n must not
// be negative. It completes and fails with its input.
func Drop[T any](n int) Flow[T, T] {
	if n < 0 {
		refuse("Drop", "negative n %d", n)
	}
	return Flow[T, T]{open: func(_ scope, out outlet[T]) inlet[T] {
		left := n
		return inlet[T]{
			push: func(v T) error {
				if left > 0 {
					left--
					return nil
				}
				return out.emit(v)
			},
			close:  completer(out),
			direct: out.direct,
			done:   out.done,
		}
	}}
}

// MapConcat emits, in order, the elements of the slice fn returns for each
// element: Akka's mapConcat. An empty slice emits nothing. A push returns
// once downstream has taken all of them. It completes and fails with its
// input.
func MapConcat[In, Out any](fn func(In) []Out) Flow[In, Out] {
	needFunc("MapConcat", "fn", fn == nil)
	return Flow[In, Out]{open: func(_ scope, out outlet[Out]) inlet[In] {
		return inlet[In]{
			push: func(v In) error {
				for _, w := range fn(v) {
					if err := out.emit(w); err != nil {
						return err
					}
				}
				return nil
			},
			close:  completer(out),
			direct: out.direct,
		}
	}}
}

// Recover turns a failure upstream of it into a last element and
// completion: when the stages before it fail with err and fn(err) returns
// (v, true), v is emitted and the output completes (on a socket: 1000);
// when it returns false, the failure goes on. Elements pass through
// unchanged. A failure downstream of Recover, or of the peer, is not its
// to recover.
func Recover[T any](fn func(err error) (T, bool)) Flow[T, T] {
	needFunc("Recover", "fn", fn == nil)
	return Flow[T, T]{open: func(_ scope, out outlet[T]) inlet[T] {
		// A detached stage before it may emit on its goroutine while its
		// failure (a Buffer's overflow) arrives on the pushing one: the
		// lock keeps emit, completion and failure one at a time.
		var mu sync.Mutex
		done := false
		return inlet[T]{
			push: func(v T) error {
				mu.Lock()
				defer mu.Unlock()
				if done {
					return nil
				}
				return out.emit(v)
			},
			close: func() {
				mu.Lock()
				defer mu.Unlock()
				if !done {
					done = true
					out.complete(nil)
				}
			},
			fail: func(err error) {
				mu.Lock()
				defer mu.Unlock()
				if done {
					return
				}
				done = true
				v, ok := fn(err)
				if !ok {
					out.complete(err)
					return
				}
				if eerr := out.emit(v); eerr != nil {
					out.complete(eerr)
					return
				}
				out.complete(nil)
			},
			direct: out.direct,
		}
	}}
}
