package flow

// Buffer lets its input run up to size elements (positive) ahead of a
// slow downstream, and does what strategy says with an element that
// arrives when it is full: wait (Backpressure), drop some (DropHead,
// DropTail, DropBuffer, DropNew) or fail with ErrBufferOverflow (Fail).
// It emits on a goroutine of its own; when its input completes it emits
// what it holds, then completes. A failure upstream fails it at once,
// discarding what it holds.
func Buffer[T any](size int, strategy Overflow) Flow[T, T] {
	needPositive("Buffer", "size", size)
	needStrategy("Buffer", "strategy", strategy)
	return Flow[T, T]{open: func(s scope, out outlet[T]) inlet[T] {
		return detach(s, out, size, strategy, ErrBufferOverflow, pass[T])
	}}
}

// pass emits what arrives on in until in is closed.
func pass[T any](s scope, in <-chan T, emit func(T) error) error {
	for {
		select {
		case v, ok := <-in:
			if !ok {
				return nil
			}
			if err := emit(v); err != nil {
				return err
			}
		case <-s.ctx.Done():
			return s.ctx.Err()
		}
	}
}
