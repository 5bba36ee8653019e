package flow

import (
	"errors"
	"sync/atomic"
)

// Flow is a blueprint of a stage with one input and one output: Play's
// Flow[In, Out]. As a WebSocket handler, its input is the messages from the
// peer and its output the messages to the peer; the two need not be
// connected (see Wrap).
//
// The zero Flow fails when it is run.
type Flow[In, Out any] struct {
	open func(s scope, out outlet[Out]) inlet[In]
}

var errZeroFlow = errors.New("flow: the zero Flow cannot be run")

func (f Flow[In, Out]) materialize(s scope, out outlet[Out]) inlet[In] {
	if f.open == nil {
		out.complete(errZeroFlow)
		return inlet[In]{
			push:  func(In) error { return errZeroFlow },
			close: func() {},
		}
	}
	return f.open(s, out)
}

// Identity passes every element through unchanged: Play's Flow[String],
// the echo socket.
func Identity[T any]() Flow[T, T] {
	return Flow[T, T]{open: func(_ scope, out outlet[T]) inlet[T] {
		return inlet[T]{push: out.emit, close: completer(out), direct: out.direct, done: out.done}
	}}
}

// Map applies fn to every element: Play's Flow[String].map(...).
func Map[In, Out any](fn func(In) Out) Flow[In, Out] {
	needFunc("Map", "fn", fn == nil)
	return Flow[In, Out]{open: func(_ scope, out outlet[Out]) inlet[In] {
		return inlet[In]{
			push:   func(v In) error { return out.emit(fn(v)) },
			close:  completer(out),
			direct: out.direct,
		}
	}}
}

// MapErr applies fn to every element; an error from fn fails the flow. A
// *message.CloseError closes the socket with its code and reason; any
// other error closes it with message.InternalError.
func MapErr[In, Out any](fn func(In) (Out, error)) Flow[In, Out] {
	needFunc("MapErr", "fn", fn == nil)
	return Flow[In, Out]{open: func(_ scope, out outlet[Out]) inlet[In] {
		return inlet[In]{
			push: func(v In) error {
				w, err := fn(v)
				if err != nil {
					return err
				}
				return out.emit(w)
			},
			close:  completer(out),
			direct: out.direct,
		}
	}}
}

// Filter passes on the elements for which keep returns true.
func Filter[T any](keep func(T) bool) Flow[T, T] {
	needFunc("Filter", "keep", keep == nil)
	return Flow[T, T]{open: func(_ scope, out outlet[T]) inlet[T] {
		return inlet[T]{
			push: func(v T) error {
				if !keep(v) {
					return nil
				}
				return out.emit(v)
			},
			close:  completer(out),
			direct: out.direct,
		}
	}}
}

// Via connects f's output to g's input: Akka's f.via(g). Consecutive
// function stages fuse into one call chain.
func Via[A, B, C any](f Flow[A, B], g Flow[B, C]) Flow[A, C] {
	return Flow[A, C]{open: func(s scope, out outlet[C]) inlet[A] {
		gin := g.materialize(s, out)
		if gin.fail == nil {
			fin := f.materialize(s, outlet[B]{
				emit: gin.push,
				complete: func(err error) {
					if err != nil {
						out.complete(err)
						return
					}
					gin.close()
				},
				direct: gin.direct,
				done:   gin.done,
			})
			return fin
		}
		// g handles failures upstream of it (Recover): f's failure, whether
		// f returns it from a push or reports it with complete, goes to g,
		// and so does a failure upstream of f that f lets through.
		var below atomic.Bool // set when g, not f, refused an element
		fin := f.materialize(s, outlet[B]{
			emit: func(v B) error {
				err := gin.push(v)
				if err != nil {
					below.Store(true)
				}
				return err
			},
			complete: func(err error) {
				if err != nil {
					gin.fail(err)
					return
				}
				gin.close()
			},
			direct: gin.direct,
		})
		in := inlet[A]{
			push: func(v A) error {
				err := fin.push(v)
				if err == nil || below.Load() {
					return err
				}
				gin.fail(err)
				return nil
			},
			close:  fin.close,
			fail:   fin.fail,
			direct: fin.direct,
		}
		if in.fail == nil {
			in.fail = gin.fail
		}
		return in
	}}
}

// Chain connects stages of one element type in order: Chain(a, b, c, d)
// is Via(Via(Via(a, b), c), d), Akka's a.via(b).via(c).via(d). With no
// stages it is Identity. Stages that change the element type are joined
// with Via.
func Chain[T any](stages ...Flow[T, T]) Flow[T, T] {
	if len(stages) == 0 {
		return Identity[T]()
	}
	f := stages[0]
	for _, g := range stages[1:] {
		f = Via(f, g)
	}
	return f
}

// OnDone returns f with a hook: fn runs once, after the running flow has
// stopped and every goroutine it started has ended, with the reason it
// stopped (nil when it completed).
func (f Flow[In, Out]) OnDone(fn func(err error)) Flow[In, Out] {
	needFunc("Flow.OnDone", "fn", fn == nil)
	return Flow[In, Out]{open: func(s scope, out outlet[Out]) inlet[In] {
		s.onStop(fn)
		return f.materialize(s, out)
	}}
}

// completer returns the close function of a stage whose output completes
// when its input does.
func completer[T any](out outlet[T]) func() {
	return func() { out.complete(nil) }
}
