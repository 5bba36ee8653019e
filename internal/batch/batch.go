// Package batch carries, from package flow's runtime to the source of a
// running flow, the output that can gather what the source emits back to
// back into fewer writes (a WebSocket connection sending several frames
// in one write): package rooms holds it around the messages queued for a
// member. It is internal so that no operator of flow's public API depends
// on it.
package batch

import "context"

// Output is an output that gathers what it is given between Hold and the
// matching Release into fewer writes; Release writes what it kept. Holds
// nest. It is flowrun.Options.Batcher.
type Output interface {
	Hold()
	Release()
}

type key struct{}

// NewContext returns ctx carrying o: what a source run with it emits goes
// straight to o, on the emitting goroutine.
func NewContext(ctx context.Context, o Output) context.Context {
	return context.WithValue(ctx, key{}, o)
}

// Without returns ctx carrying no Output: for a source whose emit does
// not lead straight to its run's output.
func Without(ctx context.Context) context.Context {
	if From(ctx) == nil {
		return ctx
	}
	return context.WithValue(ctx, key{}, Output(nil))
}

// From returns the Output ctx carries, nil when it carries none. A source
// holds it only around elements it emits back to back on one goroutine,
// with nothing between them that can block but the emits themselves.
func From(ctx context.Context) Output {
	o, _ := ctx.Value(key{}).(Output)
	return o
}
