package router

import (
	"log/slog"
	"time"

	"github.com/coder/websocket"
)

// Defaults of the options.
const (
	DefaultReadLimit    = 64 << 10
	DefaultKeepAlive    = 30 * time.Second
	DefaultWriteTimeout = 10 * time.Second
)

// Option configures the sockets of a handler made by Accept or
// AcceptOrResult.
type Option func(*config)

type config struct {
	readLimit      int64
	originPatterns []string
	subprotocols   []string
	compression    Compression
	keepAlive      time.Duration
	writeTimeout   time.Duration
	logger         *slog.Logger
	group          *Group
	observer       Observer
}

func newConfig(opts []Option) *config {
	c := &config{
		readLimit:    DefaultReadLimit,
		keepAlive:    DefaultKeepAlive,
		writeTimeout: DefaultWriteTimeout,
		logger:       slog.Default(),
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// WithReadLimit sets the largest message, in bytes, a socket accepts
// (default 64 KiB). A larger one closes the socket with 1009.
func WithReadLimit(n int64) Option { return func(c *config) { c.readLimit = n } }

// WithOrigins allows cross-origin handshakes from Origins matching one of
// patterns. A pattern without "://" matches the Origin's host (and port),
// as in "app.example.com" or "*.example.com"; a pattern with "://"
// matches "scheme://host". Patterns use path.Match syntax. An Origin
// whose host equals the request's Host is always allowed; any other is
// refused with 403.
func WithOrigins(patterns ...string) Option {
	return func(c *config) { c.originPatterns = append(c.originPatterns, patterns...) }
}

// WithSubprotocols lists the subprotocols the server speaks, in order of
// preference; the first one the client also offers is chosen.
func WithSubprotocols(protocols ...string) Option {
	return func(c *config) { c.subprotocols = append(c.subprotocols, protocols...) }
}

// WithCompression sets whether permessage-deflate is negotiated (default
// CompressionDisabled).
func WithCompression(mode Compression) Option { return func(c *config) { c.compression = mode } }

// WithKeepAlive sets the keep-alive interval (default 30s; 0 disables
// it). At each tick a peer that has sent nothing since the previous one is
// pinged; one whose pong has not come back by the next tick is dropped,
// and its flow completes. A peer that keeps sending is alive and is not
// pinged.
func WithKeepAlive(interval time.Duration) Option {
	return func(c *config) { c.keepAlive = interval }
}

// WithWriteTimeout sets how long a peer may take to accept a pending
// write (default 10s; 0 disables the limit). A peer that takes longer is
// dropped, so a peer that never reads cannot hold server memory.
func WithWriteTimeout(d time.Duration) Option { return func(c *config) { c.writeTimeout = d } }

// WithLogger sets the logger of connection events (default slog.Default).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithGroup registers the handler's sockets with g, for its connection
// limit and its Shutdown.
func WithGroup(g *Group) Option { return func(c *config) { c.group = g } }

// Compression is a permessage-deflate mode (RFC 7692).
type Compression int

// The compression modes.
const (
	// CompressionDisabled negotiates no compression.
	CompressionDisabled Compression = iota
	// CompressionContextTakeover keeps a sliding window per connection:
	// better ratios, more memory.
	CompressionContextTakeover
	// CompressionNoContextTakeover compresses each message on its own.
	CompressionNoContextTakeover
)

// mode returns coder/websocket's value of m.
func (m Compression) mode() websocket.CompressionMode {
	switch m {
	case CompressionContextTakeover:
		return websocket.CompressionContextTakeover
	case CompressionNoContextTakeover:
		return websocket.CompressionNoContextTakeover
	}
	return websocket.CompressionDisabled
}
