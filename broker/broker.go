// Package broker is the seam under wsflow's rooms (flow.Rooms): it carries
// the messages of named rooms, as bytes, in one order per room, and keeps a
// bounded history of each room so that a member who comes back can pick up
// where it left off.
//
// Every event of a room carries the room's sequence number: 1 for the
// room's first event, and consecutive events of a room differ by 1, so a
// subscriber can see a gap itself. A subscription starts after a sequence
// number: it receives every later event still in the room's history, in
// order, with no gap and no duplicate, then the live ones; when the
// history no longer reaches back that far it says so (Recovered).
//
// InProcess, the default, keeps rooms in the process. Package
// broker/nats carries them over NATS JetStream, so that rooms span every
// server connected to one NATS; a program that does not use NATS does not
// link it.
package broker

import (
	"context"

	"github.com/wsflow/wsflow/message"
)

// Event is one message of a room, in the room's order.
type Event struct {
	// Seq is the event's sequence number in its room, from 1.
	Seq uint64
	// Data is the message as it was published. It is shared by every
	// subscriber of the process: it must not be modified.
	Data []byte
}

// Handler receives the events of one subscription.
type Handler struct {
	// Event is called for each event, in the room's order, one call at a
	// time. It must not block and must not call the broker.
	Event func(Event)
	// End, when set, is called at most once when the broker ends the
	// subscription itself, with the reason (ErrUnavailable when the
	// broker's connection is lost). It is not called after Close. It must
	// not block and must not call the broker.
	End func(error)
}

// Subscription is a subscriber's place in a room.
type Subscription interface {
	// Recovered reports whether the subscription received every event
	// after the sequence number it asked for: false when the room's
	// history no longer held the next event, or when the number it asked
	// for was beyond the room's latest event.
	Recovered() bool
	// Close ends the subscription. No Event call starts after Close has
	// returned.
	Close()
}

// Broker carries the messages of named rooms. Implementations are safe
// for concurrent use.
type Broker interface {
	// Publish appends data to the room's order, making the room if it
	// has no history, and returns the event's sequence number. data must
	// not be modified afterwards: subscribers share it.
	Publish(ctx context.Context, room string, data []byte) (seq uint64, err error)
	// Subscribe delivers to h every event of the room whose sequence
	// number is greater than after: first those still in the room's
	// history, then the live ones as they are published, in order, with
	// no gap and no duplicate. The history's events may be delivered
	// before Subscribe returns.
	Subscribe(ctx context.Context, room string, after uint64, h Handler) (Subscription, error)
	// Latest returns the sequence number of the room's latest event; 0
	// for a room with no history.
	Latest(ctx context.Context, room string) (uint64, error)
	// Available returns nil while the broker can carry rooms, and
	// ErrUnavailable (or an error wrapping it) while it cannot.
	Available() error
}

// ErrUnavailable is the failure of a room member, publish or join while the
// broker cannot carry rooms, for instance while its connection to NATS is
// lost. As a flow's failure it closes the socket with 1013 (try again
// later) and the reason "rooms unavailable".
var ErrUnavailable = message.NewCloseError(message.TryAgainLater, "rooms unavailable")

// DefaultHistory is how many of a room's latest events a broker keeps by
// default.
const DefaultHistory = 1000
