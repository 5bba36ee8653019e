package wire

import (
	"errors"

	"github.com/wsflow/wsflow/message"
)

// opClose is the opcode of a close frame (RFC 6455 section 5.2).
const opClose = 0x8

// WriteClose writes a client's close frame with code and reason, masked
// with a fresh random key as RFC 6455 section 5.3 asks of a client, after
// what is held, and returns once it has been handed to the operating
// system. It is a half-close: coder/websocket, which has not written the
// frame, goes on reading the server's messages; the close frame it writes
// when it answers the server's close, and every frame it writes after it
// (a pong), are dropped, since nothing may follow a close frame.
//
// It is written at a frame boundary: it fails when a frame of coder's is
// part-way out, as when a frame has been written already. Like Write, it
// is bounded by the write timeout.
func (c *Conn) WriteClose(code message.Code, reason string) error {
	if len(reason) > 123 {
		return errors.New("wire: a close reason has at most 123 bytes")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.frameMayStartLocked(); err != nil {
		return err
	}
	var frame [2 + 4 + 125]byte
	c.pending.Write(appendClose(frame[:0], code, reason, true))
	c.out.closeSent = true
	c.closedHere = true
	return c.flushLocked()
}
