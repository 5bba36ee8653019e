package wstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/message"
)

// Conn is the client side of a WebSocket connection made by Dial: a
// client.Conn, whose runtime reads the connection and answers pings while
// the test takes one step at a time. Its methods fail the test that
// dialed it, with a message that says what was expected and what came,
// and must be called from that test's goroutine. Each step is bounded by
// the dial's Timeout.
type Conn struct {
	tb      TB
	cc      *client.Conn
	timeout time.Duration
	forget  func() // set by Server.Dial
}

// Client returns the client.Conn under c, for what a test does away from
// its own goroutine, such as a writer beside a reader, or where an error
// is no failure: its methods return errors instead of failing the test.
// It receives the same messages as c: a message one of them has read,
// the other will not.
func (c *Conn) Client() *client.Conn { return c.cc }

// Subprotocol returns the subprotocol the server chose, or "" if none.
func (c *Conn) Subprotocol() string { return c.cc.Response().Header.Get("Sec-WebSocket-Protocol") }

// Response returns the HTTP response of the handshake (status 101), whose
// headers carry the negotiated extensions.
func (c *Conn) Response() *http.Response { return c.cc.Response() }

func (c *Conn) context() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), c.timeout)
}

// Send sends one data message of kind kind: message.KindText or
// message.KindBinary. Any other kind fails the test: control frames are
// sent by the connection itself (pongs) or by CloseWith (a close).
func (c *Conn) Send(kind message.Kind, p []byte) {
	c.tb.Helper()
	var m message.Message
	switch kind {
	case message.KindText:
		m = message.Text(p)
	case message.KindBinary:
		m = message.Binary(p)
	default:
		c.tb.Fatalf("wstest: send %s: only text and binary messages can be sent; close with CloseWith", describe(kind, p))
		return
	}
	ctx, cancel := c.context()
	defer cancel()
	if err := c.cc.Send(ctx, m); err != nil {
		c.tb.Fatalf("wstest: send %s: %s", describe(kind, p), explain(err, c.timeout))
	}
}

// SendText sends a text message.
func (c *Conn) SendText(s string) {
	c.tb.Helper()
	c.Send(message.KindText, []byte(s))
}

// SendBinary sends a binary message.
func (c *Conn) SendBinary(p []byte) {
	c.tb.Helper()
	c.Send(message.KindBinary, p)
}

// next reads the next message, or the error that ends reading: a
// *client.ServerClosed when the peer closed.
func (c *Conn) next() (message.Kind, []byte, error) {
	ctx, cancel := c.context()
	defer cancel()
	m, err := c.cc.Receive(ctx)
	switch m := m.(type) {
	case message.Text:
		return message.KindText, []byte(m), nil
	case message.Binary:
		return message.KindBinary, m, nil
	}
	return 0, nil, err
}

// Read returns the next message, and fails the test if the connection
// closes or breaks instead.
func (c *Conn) Read() (message.Kind, []byte) {
	c.tb.Helper()
	typ, p, err := c.next()
	if err != nil {
		c.tb.Fatalf("wstest: want a message, got %s", c.ended(err))
	}
	return typ, p
}

// Next returns the next message, or the peer's close (kind and p are then
// zero), for a test in which either may come; it fails the test if the
// connection breaks or the timeout passes.
//
//	if _, p, closed := c.Next(); closed == nil {
//		// a last message, p, came before the close
//		c.ExpectClose(message.GoingAway, "going away")
//	}
//
// A close is answered, completing the close handshake.
func (c *Conn) Next() (kind message.Kind, p []byte, closed *message.Close) {
	c.tb.Helper()
	kind, p, err := c.next()
	if err == nil {
		return kind, p, nil
	}
	var sc *client.ServerClosed
	if !errors.As(err, &sc) {
		c.tb.Fatalf("wstest: want a message or a close, got %s", c.ended(err))
		return 0, nil, nil
	}
	return 0, nil, &sc.Close
}

// ReadText returns the next message, and fails the test if it is not a
// text message.
func (c *Conn) ReadText() string {
	c.tb.Helper()
	typ, p, err := c.next()
	if err != nil || typ != message.KindText {
		c.tb.Fatalf("wstest: want a text message, got %s", c.got(typ, p, err))
	}
	return string(p)
}

// ExpectText reads the next message and fails the test unless it is the
// text message want.
func (c *Conn) ExpectText(want string) {
	c.tb.Helper()
	c.expect(message.KindText, []byte(want))
}

// ExpectBinary reads the next message and fails the test unless it is
// the binary message want.
func (c *Conn) ExpectBinary(want []byte) {
	c.tb.Helper()
	c.expect(message.KindBinary, want)
}

func (c *Conn) expect(wantTyp message.Kind, want []byte) {
	c.tb.Helper()
	typ, p, err := c.next()
	if err == nil && typ == wantTyp && bytes.Equal(p, want) {
		return
	}
	msg := fmt.Sprintf("wstest: want %s, got %s", describe(wantTyp, want), c.got(typ, p, err))
	if err == nil && typ == wantTyp && (len(p) > maxShown || len(want) > maxShown) {
		msg += fmt.Sprintf(" (first difference at byte %d)", firstDifference(p, want))
	}
	c.tb.Fatalf("%s", msg)
}

// ExpectClose reads the next frame and fails the test unless it is the
// peer's close with code and reason. A message that comes first is a
// failure, not skipped. The close handshake completes: the Conn answers
// the close frame.
func (c *Conn) ExpectClose(code message.Code, reason string) {
	c.tb.Helper()
	c.expectClose(code, &reason)
}

// ExpectCloseCode is ExpectClose with any reason.
func (c *Conn) ExpectCloseCode(code message.Code) {
	c.tb.Helper()
	c.expectClose(code, nil)
}

func (c *Conn) expectClose(code message.Code, reason *string) {
	c.tb.Helper()
	typ, p, err := c.next()
	var sc *client.ServerClosed
	if errors.As(err, &sc) && sc.Code == code && (reason == nil || sc.Reason == *reason) {
		return
	}
	want := fmt.Sprintf("close %d", code)
	if reason != nil {
		want += fmt.Sprintf(" %q", *reason)
	}
	c.tb.Fatalf("wstest: want %s, got %s", want, c.got(typ, p, err))
}

// Close closes the connection with 1000 (normal closure) and waits for
// the peer's close frame; see CloseWith.
func (c *Conn) Close() {
	c.tb.Helper()
	c.CloseWith(message.NormalClosure, "")
}

// CloseWith sends a close frame with code and reason after what the test
// sent, waits for the peer's answer (up to 5s) and closes the connection;
// messages from the peer that the test has not read are discarded. It
// fails the test if code cannot be sent or if the connection had broken
// before; closing a connection that is already closed is not a failure.
func (c *Conn) CloseWith(code message.Code, reason string) {
	c.tb.Helper()
	defer c.forgotten()
	if err := c.cc.Close(code, reason); err != nil {
		c.tb.Fatalf("wstest: close %d %q: %v", code, reason, err)
	}
}

// CloseNow drops the connection without a close handshake, as a peer
// that vanishes does.
func (c *Conn) CloseNow() {
	c.tb.Helper()
	c.drop()
}

// drop drops the connection; it runs at cleanup too.
func (c *Conn) drop() {
	c.cc.CloseNow()
	c.forgotten()
}

func (c *Conn) forgotten() {
	if c.forget != nil {
		c.forget()
	}
}

// got describes what a read returned.
func (c *Conn) got(typ message.Kind, p []byte, err error) string {
	if err != nil {
		return c.ended(err)
	}
	return describe(typ, p)
}

// ended describes the error that ended reading.
func (c *Conn) ended(err error) string {
	var sc *client.ServerClosed
	if errors.As(err, &sc) {
		return fmt.Sprintf("close %d %q", sc.Code, sc.Reason)
	}
	return explain(err, c.timeout)
}
