package wire

import (
	"crypto/rand"
	"encoding/binary"

	"github.com/wsflow/wsflow/message"
)

// Fail fails the connection for a protocol error (RFC 6455 section
// 7.1.7): it writes the close frame with code, unless a close frame has
// gone already (coder/websocket writes one for most of the errors it
// finds), and then closes the TCP connection at once, without waiting for
// the peer's close frame. The peer gets its end of the stream right after
// the close frame; what the peer has already sent is discarded first, so
// that the operating system does not answer unread bytes with a reset,
// which could destroy the close frame on its way.
func (c *Conn) Fail(code message.Code) {
	c.mu.Lock()
	if c.failed == nil && !c.out.closeSent && c.out.atBoundary() {
		c.pending.Write(appendClose(nil, code, "", c.fromServer != nil))
		c.out.closeSent = true
	}
	c.flushLocked()
	c.mu.Unlock()
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	c.in.discardArrived()
	c.Conn.Close()
}

// appendClose appends a close frame with code and reason (at most 123
// bytes), masked with a fresh random key when masked is set, as RFC 6455
// section 5.3 asks of a client.
func appendClose(dst []byte, code message.Code, reason string, masked bool) []byte {
	n := 2 + len(reason)
	if !masked {
		dst = append(dst, 0x80|opClose, byte(n))
		return append(binary.BigEndian.AppendUint16(dst, uint16(code)), reason...)
	}
	dst = append(dst, 0x80|opClose, 0x80|byte(n), 0, 0, 0, 0)
	key := dst[len(dst)-4:]
	rand.Read(key) // never fails
	start := len(dst)
	dst = append(binary.BigEndian.AppendUint16(dst, uint16(code)), reason...)
	for i := range dst[start:] {
		dst[start+i] ^= key[i%4]
	}
	return dst
}
