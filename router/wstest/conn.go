package wstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/wsflow/wsflow/message"
)

// Conn is the client side of a WebSocket connection made by Dial. Its
// methods fail the test that dialed it, with a message that says what was
// expected and what came, and must be called from that test's goroutine.
// Each step is bounded by the dial's Timeout.
type Conn struct {
	tb      TB
	ws      *websocket.Conn
	resp    *http.Response
	timeout time.Duration
	forget  func() // set by Server.Dial
}

// Conn returns the underlying coder/websocket connection, an escape
// hatch for what the kit does not cover; a test that uses only the kit
// imports no coder/websocket. coder/websocket allows one reader and one
// writer at a time: a goroutine may, say, read from it while the test
// sends with the Conn.
func (c *Conn) Conn() *websocket.Conn { return c.ws }

// Subprotocol returns the subprotocol the server chose, or "" if none.
func (c *Conn) Subprotocol() string { return c.ws.Subprotocol() }

// Response returns the HTTP response of the handshake (status 101), whose
// headers carry the negotiated extensions.
func (c *Conn) Response() *http.Response { return c.resp }

func (c *Conn) context() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), c.timeout)
}

// Send sends one data message of kind kind: message.KindText or
// message.KindBinary. Any other kind fails the test: control frames are
// sent by the connection itself (pongs) or by CloseWith (a close).
func (c *Conn) Send(kind message.Kind, p []byte) {
	c.tb.Helper()
	typ, ok := messageType(kind)
	if !ok {
		c.tb.Fatalf("wstest: send %s: only text and binary messages can be sent; close with CloseWith", describe(kind, p))
		return
	}
	ctx, cancel := c.context()
	defer cancel()
	if err := c.ws.Write(ctx, typ, p); err != nil {
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
// websocket.CloseError when the peer closed.
func (c *Conn) next() (message.Kind, []byte, error) {
	ctx, cancel := c.context()
	defer cancel()
	typ, p, err := c.ws.Read(ctx)
	if err != nil {
		return 0, nil, err
	}
	return kindOf(typ), p, nil
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
	var ce websocket.CloseError
	if !errors.As(err, &ce) {
		c.tb.Fatalf("wstest: want a message or a close, got %s", c.ended(err))
		return 0, nil, nil
	}
	return 0, nil, &message.Close{Code: message.Code(ce.Code), Reason: ce.Reason}
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
	var ce websocket.CloseError
	if errors.As(err, &ce) && message.Code(ce.Code) == code && (reason == nil || ce.Reason == *reason) {
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

// CloseWith sends a close frame with code and reason, waits for the
// peer's answer (coder/websocket waits up to 5s) and closes the
// connection. It fails the test if the close handshake fails; closing a
// connection that is already closed is not a failure.
func (c *Conn) CloseWith(code message.Code, reason string) {
	c.tb.Helper()
	defer c.forgotten()
	if err := c.ws.Close(websocket.StatusCode(code), reason); err != nil && !errors.Is(err, net.ErrClosed) {
		c.tb.Fatalf("wstest: close %d %q: %v", code, reason, err)
	}
}

// CloseNow drops the connection without a close handshake, as a peer
// that vanishes does.
func (c *Conn) CloseNow() {
	c.tb.Helper()
	defer c.forgotten()
	if err := c.ws.CloseNow(); err != nil && !errors.Is(err, net.ErrClosed) {
		c.tb.Fatalf("wstest: drop the connection: %v", err)
	}
}

// drop closes the connection at cleanup.
func (c *Conn) drop() {
	c.ws.CloseNow()
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
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return fmt.Sprintf("close %d %q", ce.Code, ce.Reason)
	}
	return explain(err, c.timeout)
}

// messageType returns coder/websocket's type of a data message of kind k.
func messageType(k message.Kind) (websocket.MessageType, bool) {
	switch k {
	case message.KindText:
		return websocket.MessageText, true
	case message.KindBinary:
		return websocket.MessageBinary, true
	}
	return 0, false
}

// kindOf returns the kind of a message coder/websocket read.
func kindOf(typ websocket.MessageType) message.Kind {
	if typ == websocket.MessageText {
		return message.KindText
	}
	return message.KindBinary
}
