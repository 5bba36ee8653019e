package natsbroker

import (
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wsflow/wsflow/broker"
)

// DefaultPrefix begins the name of every partition's stream and subject.
const DefaultPrefix = "WSFLOW_ROOMS"

// DefaultPartitions is how many streams carry the rooms by default.
const DefaultPartitions = 8

// MaxPartitions is the most streams WithPartitions can ask for.
const MaxPartitions = 64

// DefaultMaxAge is how long a partition's stream keeps an event by
// default.
const DefaultMaxAge = 24 * time.Hour

// Grace is how long the broker waits for its connection to NATS to come
// back before it ends every subscription with broker.ErrUnavailable.
const Grace = 3 * time.Second

// Option configures a Broker.
type Option func(*config)

type config struct {
	prefix       string
	partitions   int
	history      int64
	historyBytes int64
	maxAge       time.Duration
	storage      jetstream.StorageType
	replicas     int
	natsOpts     []nats.Option
}

func defaultConfig() config {
	return config{
		prefix:       DefaultPrefix,
		partitions:   DefaultPartitions,
		history:      broker.DefaultHistory,
		historyBytes: broker.DefaultHistoryBytes,
		maxAge:       DefaultMaxAge,
		storage:      jetstream.FileStorage,
		replicas:     1,
	}
}

// WithPartitions sets how many streams carry the rooms (DefaultPartitions;
// from 1 to MaxPartitions). Every server sharing a prefix must use the
// same number: it decides which stream holds a room.
func WithPartitions(n int) Option {
	return func(c *config) { c.partitions = min(max(n, 1), MaxPartitions) }
}

// WithHistory sets how many of its latest events a room keeps
// (broker.DefaultHistory by default; at least 1): the streams' limit of
// messages per subject.
func WithHistory(n int) Option { return func(c *config) { c.history = int64(max(n, 1)) } }

// WithHistoryBytes sets the bytes that all rooms' histories hold together
// (broker.DefaultHistoryBytes by default), shared equally by the
// partitions' streams; past a stream's share its oldest events go first.
// It counts what JetStream stores of a message: payload, subject and
// headers.
func WithHistoryBytes(n int64) Option { return func(c *config) { c.historyBytes = max(n, 1) } }

// WithMaxAge sets how long an event is kept (DefaultMaxAge by default).
func WithMaxAge(d time.Duration) Option { return func(c *config) { c.maxAge = d } }

// WithPrefix sets the prefix of the streams' names and subjects, so that
// programs sharing one NATS keep their rooms apart: 1 or more characters
// from [A-Za-z0-9_-].
func WithPrefix(p string) Option { return func(c *config) { c.prefix = p } }

// WithStorage sets where the streams are stored (file by default).
func WithStorage(s jetstream.StorageType) Option { return func(c *config) { c.storage = s } }

// WithReplicas sets the number of replicas of each stream in a cluster (1
// by default; JetStream allows up to 5).
func WithReplicas(n int) Option { return func(c *config) { c.replicas = max(n, 1) } }

// WithNATSOptions adds options to the NATS connection (credentials, TLS,
// reconnect policy). Handlers for disconnection, reconnection and closing
// set here are called after the broker's own.
func WithNATSOptions(opts ...nats.Option) Option {
	return func(c *config) { c.natsOpts = append(c.natsOpts, opts...) }
}
