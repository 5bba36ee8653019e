// Package natsbroker carries wsflow's rooms over NATS JetStream, so that a
// room is shared by every server connected to one NATS server or cluster:
// members connected to different servers receive one order, and a member
// can come back on any server after the last event it saw.
//
// # Layout
//
// The rooms share a fixed set of streams, the partitions (WithPartitions,
// DefaultPartitions: 8), made or updated when the broker connects and
// never deleted by it: partition 3 is stream WSFLOW_ROOMS_03 with subjects
// WSFLOW_ROOMS.03.* (DefaultPrefix, or WithPrefix's). A room belongs to
// the partition its name hashes to (FNV-1a) and is one subject of it:
// room "lobby" is WSFLOW_ROOMS.pp.lobby; a name that is not 1 to 64 bytes
// of ASCII letters, digits and '-' is spelled in base64url after a '_'
// (after a '~', the SHA-256 of a name longer than 192 bytes), so any name
// is one safe subject token. Making a room costs nothing on the NATS
// server beyond its messages: 100,000 rooms are still 8 streams.
//
// An event's sequence number is its stream's: it grows with every event
// of the partition, so a room's numbers increase but skip those of the
// other rooms of its partition. A room's epoch is its stream's creation
// time, the same on every server; it changes only if the stream is
// deleted and made anew (by an operator, or a NATS server that lost its
// storage), which restarts the numbering.
//
// # Costs
//
// Each server runs one consumer per partition in which it has had members
// (an ordered, ephemeral consumer in memory on the NATS server), not one
// per room or member, and hands each event to its local members of the
// room. The trade-off: a server receives the traffic of every room of a
// partition it has had a member in, and drops the events of rooms it has
// no member of. The first join of a partition costs a stream info and a
// consumer creation; the consumer then runs until the broker loses its
// connection or is closed, so that rooms joined and left one after
// another do not make and drop a consumer each (which, at about 15,500
// rooms joined in a row, left the NATS server with too many consumers to
// answer joins).
//
// A member coming back reads what it missed through a consumer filtered
// on its room, in batches of up to 256 events (and 256 KiB, or one
// message of the server's maximum size): a 1,000-event history is a
// handful of requests, not one per event. The consumer reads from the
// stream's replica it is placed on, which holds every event acknowledged
// before the member subscribed (a direct get may be answered by a
// follower that has not yet stored the latest events, and nats.go has no
// batched direct get).
//
// # Limits
//
//   - History: a room keeps its latest WithHistory events
//     (broker.DefaultHistory, 1,000) and none older than WithMaxAge (24
//     hours); the streams together keep WithHistoryBytes
//     (broker.DefaultHistoryBytes, 32 MiB), each partition an equal share,
//     past which a partition's oldest events go first, whatever their room.
//     A message is at most the NATS server's max_payload (1 MiB by
//     default).
//   - Recovered: a member coming back after event S of the room's epoch
//     recovered iff event S is still held (discards go oldest first, so
//     every later event of the room is too). A member coming back from
//     the start (S = 0) recovered only if the partition's stream has
//     discarded nothing at all: the stream cannot say whether the room
//     itself lost an event, so the answer errs towards "not recovered".
//   - Streams are stored in files on one replica unless WithStorage and
//     WithReplicas say otherwise. Every server sharing a prefix must use
//     the same options: each makes or updates the streams with its own
//     when it connects, and WithPartitions decides where a room lives.
//
// # Faults
//
// When the connection to NATS is lost, nats.go reconnects to the same or
// another server of the cluster. Within Grace (3 s) nothing ends: the
// partitions' consumers resume after the last event they delivered, and
// a publish is retried, with a message ID that JetStream uses to store it
// once, until its context's deadline. Past the grace every subscription
// ends with broker.ErrUnavailable (a *message.CloseError 1013, "rooms
// unavailable") rather than leave members to miss events, and Available,
// Publish, Subscribe and Replay return broker.ErrUnavailable until the
// connection is back. A publish that cannot be stored by its deadline
// returns broker.ErrUnavailable: it may still have been stored, but it is
// never reported stored when it was not. If a partition's epoch changed
// while the connection was lost, its subscriptions end with
// broker.ErrUnavailable once the broker is back.
package natsbroker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wsflow/wsflow/broker"
)

// connectTimeout bounds Connect's making of the streams.
const connectTimeout = 10 * time.Second

// Broker is a broker.Broker on NATS JetStream. Make it with Connect; Close
// it when done. The zero Broker is connected to nothing: it is never
// available, and Publish, Subscribe and Replay return
// broker.ErrUnavailable.
type Broker struct {
	cfg        config
	nc         *nats.Conn
	js         jetstream.JetStream
	partitions []*partition
	batchBytes int // the byte bound of a replay's batch

	lost    atomic.Bool   // past the grace, or closed
	recheck chan struct{} // a reconnection asks for the streams to be checked
	done    chan struct{} // closed by Close
	tasks   sync.WaitGroup

	mu     sync.Mutex
	grace  *time.Timer // running while the connection is lost within the grace
	closed bool
}

var _ broker.Broker = (*Broker)(nil)

// Connect connects to the NATS server or cluster at urls (comma-separated
// nats:// URLs), which must have JetStream enabled, and makes or updates
// the partitions' streams. It fails when none of the servers can be
// reached, or the streams cannot be made.
//
// The connection pings the server every second and counts it lost after
// two pings without an answer, so a silent loss is seen within a few
// seconds; it reconnects for ever, every second.
func Connect(urls string, opts ...Option) (*Broker, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if !validPrefix(cfg.prefix) {
		return nil, fmt.Errorf("natsbroker: prefix %q: want 1 or more of [A-Za-z0-9_-]", cfg.prefix)
	}
	b := &Broker{cfg: cfg, recheck: make(chan struct{}, 1), done: make(chan struct{})}
	for i := range cfg.partitions {
		b.partitions = append(b.partitions, &partition{
			b:       b,
			stream:  streamName(cfg.prefix, i),
			subject: partitionSubject(cfg.prefix, i),
			rooms:   make(map[string]map[*sub]struct{}),
		})
	}
	nc, err := nats.Connect(urls, b.natsOptions()...)
	if err != nil {
		return nil, fmt.Errorf("natsbroker: connect to %s: %w", urls, err)
	}
	b.nc = nc
	b.batchBytes = max(replayBatchBytes, int(nc.MaxPayload())+4<<10)
	if b.js, err = jetstream.New(nc); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
		_, err = b.makeStreams(ctx)
		cancel()
	}
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("natsbroker: %w", err)
	}
	b.tasks.Add(1)
	go func() {
		defer b.tasks.Done()
		b.checkAfterReconnect()
	}()
	return b, nil
}

// natsOptions returns the connection's options: the broker's defaults,
// WithNATSOptions', and the broker's handlers, which call those of
// WithNATSOptions after their own.
func (b *Broker) natsOptions() []nats.Option {
	var user nats.Options
	for _, o := range b.cfg.natsOpts {
		_ = o(&user)
	}
	opts := []nats.Option{
		nats.Name("wsflow rooms"),
		nats.PingInterval(time.Second),
		nats.MaxPingsOutstanding(2),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.ReconnectBufSize(-1), // a publish while disconnected fails at once, and is retried
	}
	return append(append(opts, b.cfg.natsOpts...),
		nats.DisconnectErrHandler(func(c *nats.Conn, err error) {
			b.disconnected()
			if user.DisconnectedErrCB != nil {
				user.DisconnectedErrCB(c, err)
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) {
			b.reconnected()
			if user.ReconnectedCB != nil {
				user.ReconnectedCB(c)
			}
		}),
		nats.ClosedHandler(func(c *nats.Conn) {
			b.lose()
			if user.ClosedCB != nil {
				user.ClosedCB(c)
			}
		}))
}

// Close ends every subscription (with broker.ErrUnavailable) and closes
// the connection.
func (b *Broker) Close() {
	b.mu.Lock()
	if b.closed || b.nc == nil {
		b.mu.Unlock()
		return
	}
	b.closed = true
	b.stopGrace()
	b.mu.Unlock()
	close(b.done)
	b.lose()
	b.nc.Close()
	b.tasks.Wait()
}

// Available returns nil while the broker can carry rooms: connected to
// NATS, or within the grace after losing the connection; and
// broker.ErrUnavailable otherwise.
func (b *Broker) Available() error {
	if b.nc == nil || b.lost.Load() {
		return broker.ErrUnavailable
	}
	return nil
}

// unavailable returns err as broker.ErrUnavailable (wrapping err), unless
// it is nil or already is.
func unavailable(err error) error {
	if err == nil || errors.Is(err, broker.ErrUnavailable) {
		return err
	}
	return fmt.Errorf("%w: %w", broker.ErrUnavailable, err)
}
