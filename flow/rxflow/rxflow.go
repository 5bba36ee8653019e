// Package rxflow connects wsflow's flows to rxgo observables, both ways:
// FromObservable turns an observable into a flow.Source, Observable turns
// a running Source into an observable, and ViaObservable runs a Flow
// through rxgo operators.
//
// Reach for it when an rxgo operator does what no typed operator of
// package flow does. rxgo is untyped (items are any; a wrong type fails the
// stream here rather than panicking) and runs a goroutine per operator, so
// every operator costs a hand-off per element; flow's typed operators are
// fused where they can be. It lives in a package of its own so that a
// program using only package flow does not link rxgo.
//
// Every observable must be given the run's context (rxgo.WithContext(ctx))
// in every operator, so that its goroutines end with the run.
package rxflow

import (
	"context"
	"fmt"
	"reflect"

	"github.com/reactivex/rxgo/v2"

	"github.com/wsflow/wsflow/flow"
)

// FromObservable makes a Source of the items of the observable that
// newObservable builds for each run. newObservable receives the run's
// context and must pass it to rxgo (rxgo.WithContext(ctx)) in every
// operator it applies, so that the observable's goroutines end with the
// run. An error item fails the source; an item whose value is not a T
// fails it too (a nil item is the zero T when T can be nil). A nil
// newObservable panics.
func FromObservable[T any](newObservable func(ctx context.Context) rxgo.Observable) flow.Source[T] {
	if newObservable == nil {
		panic("rxflow.FromObservable: nil newObservable")
	}
	return flow.SourceFunc(func(ctx context.Context, emit func(T) error) error {
		ctx, cancel := context.WithCancel(ctx)
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
			return fmt.Errorf("rxflow: observable emitted %T, want %v", item.V, reflect.TypeFor[T]())
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
func Observable[T any](ctx context.Context, src flow.Source[T]) rxgo.Observable {
	ch := make(chan rxgo.Item)
	go func() {
		defer close(ch)
		r := flow.Start(ctx, flow.Wrap(flow.Ignore[struct{}](), src), func(v T) error {
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
// item fails it. A push waits until rxgo takes the element, and returns
// flow.ErrStopped once the output has ended.
//
// Each rxgo operator runs on a goroutine of its own; prefer flow's typed
// operators, which are fused where they can be, where they do the job.
// A nil apply panics.
func ViaObservable[In, Out any](apply func(ctx context.Context, in rxgo.Observable) rxgo.Observable) flow.Flow[In, Out] {
	if apply == nil {
		panic("rxflow.ViaObservable: nil apply")
	}
	return flow.Via(flow.Map(func(v In) rxgo.Item { return rxgo.Of(v) }),
		flow.StageFunc(func(ctx context.Context, in <-chan rxgo.Item, emit func(Out) error) error {
			return drain(ctx, apply(ctx, rxgo.FromChannel(in, rxgo.WithContext(ctx))), emit)
		}))
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
