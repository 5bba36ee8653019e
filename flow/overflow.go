package flow

import (
	"context"
	"fmt"

	"github.com/wsflow/wsflow/message"
)

// Overflow is what a bounded buffer does with an element that arrives
// when it is full: the strategy of Buffer and the policy of an Actor's
// mailbox.
type Overflow int

// The overflow strategies, named as Akka names them.
const (
	// Backpressure makes the sender wait until there is room: on a
	// socket, it stops reading. Nothing is lost. The default.
	Backpressure Overflow = iota
	// DropHead discards the oldest buffered element to make room.
	DropHead
	// DropTail discards the youngest buffered element to make room.
	DropTail
	// DropBuffer discards every buffered element to make room.
	DropBuffer
	// DropNew discards the element that arrived.
	DropNew
	// Fail fails the flow: Buffer with ErrBufferOverflow, an Actor with
	// ErrMailboxOverflow (both close the socket with 1008).
	Fail
)

// String returns the strategy's name, e.g. "DropHead".
func (o Overflow) String() string {
	switch o {
	case Backpressure:
		return "Backpressure"
	case DropHead:
		return "DropHead"
	case DropTail:
		return "DropTail"
	case DropBuffer:
		return "DropBuffer"
	case DropNew:
		return "DropNew"
	case Fail:
		return "Fail"
	}
	return fmt.Sprintf("Overflow(%d)", int(o))
}

// ErrBufferOverflow fails a flow whose Buffer overflowed under Fail; a
// socket closes with 1008 "buffer overflow".
var ErrBufferOverflow = message.NewCloseError(message.PolicyViolation, "buffer overflow")

// ErrMailboxOverflow fails a flow whose Actor's mailbox overflowed under
// Fail; a socket closes with 1008 "mailbox overflow".
var ErrMailboxOverflow = message.NewCloseError(message.PolicyViolation, "mailbox overflow")

// deliver puts v in box according to policy; only one goroutine sends on
// box. It returns overflow under Fail, and ErrStopped when it would wait
// and ctx has ended or stopped is closed (nothing will take from box any
// more).
func deliver[T any](ctx context.Context, stopped <-chan struct{}, box chan T, v T, policy Overflow, overflow error) error {
	select {
	case box <- v:
		return nil
	default:
	}
	if cap(box) > 0 {
		switch policy {
		case DropNew:
			return nil
		case DropHead:
			for {
				select {
				case box <- v:
					return nil
				default:
				}
				select {
				case <-box:
				default:
				}
			}
		case DropTail, DropBuffer:
			// The receiver only takes from the front, so draining and
			// putting back keeps the order of what stays.
			kept := make([]T, 0, cap(box))
			for drained := false; !drained; {
				select {
				case w := <-box:
					kept = append(kept, w)
				default:
					drained = true
				}
			}
			if policy == DropBuffer || len(kept) == 0 {
				kept = kept[:0]
			} else {
				kept = kept[:len(kept)-1]
			}
			for _, w := range append(kept, v) {
				box <- w // room: only this goroutine sends
			}
			return nil
		case Fail:
			return overflow
		}
	}
	select {
	case box <- v:
		return nil
	case <-stopped:
		return ErrStopped
	case <-ctx.Done():
		return ErrStopped
	}
}
