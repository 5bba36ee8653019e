package flow

import (
	"context"
	"fmt"
	"reflect"

	"github.com/reactivex/rxgo/v2"
)

// FromObservable makes a Source of the items of the observable that
// newObservable builds for each run. newObservable receives the run's
// context and must pass it to rxgo (rxgo.WithContext(ctx)) in every
// operator it applies, so that the observable's goroutines end with the
// run. An error item fails the source; an item whose value is not a T
// fails it too (a nil item is the zero T when T can be nil).
func FromObservable[T any](newObservable func(ctx context.Context) rxgo.Observable) Source[T] {
	return newSource(func(s scope, emit func(T) error) error {
		ctx, cancel := context.WithCancel(s.ctx)
		defer cancel()
		return drain(ctx, newObservable(ctx), emit)
	})
}

// drain emits the items of obs until it ends, an item is an error, or emit
// fails.
func drain[T any](ctx context.Context, obs rxgo.Observable, emit func(T) error) error {
	for item := range obs.Observe(rxgo.WithContext(ctx)) {
		if item.E != nil {
			return item.E
		}
		v, ok := item.V.(T)
		if !ok && (item.V != nil || !nilable[T]()) {
			return fmt.Errorf("flow: observable emitted %T, want %v", item.V, reflect.TypeFor[T]())
		}
		if err := emit(v); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Observable runs src with ctx and returns its values as an rxgo
// Observable, for use with rxgo's operators. A failure of src arrives as
// an error item. The run ends when src does or when ctx ends; cancel ctx
// when you stop observing early.
func (src Source[T]) Observable(ctx context.Context) rxgo.Observable {
	ch := make(chan rxgo.Item)
	go func() {
		defer close(ch)
		r := Start(ctx, Wrap(Ignore[struct{}](), src), func(v T) error {
			select {
			case ch <- rxgo.Of(v):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		select {
		case <-r.Done():
		case <-ctx.Done():
		}
		if err := r.Stop(); err != nil && ctx.Err() == nil {
			select {
			case ch <- rxgo.Error(err):
			case <-ctx.Done():
			}
		}
	}()
	return rxgo.FromChannel(ch, rxgo.WithContext(ctx))
}

// ViaObservable makes a Flow of rxgo operators: apply receives the run's
// context and the input as an Observable, and returns the output
// Observable. apply must pass ctx to rxgo (rxgo.WithContext(ctx)) in every
// operator it applies. The output completing completes the flow; an error
// item fails it.
//
// Each rxgo operator runs on a goroutine of its own; prefer Map, Filter
// and Via, which are fused, where they do the job.
func ViaObservable[In, Out any](apply func(ctx context.Context, in rxgo.Observable) rxgo.Observable) Flow[In, Out] {
	return Flow[In, Out]{open: func(s scope, out outlet[Out]) inlet[In] {
		ch := make(chan rxgo.Item)
		obs := apply(s.ctx, rxgo.FromChannel(ch, rxgo.WithContext(s.ctx)))
		// drained is closed once the output has ended (and been reported):
		// after that nothing reads ch, and a push must not wait for it.
		drained := make(chan struct{})
		s.spawn(func() {
			out.complete(drain(s.ctx, obs, out.emit))
			close(drained)
		})
		return inlet[In]{
			push: func(v In) error {
				select {
				case ch <- rxgo.Of(v):
					return nil
				case <-drained:
					return ErrStopped
				case <-s.ctx.Done():
					return ErrStopped
				}
			},
			close: func() { close(ch) },
		}
	}}
}

// nilable reports whether nil is a value of T: a nil item is then T's zero
// value.
func nilable[T any]() bool {
	switch reflect.TypeFor[T]().Kind() {
	case reflect.Interface, reflect.Pointer, reflect.Map, reflect.Slice, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	}
	return false
}
