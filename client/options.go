package client

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"time"

	"github.com/wsflow/wsflow/message"
)

// Defaults of the options, the same as the router's.
const (
	DefaultReadLimit    = 64 << 10
	DefaultWriteTimeout = 10 * time.Second
)

// DefaultCloseTimeout is how long Dial waits for the server's close frame
// after the client's own (WithCloseTimeout): as long as coder/websocket's
// Close waits.
const DefaultCloseTimeout = 5 * time.Second

// DefaultHandshakeTimeout is how long Dial and Open wait for the opening
// handshake (WithHandshakeTimeout): as long as the demo server gives a
// client to send its handshake request.
const DefaultHandshakeTimeout = 10 * time.Second

// Option configures Dial and Open.
//
// A size or a duration of 0 turns its bound off: WithReadLimit(0) accepts
// messages of any size, WithKeepAlive(0) pings never, and each timeout of
// 0 waits as long as ctx allows. A negative one is a programmer's error:
// the option panics, naming itself.
type Option func(*config)

type config struct {
	header       http.Header
	subprotocols []string
	compression  message.Compression
	keepAlive    time.Duration
	writeTimeout time.Duration
	closeTimeout time.Duration
	handshake    time.Duration
	readLimit    int64
	tls          *tls.Config
	reconnect    *Backoff
	beforeDial   func(*Attempt) error
	onOpen       func(*http.Response)
}

func newConfig(opts []Option) *config {
	c := &config{header: http.Header{}, writeTimeout: DefaultWriteTimeout, closeTimeout: DefaultCloseTimeout, handshake: DefaultHandshakeTimeout, readLimit: DefaultReadLimit}
	for _, o := range opts {
		o(c)
	}
	return c
}

// WithHeader adds a header to the handshake request, as http.Header.Add
// does: WithHeader("Authorization", "Bearer ...").
func WithHeader(key, value string) Option {
	return func(c *config) { c.header.Add(key, value) }
}

// WithSubprotocols offers subprotocols to the server, in order of
// preference; the OnOpen response's Sec-WebSocket-Protocol header says
// which one it chose.
func WithSubprotocols(protocols ...string) Option {
	return func(c *config) { c.subprotocols = append(c.subprotocols, protocols...) }
}

// WithCompression asks for permessage-deflate in the given mode (default
// message.CompressionDisabled).
func WithCompression(mode message.Compression) Option {
	return func(c *config) { c.compression = mode }
}

// WithKeepAlive pings a server that has sent nothing for interval, and
// drops one whose pong has not come back by the next tick, as the
// router's WithKeepAlive does (default 0: off).
func WithKeepAlive(interval time.Duration) Option {
	notNegative("WithKeepAlive", interval)
	return func(c *config) { c.keepAlive = interval }
}

// WithWriteTimeout sets how long the server may take to accept a pending
// write (default 10s; 0: no bound); a server that takes longer is
// dropped.
func WithWriteTimeout(d time.Duration) Option {
	notNegative("WithWriteTimeout", d)
	return func(c *config) { c.writeTimeout = d }
}

// WithCloseTimeout sets how long Dial waits for the server's close frame
// once the flow's output has completed and the client has sent its own
// (default 5s; 0: until ctx ends). Until then the flow's input goes on
// receiving what the server sends; a server whose close frame has not
// come by then is dropped, and Dial returns an error that wraps
// ErrNoCloseFrame.
func WithCloseTimeout(d time.Duration) Option {
	notNegative("WithCloseTimeout", d)
	return func(c *config) { c.closeTimeout = orForever(d) }
}

// WithHandshakeTimeout sets how long a dial may take, from the TCP
// connection to the server's response, TLS included (default 10s; 0:
// until ctx ends). A server that has not answered by then is given up,
// and Dial (each dial of WithReconnect) and Open return an error that
// wraps ErrHandshakeTimeout. ctx still ends a handshake earlier.
func WithHandshakeTimeout(d time.Duration) Option {
	notNegative("WithHandshakeTimeout", d)
	return func(c *config) { c.handshake = orForever(d) }
}

// WithReadLimit sets the largest message, in bytes, the client accepts
// (default 64 KiB; 0: any size); a larger one closes the socket with 1009.
func WithReadLimit(n int64) Option {
	notNegative("WithReadLimit", n)
	return func(c *config) { c.readLimit = n }
}

// WithTLSConfig sets the TLS configuration of wss:// connections; its
// ServerName defaults to the URL's host.
func WithTLSConfig(cfg *tls.Config) Option { return func(c *config) { c.tls = cfg } }

// WithOnOpen calls fn with the handshake's response (status 101) each time
// a connection opens, before its flow starts.
func WithOnOpen(fn func(*http.Response)) Option { return func(c *config) { c.onOpen = fn } }

// WithReconnect makes Dial dial again whenever a connection ends or a
// dial fails, running the flow blueprint again on each new connection,
// until ctx ends or b says to stop (a handshake refused for good, by
// default); see Backoff. WithBeforeDial steers each dial.
func WithReconnect(b Backoff) Option { return func(c *config) { c.reconnect = &b } }

// WithBeforeDial calls fn before each dial of Dial (and Open's one) with
// the Attempt it is about to make, which fn may change: the URL and
// headers that dial sends, so that a client coming back says where it
// left off (a query parameter, a header). An error from fn ends Dial
// with that error, no dial made.
func WithBeforeDial(fn func(a *Attempt) error) Option {
	return func(c *config) { c.beforeDial = fn }
}

// forever stands for a timeout of 0: no bound but the context's.
const forever = time.Duration(1<<63 - 1)

// orForever returns d, or forever for 0.
func orForever(d time.Duration) time.Duration {
	if d == 0 {
		return forever
	}
	return d
}

// notNegative panics, naming option, when v is negative.
func notNegative[T int64 | time.Duration](option string, v T) {
	if v < 0 {
		panic(fmt.Sprintf("client: %s: negative value %v", option, v))
	}
}
