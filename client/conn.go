package client

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/internal/wire"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/transformer"
)

// Conn is an open client connection driven message by message, with Send
// and Receive, for a program that takes each step itself rather than
// running a Flow: a test (router/wstest is built on it), a prompt, a
// protocol whose next step depends on the last answer. Under it runs the
// connection runtime of Dial, with the same rules of the wire, keep-alive,
// read limit and close handshake.
//
// The runtime reads the connection all the time, answering pings, but
// takes a data message only when Receive asks for one: a message the
// program has not received holds the next ones back (back-pressure), as
// a slow flow does.
//
// A Conn is safe for concurrent use: one goroutine may Receive while
// another Sends. Close or CloseNow releases it, as with a net.Conn.
type Conn struct {
	resp *http.Response
	ping func(context.Context) error
	sock *wire.Socket[message.Message, message.Message]

	sends    chan sendRequest   // taken by the runtime's writer
	closes   chan message.Close // a close for the writer to send
	received chan message.Message
	stopped  chan struct{} // closed when the writer has returned: nothing more is sent
	quit     chan struct{} // closed by Close and CloseNow: nothing more is received
	quitOnce sync.Once
	here     atomic.Bool   // Close or CloseNow was called
	dropped  atomic.Bool   // CloseNow was called
	ended    chan struct{} // closed once the connection has ended
	reason   error         // why it ended (wire.Socket.Serve); set before ended is closed
}

type sendRequest struct {
	m    message.Message
	done chan error
}

// Open dials url (ws:// or wss://) and returns the open connection. ctx
// bounds the handshake only: once the connection is open, ctx ending does
// not affect it, as with net.Dialer.DialContext. The options are Dial's;
// WithReconnect and WithCloseTimeout do not apply. A handshake the server
// refuses returns a *HandshakeError.
func Open(ctx context.Context, url string, opts ...Option) (*Conn, error) {
	if err := checkURL(url); err != nil {
		return nil, err
	}
	cfg := newConfig(opts)
	a, err := cfg.attempt(1, url, nil)
	if err != nil {
		return nil, err
	}
	conn, wc, resp, release, err := handshake(ctx, a, cfg)
	if err != nil {
		return nil, err
	}
	if cfg.onOpen != nil {
		cfg.onOpen(resp)
	}
	c := &Conn{
		resp:     resp,
		ping:     conn.Ping,
		sends:    make(chan sendRequest),
		closes:   make(chan message.Close),
		received: make(chan message.Message),
		stopped:  make(chan struct{}),
		quit:     make(chan struct{}),
		ended:    make(chan struct{}),
	}
	f := flow.Wrap(flow.ForEachErr(c.deliver), flow.SourceFunc(c.write))
	c.sock = wire.Start(context.Background(), conn, wc, transformer.Raw(), f, wire.Options{KeepAlive: cfg.keepAlive})
	go func() {
		c.reason = c.sock.Serve()
		release()
		close(c.ended)
	}()
	return c, nil
}

// Response returns the HTTP response of the handshake (status 101), whose
// headers carry the subprotocol (Sec-WebSocket-Protocol) and extensions
// the server chose.
func (c *Conn) Response() *http.Response { return c.resp }

// Ping sends a ping and waits for the server's pong, which the runtime
// reads: a caller need not Receive for it. It returns ctx's error if ctx
// ends first, and an error if the connection ends first.
func (c *Conn) Ping(ctx context.Context) error { return c.ping(ctx) }

// deliver hands a message the runtime read to Receive; it runs on the
// runtime's reader, which reads nothing more until Receive takes it or
// the Conn is closed.
func (c *Conn) deliver(m message.Message) error {
	select {
	case c.received <- m:
	case <-c.quit:
	}
	return nil
}

// write is the flow's output: what Send and Close ask for, in order.
func (c *Conn) write(ctx context.Context, emit func(message.Message) error) error {
	defer close(c.stopped)
	for {
		select {
		case r := <-c.sends:
			err := emit(r.m)
			r.done <- err
			if err != nil {
				return err
			}
		case cl := <-c.closes:
			if cl.Code == message.NormalClosure && cl.Reason == "" {
				return nil // the output completes: 1000
			}
			return message.NewCloseError(cl.Code, cl.Reason)
		case <-ctx.Done():
			return nil
		}
	}
}

// Send sends m, a message.Text or a message.Binary (the connection itself
// answers pings, and Close sends the close frame), and returns once it has
// been handed to the operating system, or ctx has ended. Once the
// connection is closing or closed it returns an error that wraps
// net.ErrClosed.
func (c *Conn) Send(ctx context.Context, m message.Message) error {
	switch m.(type) {
	case message.Text, message.Binary:
	default:
		return fmt.Errorf("client: Send takes a message.Text or a message.Binary, not a %T", m)
	}
	r := sendRequest{m: m, done: make(chan error, 1)}
	select {
	case c.sends <- r:
	case <-c.stopped:
		return fmt.Errorf("client: send: %w", net.ErrClosed)
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Receive returns the next data message from the server, a message.Text
// or a message.Binary, waiting for it until ctx ends. Once the connection
// has ended, and every message that came before has been received, it
// returns why: a *ServerClosed holding the server's close frame, whatever
// its code (1000 included, so that its reason is kept); an error that
// wraps net.ErrClosed after Close or CloseNow; or the error that ended
// the connection otherwise: for a text message that is not UTF-8, the
// *message.CloseError (1007) the client closed with; for one over the
// read limit, the close 1009 the client sent; for a connection that
// broke, the failure.
func (c *Conn) Receive(ctx context.Context) (message.Message, error) {
	select {
	case m := <-c.received:
		return m, nil
	case <-c.ended:
		return nil, c.endError()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// endError is what Receive returns once the connection has ended.
func (c *Conn) endError() error {
	if c.here.Load() {
		return fmt.Errorf("client: receive: %w", net.ErrClosed)
	}
	if peer, ok := wire.PeerClose(c.reason); ok {
		return &ServerClosed{Close: peer}
	}
	return c.reason
}

// Close sends a close frame with code and reason after what Send has
// sent, waits for the server's close frame (coder/websocket waits up to
// 5 s) and returns once the connection has ended. A Conn receives nothing
// once it is closed: messages the server sends after the client's close
// frame are discarded. A program that must see them runs a Flow with Dial,
// whose output completing is a half-close (see the package
// documentation).
//
// Close returns nil once the connection has closed, with this close or an
// earlier one from either side; an error if code may not be sent
// (message.Code.Sendable), the connection being left open; and the error
// that ended the connection if it broke before.
func (c *Conn) Close(code message.Code, reason string) error {
	if !code.Sendable() {
		return fmt.Errorf("client: close code %d cannot be sent", code)
	}
	c.stopReceiving()
	select {
	case c.closes <- message.Close{Code: code, Reason: reason}:
	case <-c.stopped: // the connection is ending already
	}
	<-c.ended
	if wire.EndedByOf(c.reason) == wire.EndedByDrop && !c.dropped.Load() {
		return c.reason
	}
	return nil
}

// CloseNow drops the connection without a close handshake, as a peer that
// vanishes does, and returns once it has ended.
func (c *Conn) CloseNow() {
	c.dropped.Store(true)
	c.stopReceiving()
	c.sock.Drop()
	<-c.ended
}

// stopReceiving marks the Conn as closed here and releases a message the
// runtime holds for Receive.
func (c *Conn) stopReceiving() {
	c.here.Store(true)
	c.quitOnce.Do(func() { close(c.quit) })
}
