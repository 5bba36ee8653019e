package wire

import "errors"

// errMaskedFrame is a frame a server masked: RFC 6455 section 5.1 forbids
// it, and a client fails the connection (1002). coder/websocket's client
// does not check, and would deliver the payload still masked.
var errMaskedFrame = errors.New("wire: the server sent a masked frame")

// serverInput follows what a client reads from its server, so that the
// server's frames can be checked before coder/websocket reads them: first
// the handshake's response, whose end it finds, then the frame headers.
type serverInput struct {
	eol       int      // in the response: 1 after "\n", 2 after "\n\r"
	head      [10]byte // the frame header read so far: an unmasked one has at most 10 bytes
	n         int      // bytes in head
	remaining int64    // payload bytes of the current frame still to come
	err       error    // errMaskedFrame, once met
}

// readHandshake reads the handshake's response, handing on nothing past
// the end of its header: net/http's reader then holds no frame, and the
// frames that came with the response stay in the Conn's input until
// BeginFrames, for take to check.
func (c *Conn) readHandshake(p []byte) (int, error) {
	if c.in.buffered() == 0 {
		if err := c.in.fill(c.Conn); err != nil {
			return 0, err
		}
	}
	b := (*c.in.buf)[c.in.r:c.in.w]
	b = b[:min(len(p), len(b))]
	return c.in.take(p[:c.fromServer.headerEnd(b)]), nil
}

// headerEnd returns how much of b, the response's next bytes, comes up to
// the end of a header (an empty line) included: all of it if no header
// ends in it.
func (s *serverInput) headerEnd(b []byte) int {
	for i, ch := range b {
		switch {
		case ch == '\n' && s.eol > 0:
			s.eol = 0
			return i + 1
		case ch == '\n':
			s.eol = 1
		case ch == '\r' && s.eol == 1:
			s.eol = 2
		default:
			s.eol = 0
		}
	}
	return len(b)
}

// takeFromServer hands what is buffered on to coder/websocket; on a
// client, only up to a masked frame's header, which fails this read and
// every later one with errMaskedFrame.
func (c *Conn) takeFromServer(p []byte) (int, error) {
	s := c.fromServer
	if s == nil {
		return c.in.take(p), nil
	}
	if s.err != nil {
		return 0, s.err
	}
	n := c.in.take(p)
	return s.frames(p[:n])
}

// frames follows the server's frames through p, the next bytes read, and
// returns how many of them may be handed on: all of them, or those before
// the byte that marks a frame as masked, with errMaskedFrame.
func (s *serverInput) frames(p []byte) (int, error) {
	for i := 0; i < len(p); {
		if s.remaining > 0 {
			k := min(s.remaining, int64(len(p)-i))
			s.remaining -= k
			i += int(k)
			continue
		}
		s.head[s.n] = p[i]
		s.n++
		if s.n == 2 && p[i]&0x80 != 0 {
			s.err = errMaskedFrame
			return i, s.err
		}
		i++
		if _, payload, ok := frameSize(s.head[:s.n]); ok {
			s.remaining, s.n = payload, 0
		}
	}
	return len(p), nil
}
