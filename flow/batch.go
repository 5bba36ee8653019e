package flow

// Batcher is implemented by an output that can gather what it is given
// into fewer, larger writes: a WebSocket connection that sends several
// frames in one write(2). Between Hold and the matching Release the
// output may keep what emit hands it instead of writing it at once;
// Release writes what it kept. Holds nest.
//
// A running flow holds its output only around elements it is about to
// emit back to back on one goroutine, with nothing between them that can
// block (a room member's drain writing everything queued for it), so
// nothing waits in a held output for longer than it takes to emit them.
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

// holdBatch holds the run's output for n elements about to be emitted
// back to back through out, when out leads straight to an output that
// can gather them, and returns the Batcher to release afterwards; else
// it returns nil.
func holdBatch[T any](s scope, out outlet[T], n int) Batcher {
	b := s.run.batcher
	if b == nil || !out.direct || n < 2 {
		return nil
	}
	b.Hold()
	return b
}
