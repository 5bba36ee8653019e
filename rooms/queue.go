package rooms

import "sync"

// liveQueue is a member's queue of live messages not yet written, bounded
// by its Limits. Its counts include the messages its writer has taken and
// not yet finished writing.
type liveQueue[T any] struct {
	mu       sync.Mutex
	pending  []pending[T]
	count    int // messages not yet written, pending and taken
	bytes    int // their bytes
	released bool
	// ready has a value once pending has become non-empty, or the member
	// has ended (wake): a push onto an empty queue leaves it, and the
	// writer takes it before it takes what is pending, so a push onto a
	// queue that is not empty need not (the writer's next take has it)
	// and the writer never wakes to find nothing. The writer waits on it
	// alone: one channel to wait on costs less than a select per batch.
	ready chan struct{}

	limits Limits
}

// pending is one message waiting in a member's queue, with its size and
// its event's sequence number.
type pending[T any] struct {
	v    T
	size int
	seq  uint64
}

func newLiveQueue[T any](limits Limits) *liveQueue[T] {
	return &liveQueue[T]{ready: make(chan struct{}, 1), limits: limits}
}

// push adds v, of size n and sequence number seq, unless that would take
// the queue past its limits. A released queue takes nothing and reports
// success.
func (q *liveQueue[T]) push(v T, n int, seq uint64) bool {
	q.mu.Lock()
	if q.released {
		q.mu.Unlock()
		return true
	}
	if q.count+1 > q.limits.Messages || q.bytes+n > q.limits.Bytes {
		q.mu.Unlock()
		return false
	}
	wake := len(q.pending) == 0
	q.pending = append(q.pending, pending[T]{v, n, seq})
	q.count++
	q.bytes += n
	q.mu.Unlock()
	if wake {
		q.wake()
	}
	return true
}

// wake wakes the writer if it waits, or makes its next wait return.
func (q *liveQueue[T]) wake() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// take swaps what is pending for buf (emptied), and returns it.
func (q *liveQueue[T]) take(buf []pending[T]) []pending[T] {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.pending
	q.pending = buf[:0]
	return out
}

// written counts n messages of size bytes in all as written.
func (q *liveQueue[T]) written(n, size int) {
	q.mu.Lock()
	if !q.released {
		q.count -= n
		q.bytes -= size
	}
	q.mu.Unlock()
}

// release drops the queue. From then on it takes nothing.
func (q *liveQueue[T]) release() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.released {
		return
	}
	q.released = true
	q.pending, q.count, q.bytes = nil, 0, 0
}

// len returns how many messages, and how many bytes of them, the queue
// holds not yet written.
func (q *liveQueue[T]) len() (messages, bytes int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.count, q.bytes
}
