package client

import (
	"crypto/tls"
	"net/http"
	"time"

	"github.com/coder/websocket"
	"github.com/wsflow/wsflow/router"
)

// Defaults of the options, the same as the router's.
const (
	DefaultReadLimit    = router.DefaultReadLimit
	DefaultWriteTimeout = router.DefaultWriteTimeout
)

// DefaultCloseTimeout is how long Dial waits for the server's close frame
// after the client's own (WithCloseTimeout): as long as coder/websocket's
// Close waits.
const DefaultCloseTimeout = 5 * time.Second

// DefaultHandshakeTimeout is how long Dial and Open wait for the opening
// handshake (WithHandshakeTimeout): as long as the demo server gives a
// client to send its handshake request.
const DefaultHandshakeTimeout = 10 * time.Second

// Option configures Dial.
type Option func(*config)

type config struct {
	header       http.Header
	subprotocols []string
	compression  router.Compression
	keepAlive    time.Duration
	writeTimeout time.Duration
	closeTimeout time.Duration
	handshake    time.Duration
	readLimit    int64
	tls          *tls.Config
	reconnect    *Backoff
	beforeDial   func(*Attempt) error
	onOpen       func(*http.Response)
	onConn       func(*websocket.Conn)
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
// router.CompressionDisabled).
func WithCompression(mode router.Compression) Option {
	return func(c *config) { c.compression = mode }
}

// WithKeepAlive pings a server that has sent nothing for interval, and
// drops one whose pong has not come back by the next tick, as the
// router's WithKeepAlive does (default 0: off).
func WithKeepAlive(interval time.Duration) Option {
	return func(c *config) { c.keepAlive = interval }
}

// WithWriteTimeout sets how long the server may take to accept a pending
// write (default 10s; 0 disables the limit); a server that takes longer is
// dropped.
func WithWriteTimeout(d time.Duration) Option { return func(c *config) { c.writeTimeout = d } }

// WithCloseTimeout sets how long Dial waits for the server's close frame
// once the flow's output has completed and the client has sent its own
// (default 5s; 0 or less: the default). Until then the flow's input goes
// on receiving what the server sends; a server whose close frame has not
// come by then is dropped, and Dial returns an error that wraps
// ErrNoCloseFrame.
func WithCloseTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.closeTimeout = d
		}
	}
}

// WithHandshakeTimeout sets how long a dial may take, from the TCP
// connection to the server's response, TLS included (default 10s; 0 or
// less: the default). A server that has not answered by then is given up,
// and Dial (each dial of WithReconnect) and Open return an error that
// wraps ErrHandshakeTimeout. ctx still ends a handshake earlier.
func WithHandshakeTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.handshake = d
		}
	}
}

// WithReadLimit sets the largest message, in bytes, the client accepts
// (default 64 KiB); a larger one closes the socket with 1009.
func WithReadLimit(n int64) Option { return func(c *config) { c.readLimit = n } }

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

// WithConn calls fn with the coder/websocket connection each time a
// connection opens, after OnOpen and before its flow starts: an escape
// hatch for what the package does not cover, such as a ping of the
// client's own (its Ping waits for the pong, which the runtime reads).
// The runtime reads the connection for its whole life and writes the
// flow's output on it; fn may keep it to write frames of its own
// (coder/websocket serialises writes), but must never read from it or
// close it. Once the flow's output has completed the client has sent its
// close frame: what is written on the connection afterwards is dropped.
func WithConn(fn func(*websocket.Conn)) Option { return func(c *config) { c.onConn = fn } }
