// Package flowrun is the seam between package flow and the connection
// runtime (package internal/wire): what a runtime asks of a run beyond
// what flow.Start offers everyone, kept out of flow's public face.
//
// A runtime puts Options into the context it passes to flow.Start, which
// takes them out again (the flow's stages do not see them), and reads
// what it needs of the run started with Of. Package flow registers Of when
// it is initialised.
package flowrun

import (
	"context"

	"github.com/wsflow/wsflow/internal/batch"
	"github.com/wsflow/wsflow/message"
)

// Options are what a runtime asks of a run.
type Options struct {
	// Batcher is an output that can gather what the run emits back to
	// back into fewer writes (see package internal/batch); nil: none.
	Batcher batch.Output

	// EmitCopies says that the run's emit is done with each element when
	// it returns: it copies what it needs (a socket encodes the element
	// into its frame) and keeps nothing. See Run.Lends.
	EmitCopies bool

	// KeepInput, when not nil, keeps the run's input open after its output
	// completes: the output completing does not end the run by itself but
	// calls KeepInput, on the goroutine that completed it, and Push goes
	// on delivering input (to the sink of a Wrap, for instance). The run
	// then ends as completed when CloseInput is called; a failure or Stop
	// ends it as without the option. A flow that takes no more input once
	// its output is done (a StageFunc that has returned) refuses a push
	// with flow.ErrStopped, which does not end the run: the caller stops
	// pushing and closes the input when its own input ends. KeepInput must
	// not block for long.
	//
	// It is a client socket's half-close: the client's close frame goes
	// out when its output completes, and what the server sends until its
	// own close still reaches the flow.
	KeepInput func()
}

type key struct{}

// optionsContext is a context carrying Options, in one allocation.
type optionsContext struct {
	context.Context
	o Options
}

func (c *optionsContext) Value(k any) any {
	if k == (key{}) {
		return &c.o
	}
	return c.Context.Value(k)
}

// NewContext returns ctx carrying o, for flow.Start.
func NewContext(ctx context.Context, o Options) context.Context {
	return &optionsContext{Context: ctx, o: o}
}

// Take returns the Options ctx carries (the zero Options when none) and
// ctx without them, so that the stages of the run, and any run they
// start, do not inherit them. flow.Start calls it.
func Take(ctx context.Context) (Options, context.Context) {
	if c, ok := ctx.(*optionsContext); ok {
		// Made by NewContext on ctx: what it was made on is ctx without
		// them, unless that carries Options of its own.
		if c.Context.Value(key{}) == nil {
			return c.o, c.Context
		}
	}
	o, _ := ctx.Value(key{}).(*Options)
	if o == nil {
		return Options{}, ctx
	}
	return *o, context.WithValue(ctx, key{}, (*Options)(nil))
}

// Run is what a runtime reads of a running flow, a *flow.Running.
type Run interface {
	// Fused reports whether every element pushed is passed, on the
	// pushing goroutine, through fused stages only, down to emit: then a
	// Push returns once everything it caused has been emitted, and blocks
	// on nothing but emit. A flow with a stage of its own goroutine
	// (Buffer, Actor, Throttle, the source of a Wrap) is not fused.
	Fused() bool

	// Lends reports whether the flow is done with every element by the
	// time Push returns it: nothing keeps the element or refers to it
	// afterwards, so that it may refer to memory the caller reuses (a
	// message decoded without a copy, see Lender). It holds only for
	// stages that hand elements on untouched (Identity, Take, Drop) into
	// an emit that copies what it needs (Options.EmitCopies).
	Lends() bool

	// AfterDone arranges for fn to run once the flow has ended, on the
	// goroutine that ended it, or at once when it already has: a way to
	// react to Done without a goroutine waiting on it. fn must not block.
	AfterDone(fn func())
}

var of func(running any) Run

// Register sets what Of does; package flow calls it when it is
// initialised.
func Register(fn func(running any) Run) { of = fn }

// Of returns the Run of running, a *flow.Running.
func Of(running any) Run { return of(running) }

// Lender is implemented by a transformer.Transformer that can decode a
// frame without copying it: the value DecodeLent returns refers to
// payload, and is valid only as long as payload is. A runtime uses it
// only for a flow that Lends (Identity, an echo), and Decode everywhere
// else. transformer.String and transformer.Bytes are Lenders.
type Lender[In any] interface {
	DecodeLent(kind message.Kind, payload []byte) (In, error)
}
