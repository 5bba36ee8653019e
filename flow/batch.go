package flow

import "github.com/wsflow/wsflow/internal/batch"

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
