package wstest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/message"
)

// DialOption configures a dial: the handshake request and the resulting
// Conn.
type DialOption func(*dialConfig)

type dialConfig struct {
	header       http.Header
	subprotocols []string
	compression  message.Compression
	timeout      time.Duration
}

func newDialConfig(opts []DialOption) *dialConfig {
	cfg := &dialConfig{header: http.Header{}, timeout: DefaultTimeout}
	for _, o := range opts {
		o(cfg)
	}
	return cfg
}

// WithHeader adds a header to the handshake request, as http.Header.Add
// does: WithHeader("Origin", "https://app.example.com").
func WithHeader(key, value string) DialOption {
	return func(c *dialConfig) { c.header.Add(key, value) }
}

// WithSubprotocols offers subprotocols to the server, in order of
// preference; Conn.Subprotocol tells which one it chose.
func WithSubprotocols(protocols ...string) DialOption {
	return func(c *dialConfig) { c.subprotocols = append(c.subprotocols, protocols...) }
}

// WithCompression asks for permessage-deflate in the given mode (default
// message.CompressionDisabled); the response's Sec-WebSocket-Extensions
// header (Conn.Response) tells whether the server agreed.
func WithCompression(mode message.Compression) DialOption {
	return func(c *dialConfig) { c.compression = mode }
}

// WithTimeout sets the bound of the dial and of each later step of the
// Conn (default DefaultTimeout), and of each write the connection makes:
// a server that takes no more for that long is dropped. When it passes,
// the step fails the test. A bound of 0 or less is a programmer's error,
// and WithTimeout panics: a test step must end.
func WithTimeout(d time.Duration) DialOption {
	if d <= 0 {
		panic(fmt.Sprintf("wstest: WithTimeout: %v is no bound: a test step must end", d))
	}
	return func(c *dialConfig) { c.timeout = d }
}

// open dials url through package client with the options of cfg: no
// limit on the size of a message, writes bounded by the timeout.
func (cfg *dialConfig) open(url string) (*client.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	opts := []client.Option{
		client.WithSubprotocols(cfg.subprotocols...),
		client.WithCompression(cfg.compression),
		client.WithReadLimit(0),
		client.WithWriteTimeout(cfg.timeout),
	}
	for name, values := range cfg.header {
		for _, v := range values {
			opts = append(opts, client.WithHeader(name, v))
		}
	}
	return client.Open(ctx, url, opts...)
}

// Dial opens a WebSocket connection to url (ws:// or wss://) and fails
// the test if the handshake does not succeed. The connection is dropped
// at the end of tb's test if it is still open, and reads messages of any
// size.
func Dial(tb TB, url string, opts ...DialOption) *Conn {
	tb.Helper()
	cfg := newDialConfig(opts)
	cc, err := cfg.open(url)
	if err != nil {
		var refused *client.HandshakeError
		if errors.As(err, &refused) {
			tb.Fatalf("wstest: dial %s: refused with HTTP %d %q: %v", url, refused.StatusCode, refused.Body, refused.Err)
			return nil
		}
		tb.Fatalf("wstest: dial %s: %v", url, explain(err, cfg.timeout))
		return nil
	}
	c := &Conn{tb: tb, cc: cc, timeout: cfg.timeout}
	tb.Cleanup(c.drop)
	return c
}

// DialRefused dials url expecting the server to refuse the handshake with
// an HTTP response, and returns that response: its status, headers and
// the start of its body. It fails the test if the
// handshake succeeds (the connection is then dropped) or if no response
// came.
func DialRefused(tb TB, url string, opts ...DialOption) *client.HandshakeError {
	tb.Helper()
	cfg := newDialConfig(opts)
	cc, err := cfg.open(url)
	var refused *client.HandshakeError
	switch {
	case err == nil:
		cc.CloseNow()
		tb.Fatalf("wstest: dial %s: want the handshake refused, got an open connection", url)
	case errors.As(err, &refused):
		return refused
	default:
		tb.Fatalf("wstest: dial %s: want the handshake refused with an HTTP response, got %v", url, explain(err, cfg.timeout))
	}
	return nil
}

// explain describes err, naming the timeout when it is what ended a step.
func explain(err error, timeout time.Duration) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("nothing within %v (%v)", timeout, err)
	}
	return err.Error()
}
