// Package broker is the seam under wsflow's rooms (package rooms): it
// carries the messages of named rooms, as bytes, in one order per room,
// and keeps a bounded history of the rooms so that a member who comes back
// can pick up where it left off.
//
// Every event of a room carries a sequence number: a positive integer
// greater than that of every earlier event of the room, not necessarily by
// 1 (a broker may number the events of many rooms in one sequence). A
// sequence number belongs to an epoch, the incarnation of the history that
// numbered it: a number of another epoch says nothing of this one.
//
// A member joins in two steps: Subscribe starts the room's live feed and
// says where it starts (Subscription.Start), then Replay reads what the
// member missed, from the position it gives up to that start, in batches
// it pulls as it can take them. The two together deliver every event after
// the member's position, in order, with no gap and no duplicate, or say
// that the history no longer reaches back that far (Replay.Recovered).
//
// InProcess, the default, keeps rooms in the process. Package
// broker/natsbroker carries them over NATS JetStream, so that rooms span
// every server connected to one NATS; a program that does not use NATS
// does not link it.
package broker

import (
	"context"

	"github.com/wsflow/wsflow/message"
)

// Event is one message of a room, in the room's order.
type Event struct {
	// Seq is the event's sequence number: greater than that of every
	// earlier event of its room.
	Seq uint64
	// Data is the message as it was published. It is shared by every
	// subscriber and replay of the process: it must not be modified.
	Data []byte
}

// Position is a place in a room's history: the sequence number of the last
// event seen (0: before the first) and the epoch it belongs to.
type Position struct {
	// Epoch names the history Seq belongs to: 1 to 64 characters from
	// [A-Za-z0-9_-]. Empty means the room's current epoch.
	Epoch string
	// Seq is the sequence number of the last event seen.
	Seq uint64
}

// Handler receives the events of one subscription.
type Handler struct {
	// Event is called for each live event, in the room's order, one call
	// at a time. It must not block and must not call the broker.
	Event func(Event)
	// End, when set, is called at most once when the broker ends the
	// subscription itself, with the reason (ErrUnavailable when the
	// broker's connection is lost for good). It is not called after
	// Close. It must not block and must not call the broker.
	End func(error)
}

// Subscription is a subscriber's place in a room's live feed.
type Subscription interface {
	// Start returns the room's epoch and the sequence number after
	// which the feed delivers every event: the events up to it are the
	// history's (see Broker.Replay).
	Start() Position
	// Close ends the subscription. No Event call starts after Close has
	// returned.
	Close()
}

// Replay reads a room's history in order.
type Replay interface {
	// Recovered reports whether the history held every event of the room
	// after the position the replay started from: false when the history
	// no longer reaches back that far, when the position's sequence
	// number is beyond the room's latest event, or when its epoch is not
	// the room's (the replay then reads every event the history holds).
	Recovered() bool
	// Next returns the next events, in order: at least one, at most a
	// batch of the broker's choosing; io.EOF once the replay has read
	// every event up to its end. Data is shared: it must not be modified.
	// It is called from one goroutine at a time.
	Next(ctx context.Context) ([]Event, error)
	// Close ends the replay and frees what it holds.
	Close()
}

// Broker carries the messages of named rooms. Implementations are safe
// for concurrent use.
type Broker interface {
	// Publish appends data to the room's order and returns the event's
	// sequence number once the broker has stored it. data must not be
	// modified afterwards: subscribers share it.
	Publish(ctx context.Context, room string, data []byte) (seq uint64, err error)
	// Subscribe starts the live feed of room: h receives every event with
	// a sequence number greater than the subscription's Start, in order,
	// with no gap and no duplicate, until Close.
	Subscribe(ctx context.Context, room string, h Handler) (Subscription, error)
	// Replay reads the room's history: every event it holds after from,
	// up to and including the event numbered upTo (usually a
	// subscription's Start().Seq), in order.
	Replay(ctx context.Context, room string, from Position, upTo uint64) (Replay, error)
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
// default (within its byte budget).
const DefaultHistory = 1000

// DefaultHistoryBytes is the payload bytes that all rooms' histories hold
// together by default: 32 MiB. Past it the oldest events go first.
const DefaultHistoryBytes = 32 << 20

// ValidEpoch reports whether e can be an epoch: 1 to 64 characters from
// [A-Za-z0-9_-].
func ValidEpoch(e string) bool {
	if e == "" || len(e) > 64 {
		return false
	}
	for _, c := range []byte(e) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
