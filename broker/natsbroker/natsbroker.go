// Package natsbroker carries wsflow's rooms over NATS JetStream, so that a
// room is shared by every server connected to one NATS server or cluster:
// members connected to different servers receive one order, and a member
// can come back on any server after the last event it saw.
//
// # Layout
//
// Each room is a JetStream stream of its own, made on first use (by a
// publish or a subscription), with one subject: room "lobby" is stream
// WSFLOW_ROOM_lobby with subject WSFLOW_ROOM.lobby (DefaultPrefix, or
// WithPrefix's; a name with characters other than ASCII letters, digits
// and '-', or longer than 64 bytes, is spelled in hex after an '_'). A
// stream's sequence numbers are
// therefore the room's: 1 for its first event, consecutive events differ
// by 1, and an event has one number on every server. (A single stream for
// all rooms would number its events across rooms, and a room's events
// would not be consecutive.)
//
// Each server has one consumer per room with members on it (an ordered,
// ephemeral consumer, in memory on the NATS server), not one per member;
// the server hands each event to its local members in stream order. A
// member that comes back after event S reads S+1 onwards from the stream
// itself, then joins the live feed with no gap and no duplicate.
//
// # Limits
//
//   - History: a room's stream keeps its latest WithHistory events
//     (broker.DefaultHistory, 1,000, by default) and none older than
//     WithMaxAge (24 hours by default). A room silent for longer than the
//     maximum age has no history left, so a member coming back to it is
//     told it did not recover.
//   - Rooms: every room in use is a stream on the NATS server, so
//     JetStream's limits on streams (memory, storage and the account's
//     stream count, unlimited by default) bound how many rooms there can
//     be at once. Each broker deletes the streams that have had no
//     consumer and no new event for WithForget (DefaultForget, 2
//     minutes): a forgotten room made again starts again at 1. Finding
//     them lists the prefix's streams every half of that time, a cost
//     that grows with the number of rooms.
//   - Streams live in JetStream's file storage on a single replica,
//     unless WithStorage and WithReplicas say otherwise. A message is at
//     most the NATS server's max_payload (1 MiB by default).
//   - A member coming back reads the events it missed from the stream one
//     by one (a round trip each) before it joins the live feed.
//
// # Faults
//
// When the connection to NATS is lost, every subscription of the broker
// ends with broker.ErrUnavailable (a *message.CloseError 1013, "rooms
// unavailable"): members are closed rather than left to miss events. While
// the connection is lost, Available, Publish and Subscribe return
// broker.ErrUnavailable. nats.go reconnects on its own (for ever, by
// default); once it has, the broker is available again.
package natsbroker

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wsflow/wsflow/broker"
)

// DefaultPrefix begins the name of every room's stream and subject.
const DefaultPrefix = "WSFLOW_ROOM"

// DefaultMaxAge is how long a room's stream keeps an event by default.
const DefaultMaxAge = 24 * time.Hour

// Option configures a Broker.
type Option func(*config)

type config struct {
	prefix   string
	history  int64
	maxAge   time.Duration
	storage  jetstream.StorageType
	replicas int
	natsOpts []nats.Option

	forget    time.Duration
	forgetSet bool
}

// WithHistory sets how many of its latest events a room's stream keeps.
func WithHistory(n int) Option { return func(c *config) { c.history = int64(max(n, 1)) } }

// WithMaxAge sets how long a room's stream keeps an event.
func WithMaxAge(d time.Duration) Option { return func(c *config) { c.maxAge = d } }

// WithPrefix sets the prefix of the rooms' stream names and subjects, so
// that programs sharing one NATS keep their rooms apart. It must be a
// valid stream name and subject token.
func WithPrefix(p string) Option { return func(c *config) { c.prefix = p } }

// WithStorage sets where the rooms' streams are stored (file by default).
func WithStorage(s jetstream.StorageType) Option { return func(c *config) { c.storage = s } }

// WithReplicas sets the number of replicas of each room's stream in a
// cluster (1 by default).
func WithReplicas(n int) Option { return func(c *config) { c.replicas = max(n, 1) } }

// WithNATSOptions adds options to the NATS connection (credentials, TLS,
// reconnect policy). The broker sets its own handlers for disconnection,
// reconnection and closing: handlers set here are called after them.
func WithNATSOptions(opts ...nats.Option) Option {
	return func(c *config) { c.natsOpts = append(c.natsOpts, opts...) }
}

// Broker is a broker.Broker on NATS JetStream. Make it with Connect; Close
// it when done. The zero Broker is connected to nothing: it is never
// available, and Publish and Subscribe return broker.ErrUnavailable.
type Broker struct {
	cfg       config
	nc        *nats.Conn
	js        jetstream.JetStream
	available atomic.Bool
	stopSweep chan struct{}
	sweeping  sync.WaitGroup
	closeOnce sync.Once

	mu      sync.Mutex
	rooms   map[string]*room
	streams map[string]jetstream.Stream
}

var _ broker.Broker = (*Broker)(nil)

// Connect connects to the NATS server or cluster at urls (comma-separated
// nats:// URLs), which must have JetStream enabled. It fails when none can
// be reached.
//
// The connection pings the server every second and counts it lost after
// two pings without an answer, so a silent loss is seen within a few
// seconds; it reconnects for ever, every second.
func Connect(urls string, opts ...Option) (*Broker, error) {
	b := &Broker{
		cfg:     config{prefix: DefaultPrefix, history: broker.DefaultHistory, maxAge: DefaultMaxAge, storage: jetstream.FileStorage, replicas: 1},
		rooms:   make(map[string]*room),
		streams: make(map[string]jetstream.Stream),
	}
	for _, o := range opts {
		o(&b.cfg)
	}
	natsOpts := []nats.Option{
		nats.Name("wsflow rooms"),
		nats.PingInterval(time.Second),
		nats.MaxPingsOutstanding(2),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.ReconnectBufSize(-1), // a publish while disconnected fails at once
	}
	natsOpts = append(natsOpts, b.cfg.natsOpts...)
	nc, err := nats.Connect(urls, natsOpts...)
	if err != nil {
		return nil, fmt.Errorf("natsbroker: connect to %s: %w", urls, err)
	}
	disconnected, reconnected, closed := nc.Opts.DisconnectedErrCB, nc.Opts.ReconnectedCB, nc.Opts.ClosedCB
	nc.SetDisconnectErrHandler(func(c *nats.Conn, err error) {
		b.lose()
		if disconnected != nil {
			disconnected(c, err)
		}
	})
	nc.SetReconnectHandler(func(c *nats.Conn) {
		b.available.Store(true)
		if reconnected != nil {
			reconnected(c)
		}
	})
	nc.SetClosedHandler(func(c *nats.Conn) {
		b.lose()
		if closed != nil {
			closed(c)
		}
	})
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("natsbroker: %w", err)
	}
	b.nc, b.js = nc, js
	b.available.Store(nc.IsConnected())
	if !b.cfg.forgetSet {
		b.cfg.forget = DefaultForget
	}
	if b.cfg.forget > 0 {
		b.stopSweep = make(chan struct{})
		b.sweeping.Add(1)
		go func() {
			defer b.sweeping.Done()
			b.sweep(b.stopSweep)
		}()
	}
	return b, nil
}

// Close ends every subscription (with broker.ErrUnavailable) and closes
// the connection.
func (b *Broker) Close() {
	b.closeOnce.Do(func() {
		if b.stopSweep != nil {
			close(b.stopSweep)
		}
	})
	b.sweeping.Wait()
	if b.nc != nil {
		b.nc.Close()
	}
	b.lose()
}

// Available returns nil while the broker is connected to NATS, and
// broker.ErrUnavailable while it is not.
func (b *Broker) Available() error {
	if b.nc == nil || !b.available.Load() || !b.nc.IsConnected() {
		return broker.ErrUnavailable
	}
	return nil
}

// unavailable turns err into broker.ErrUnavailable when the connection is
// the cause.
func (b *Broker) unavailable(err error) error {
	if err == nil {
		return nil
	}
	if b.Available() != nil || errors.Is(err, nats.ErrConnectionClosed) ||
		errors.Is(err, nats.ErrDisconnected) || errors.Is(err, nats.ErrNoResponders) ||
		errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, nats.ErrTimeout) ||
		errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", broker.ErrUnavailable, err)
	}
	return err
}

// lose marks the broker unavailable and ends every subscription.
func (b *Broker) lose() {
	b.available.Store(false)
	b.mu.Lock()
	rooms := b.rooms
	b.rooms = make(map[string]*room)
	b.streams = make(map[string]jetstream.Stream) // the server may come back without them
	b.mu.Unlock()
	for _, r := range rooms {
		r.end(broker.ErrUnavailable)
	}
}

// names returns the stream name and subject of room.
func (b *Broker) names(room string) (stream, subject string) {
	token := room
	if !safeName(room) {
		token = "_" + hex.EncodeToString([]byte(room))
	}
	return b.cfg.prefix + "_" + token, b.cfg.prefix + "." + token
}

// safeName reports whether s can be used as it is in a stream name and a
// subject token; '_' is left out so that hex spellings cannot collide.
func safeName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// stream returns the room's stream, making it on first use.
func (b *Broker) stream(ctx context.Context, room string) (jetstream.Stream, string, error) {
	name, subject := b.names(room)
	b.mu.Lock()
	s := b.streams[room]
	b.mu.Unlock()
	if s != nil {
		return s, subject, nil
	}
	s, err := b.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:      name,
		Subjects:  []string{subject},
		Retention: jetstream.LimitsPolicy,
		Discard:   jetstream.DiscardOld,
		MaxMsgs:   b.cfg.history,
		MaxAge:    b.cfg.maxAge,
		Storage:   b.cfg.storage,
		Replicas:  b.cfg.replicas,
	})
	if err != nil {
		return nil, "", b.unavailable(err)
	}
	b.mu.Lock()
	b.streams[room] = s
	b.mu.Unlock()
	return s, subject, nil
}

// forgetStream drops the cached stream of room, after a publish found it
// gone.
func (b *Broker) forgetStream(room string) {
	b.mu.Lock()
	delete(b.streams, room)
	b.mu.Unlock()
}

// Publish appends data to the room's stream and returns its sequence
// number, once JetStream has stored it.
func (b *Broker) Publish(ctx context.Context, room string, data []byte) (uint64, error) {
	if err := b.Available(); err != nil {
		return 0, err
	}
	for attempt := 0; ; attempt++ {
		_, subject, err := b.stream(ctx, room)
		if err != nil {
			return 0, err
		}
		ack, err := b.js.Publish(ctx, subject, data)
		if err == nil {
			return ack.Sequence, nil
		}
		if attempt == 0 && errors.Is(err, nats.ErrNoResponders) && b.Available() == nil {
			b.forgetStream(room) // deleted under us: make it again
			continue
		}
		return 0, b.unavailable(err)
	}
}

// Latest returns the sequence number of the room's latest event.
func (b *Broker) Latest(ctx context.Context, room string) (uint64, error) {
	if err := b.Available(); err != nil {
		return 0, err
	}
	_, info, err := b.streamInfo(ctx, room)
	if err != nil {
		return 0, err
	}
	return info.State.LastSeq, nil
}
