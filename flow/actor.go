package flow

import "context"

// DefaultMailboxSize is the size of an actor's mailbox unless
// WithMailbox says otherwise.
const DefaultMailboxSize = 16

// ActorOption configures an Actor.
type ActorOption func(*actorConfig)

type actorConfig struct {
	size     int
	overflow Overflow
}

// WithMailbox sets the actor's mailbox size (positive) and what it
// does with a message that arrives when it is full (Backpressure by
// default; see Overflow).
func WithMailbox(size int, policy Overflow) ActorOption {
	needPositive("WithMailbox", "size", size)
	needStrategy("WithMailbox", "policy", policy)
	return func(c *actorConfig) {
		c.size = size
		c.overflow = policy
	}
}

// Outbox sends an actor's messages to the socket. It is safe for use by
// several goroutines.
type Outbox[T any] struct{ emit func(T) error }

// Send sends v, waiting while the peer is not taking messages. An error
// means the socket has closed: the actor should return.
func (o Outbox[T]) Send(v T) error { return o.emit(v) }

// Actor runs one actor per connection: Play's ActorFlow.actorRef. act runs
// on a goroutine of its own with the connection's context; it receives the
// peer's messages from mailbox, which is closed when the peer has closed,
// and sends with out. Its state is its own local variables: no locks
// needed.
//
// act returning ends the socket: nil closes it with 1000, a
// *message.CloseError with its code, any other error with 1011. When the
// socket closes first, ctx ends and act should return. To run code once
// the socket has closed (Play's postStop), use OnDone on the returned
// Flow.
func Actor[In, Out any](act func(ctx context.Context, mailbox <-chan In, out Outbox[Out]) error, opts ...ActorOption) Flow[In, Out] {
	needFunc("Actor", "act", act == nil)
	cfg := actorConfig{size: DefaultMailboxSize}
	for _, o := range opts {
		o(&cfg)
	}
	return Flow[In, Out]{open: func(s scope, out outlet[Out]) inlet[In] {
		return detach(s, out, cfg.size, cfg.overflow, ErrMailboxOverflow, func(s scope, mailbox <-chan In, emit func(Out) error) error {
			return act(s.ctx, mailbox, Outbox[Out]{emit: serialize(emit)})
		})
	}}
}
