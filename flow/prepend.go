package flow

// Prepend returns f with src's elements emitted before any of f's own:
// Akka's flow.prepend(source). f runs and takes input meanwhile, but its
// output waits until src has completed; src failing fails the flow.
func Prepend[In, Out any](src Source[Out], f Flow[In, Out]) Flow[In, Out] {
	return Flow[In, Out]{open: func(s scope, out outlet[Out]) inlet[In] {
		ready := make(chan struct{})
		gated := outlet[Out]{
			emit: func(v Out) error {
				select {
				case <-ready:
				case <-s.ctx.Done():
					return ErrStopped
				}
				return out.emit(v)
			},
			complete: func(err error) {
				if err == nil {
					select {
					case <-ready:
					case <-s.ctx.Done():
						return
					}
				}
				out.complete(err)
			},
		}
		in := f.materialize(s, gated)
		s.spawn(func() {
			if err := src.start(s, out.emit); err != nil {
				out.complete(err)
				return
			}
			close(ready)
		})
		return in
	}}
}
