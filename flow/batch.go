package flow

import "github.com/wsflow/wsflow/internal/batch"

// Batcher is implemented by an output that can gather what it is given
// into fewer, larger writes: a WebSocket connection that sends several
// frames in one write(2). Between Hold and the matching Release the
// output may keep what emit hands it instead of writing it at once;
// Release writes what it kept. Holds nest.
//
// A running flow holds its output only around elements it is about to
// emit back to back on one goroutine, with nothing between them that can
// block (a room member writing everything queued for it, see package
// rooms), so nothing waits in a held output for longer than it takes to
// emit them.
type Batcher interface {
	Hold()
	Release()
}

// RunOption configures a run started with Start.
type RunOption func(*runState)

// WithBatcher gives the run an output that can gather elements emitted
// back to back (see Batcher).
func WithBatcher(b Batcher) RunOption {
	return func(r *runState) { r.batcher = b }
}

// EmitCopies says that the run's emit is done with each element when it
// returns: it copies what it needs (a socket encodes the element into its
// frame) and keeps nothing. See Running.Lends.
func EmitCopies() RunOption {
	return func(r *runState) { r.emitCopies = true }
}

// sourceScope returns the scope in which a source emitting to out runs:
// when out leads straight to a run's output that can gather, its context
// carries that output (package internal/batch), and otherwise none.
func sourceScope[T any](s scope, out outlet[T]) scope {
	if out.direct && s.run.batcher != nil {
		s.ctx = batch.NewContext(s.ctx, s.run.batcher)
	} else {
		s.ctx = batch.Without(s.ctx)
	}
	return s
}
