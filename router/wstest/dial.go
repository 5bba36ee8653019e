package wstest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/transformer"
)

// DialOption configures a dial: the handshake request and the resulting
// Conn.
type DialOption func(*dialConfig)

type dialConfig struct {
	dial    websocket.DialOptions
	timeout time.Duration
}

func newDialConfig(opts []DialOption) *dialConfig {
	cfg := &dialConfig{timeout: DefaultTimeout}
	for _, o := range opts {
		o(cfg)
	}
	return cfg
}

// Header adds a header to the handshake request, as http.Header.Add does:
// Header("Origin", "https://app.example.com").
func Header(key, value string) DialOption {
	return func(c *dialConfig) {
		if c.dial.HTTPHeader == nil {
			c.dial.HTTPHeader = http.Header{}
		}
		c.dial.HTTPHeader.Add(key, value)
	}
}

// Subprotocols offers subprotocols to the server, in order of preference;
// Conn.Subprotocol tells which one it chose.
func Subprotocols(protocols ...string) DialOption {
	return func(c *dialConfig) { c.dial.Subprotocols = append(c.dial.Subprotocols, protocols...) }
}

// Compression asks for permessage-deflate in the given mode (default
// router.CompressionDisabled); the response's Sec-WebSocket-Extensions
// header (Conn.Response) tells whether the server agreed.
func Compression(mode router.Compression) DialOption {
	return func(c *dialConfig) {
		switch mode {
		case router.CompressionContextTakeover:
			c.dial.CompressionMode = websocket.CompressionContextTakeover
		case router.CompressionNoContextTakeover:
			c.dial.CompressionMode = websocket.CompressionNoContextTakeover
		default:
			c.dial.CompressionMode = websocket.CompressionDisabled
		}
	}
}

// Timeout sets the bound of the dial and of each later step of the Conn
// (default DefaultTimeout). When it passes, the step fails the test and,
// as coder/websocket does with an expired context, the connection closes.
func Timeout(d time.Duration) DialOption {
	return func(c *dialConfig) { c.timeout = d }
}

// Configure changes the coder/websocket DialOptions of the dial directly,
// an escape hatch for what the other options do not cover, such as
// OnPingReceived. It runs after the options before it.
func Configure(fn func(*websocket.DialOptions)) DialOption {
	return func(c *dialConfig) { fn(&c.dial) }
}

// Dial opens a WebSocket connection to url (ws:// or wss://) and fails
// the test if the handshake does not succeed. The connection is dropped
// at the end of tb's test if it is still open, and reads messages of any
// size.
func Dial(tb TB, url string, opts ...DialOption) *Conn {
	tb.Helper()
	return dial(tb, url, newDialConfig(opts))
}

func dial(tb TB, url string, cfg *dialConfig) *Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	// The kit reads the connection itself, step by step on the test's
	// goroutine, so it dials coder/websocket here; client.Dial's runtime
	// would own the reading.
	ws, resp, err := websocket.Dial(ctx, url, &cfg.dial)
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			r := responseOf(client.NewHandshakeError(resp, err))
			tb.Fatalf("wstest: dial %s: refused with HTTP %d %q: %v", url, r.StatusCode, r.Body, err)
			return nil
		}
		tb.Fatalf("wstest: dial %s: %v", url, explain(err, cfg.timeout))
		return nil
	}
	ws.SetReadLimit(-1)
	c := &Conn{tb: tb, ws: ws, resp: resp, timeout: cfg.timeout}
	tb.Cleanup(func() { c.drop() })
	return c
}

// Response is the HTTP response of a refused handshake.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       string // the start of the body (coder/websocket keeps 1 KiB)
}

// responseOf is the Response of a refused handshake.
func responseOf(e *client.HandshakeError) *Response {
	return &Response{StatusCode: e.StatusCode, Header: e.Header, Body: e.Body}
}

// DialRefused dials url expecting the server to refuse the handshake with
// an HTTP response, and returns that response. It fails the test if the
// handshake succeeds (the connection is then closed) or if no response
// came. It dials through package client, with the options' header,
// subprotocols and compression; what Configure sets beyond those (an
// HTTPClient, ping and pong callbacks) does not apply.
func DialRefused(tb TB, url string, opts ...DialOption) *Response {
	tb.Helper()
	return dialRefused(tb, url, newDialConfig(opts))
}

func dialRefused(tb TB, url string, cfg *dialConfig) *Response {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	// Should the handshake succeed, the flow completes at once: the
	// connection closes with 1000.
	var opened bool
	done := flow.Wrap(flow.ForEach(func(message.Message) {}), flow.SourceFunc(func(context.Context, func(message.Message) error) error { return nil }))
	err := client.Dial(ctx, url, transformer.Raw(), done, append(cfg.clientOptions(), client.WithOnOpen(func(*http.Response) { opened = true }))...)
	var refused *client.HandshakeError
	switch {
	case errors.As(err, &refused):
		return responseOf(refused)
	case opened:
		tb.Fatalf("wstest: dial %s: want the handshake refused, got an open connection", url)
	default:
		tb.Fatalf("wstest: dial %s: want the handshake refused with an HTTP response, got %v", url, explain(err, cfg.timeout))
	}
	return nil
}

// clientOptions are package client's options for the handshake cfg
// describes.
func (cfg *dialConfig) clientOptions() []client.Option {
	var opts []client.Option
	for name, values := range cfg.dial.HTTPHeader {
		for _, v := range values {
			opts = append(opts, client.WithHeader(name, v))
		}
	}
	opts = append(opts, client.WithSubprotocols(cfg.dial.Subprotocols...))
	switch cfg.dial.CompressionMode {
	case websocket.CompressionContextTakeover:
		opts = append(opts, client.WithCompression(router.CompressionContextTakeover))
	case websocket.CompressionNoContextTakeover:
		opts = append(opts, client.WithCompression(router.CompressionNoContextTakeover))
	}
	return opts
}

// explain describes err, naming the timeout when it is what ended a step.
func explain(err error, timeout time.Duration) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("nothing within %v (%v)", timeout, err)
	}
	return err.Error()
}
