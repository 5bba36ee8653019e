package router

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/coder/websocket"
	"github.com/wsflow/wsflow/message"
)

// Defaults of the options.
const (
	DefaultReadLimit    = 64 << 10
	DefaultKeepAlive    = 30 * time.Second
	DefaultWriteTimeout = 10 * time.Second
)

// Option configures the sockets of a handler made by Accept or
// AcceptOrResult.
//
// A size or a duration of 0 turns its bound off: WithReadLimit(0) accepts
// messages of any size, WithKeepAlive(0) pings never, WithWriteTimeout(0)
// waits for a peer as long as it takes, as NewGroup(0) admits any number
// of sockets. A negative one is a programmer's error: the option panics,
// naming itself.
type Option func(*config)

type config struct {
	readLimit      int64
	originPatterns []string
	subprotocols   []string
	compression    message.Compression
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
// (default 64 KiB; 0: any size). A larger one closes the socket with 1009.
func WithReadLimit(n int64) Option {
	notNegative("WithReadLimit", n)
	return func(c *config) { c.readLimit = n }
}

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
// message.CompressionDisabled).
func WithCompression(mode message.Compression) Option {
	return func(c *config) { c.compression = mode }
}

// WithKeepAlive sets the keep-alive interval (default 30s; 0 disables
// it). At each tick a peer that has sent nothing since the previous one is
// pinged; one whose pong has not come back by the next tick is dropped,
// and its flow completes. A peer that keeps sending is alive and is not
// pinged.
func WithKeepAlive(interval time.Duration) Option {
	notNegative("WithKeepAlive", interval)
	return func(c *config) { c.keepAlive = interval }
}

// WithWriteTimeout sets how long a peer may take to accept a pending
// write (default 10s; 0 disables the limit). A peer that takes longer is
// dropped, so a peer that never reads cannot hold server memory.
func WithWriteTimeout(d time.Duration) Option {
	notNegative("WithWriteTimeout", d)
	return func(c *config) { c.writeTimeout = d }
}

// notNegative panics, naming option, when v is negative.
func notNegative[T int64 | time.Duration](option string, v T) {
	if v < 0 {
		panic(fmt.Sprintf("router: %s: negative value %v", option, v))
	}
}

// WithLogger sets the logger of connection events (default slog.Default).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithGroup registers the handler's sockets with g, for its connection
// limit and its Shutdown.
func WithGroup(g *Group) Option { return func(c *config) { c.group = g } }

// compressionMode returns coder/websocket's value of m.
func compressionMode(m message.Compression) websocket.CompressionMode {
	switch m {
	case message.CompressionContextTakeover:
		return websocket.CompressionContextTakeover
	case message.CompressionNoContextTakeover:
		return websocket.CompressionNoContextTakeover
	}
	return websocket.CompressionDisabled
}
