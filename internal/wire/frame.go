package wire

import (
	"encoding/binary"
	"errors"
	"net"
)

// The opcodes of the data frames WriteMessage writes (RFC 6455 section
// 5.2).
const (
	opText   = 0x1
	opBinary = 0x2
)

// errCloseSent is a data message written after the close frame.
var errCloseSent = errors.New("the close frame has been sent: nothing may follow it")

// WriteMessage writes one unfragmented, unmasked, uncompressed data frame
// (a server's) with payload, without going through coder/websocket: the
// frame is put together straight in the Conn's buffer, so that a message
// costs one copy and, held or not, no lock of coder's. It is used only
// where coder/websocket writes no data frame itself (no compression):
// coder's own frames are then control frames, which its 256-byte buffer
// hands over whole, so a frame boundary is always where WriteMessage
// starts. Like Write, it is bounded by the write timeout and gathers
// while the Conn is held.
func (c *Conn) WriteMessage(text bool, payload []byte) error {
	op := byte(opBinary)
	if text {
		op = opText
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.frameMayStartLocked(); err != nil {
		return err
	}
	var head [10]byte
	h := appendHeader(head[:0], op, len(payload))
	if len(payload) > maxHeld {
		// Too large to copy: what is gathered goes first, then the frame
		// in one writev.
		err := c.flushLocked()
		if err == nil {
			err = c.setDeadline()
		}
		if err == nil {
			bufs := net.Buffers{append([]byte(nil), h...), payload} // h stays on the stack
			_, err = bufs.WriteTo(c.Conn)
		}
		return c.failOn(err)
	}
	// At a frame boundary no pong waits: Pong has written it.
	c.pending.Write(h)
	c.pending.Write(payload)
	c.held.Store(int64(c.pending.len()))
	if c.out.urgent || c.pending.len() >= maxHeld || !c.holding() {
		return c.flushLocked()
	}
	return nil
}

// errFramePartWay is a frame of the runtime's own that would cut into one
// of coder/websocket's.
var errFramePartWay = errors.New("wire: a frame of coder/websocket's is part-way out")

// frameMayStartLocked reports why a frame of the runtime's own may not
// start now: the connection failed, the close frame has gone, or coder
// is part-way through a frame. Called with c.mu held.
func (c *Conn) frameMayStartLocked() error {
	switch {
	case c.failed != nil:
		return c.failed
	case c.out.closeSent:
		return errCloseSent
	case !c.out.atBoundary():
		return errFramePartWay
	}
	return nil
}

// appendHeader appends the header of a final, unmasked frame of opcode op
// and n payload bytes.
func appendHeader(dst []byte, op byte, n int) []byte {
	dst = append(dst, 0x80|op)
	switch {
	case n < 126:
		return append(dst, byte(n))
	case n < 1<<16:
		return binary.BigEndian.AppendUint16(append(dst, 126), uint16(n))
	default:
		return binary.BigEndian.AppendUint64(append(dst, 127), uint64(n))
	}
}
