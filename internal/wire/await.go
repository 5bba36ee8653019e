package wire

import (
	"errors"
	"time"
)

// Await is how a server's socket waits for its peer between messages,
// outside coder/websocket, so that it can stop waiting: it is called when
// coder has read a message whole and holds nothing of the next (see
// frameCut). It answers the pings and counts the pongs at the head of the
// input itself (coder would go on waiting for a data frame after them),
// and returns false once the input holds something else for coder to read
// (a data or close frame, whole or in part) or the connection has failed
// (the next Read reports it). It returns true when nothing has come: at
// once when now is set (the socket has just been woken: whatever woke it
// is read without waiting), else once nothing has been read for at
// least grace (at most twice grace).
func (c *Conn) Await(grace time.Duration, now bool) (idle bool) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	for {
		if c.readErr != nil {
			return false
		}
		c.skimLocked()
		if c.in.buffered() > 0 {
			return false
		}
		var err error
		if now {
			now = false
			var empty bool
			if empty, err = c.in.fillNow(c.Conn); err == nil {
				if empty {
					return true
				}
				c.fills++
				c.checkInput()
				continue
			}
		} else {
			err = c.awaitLocked(grace)
		}
		if errors.Is(err, errIdle) {
			// Parked, the socket waits with no deadline: the next read,
			// woken or the close's, must not find this one passed
			// (awaitLocked has forgotten it: idleSet is false).
			c.Conn.SetReadDeadline(time.Time{})
			return true
		}
		if err != nil {
			c.readErr = c.readFailure(err)
			return false
		}
	}
}

// skimLocked answers the whole pings at the head of the input and drops
// them and the whole pongs there (textCheck has counted them), while
// coder/websocket holds no part of a frame. Called with c.rmu held.
func (c *Conn) skimLocked() {
	for c.cut.atBoundary() && c.in.buffered() >= 6 && !c.fault {
		b := (*c.in.buf)[c.in.r:c.in.w]
		first, n := b[0], int(b[1]&0x7f)
		if first != 0x80|opPing && first != 0x80|opPong || b[1]&0x80 == 0 || n > 125 || len(b) < 6+n {
			return
		}
		if first == 0x80|opPing {
			var payload [125]byte
			unmask(payload[:n], b[6:6+n], [4]byte(b[2:6]), 0)
			c.Pong(payload[:n])
		}
		c.in.r += 6 + n
		if c.in.r == c.in.w {
			c.in.release()
		}
	}
}

// The opcodes of the control frames a server's Conn reads or writes
// itself.
const (
	opPing = 0x9
	opPong = 0xa
)

// Pongs returns how many pongs a server's Conn has read.
func (c *Conn) Pongs() int64 { return c.check.pongs.Load() }

// Ping writes a ping with no payload, on a server; the pong is counted
// by Pongs. It reports false, with no error, when a frame of
// coder/websocket's is part-way out and the ping cannot be written now.
func (c *Conn) Ping() (sent bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.frameMayStartLocked(); err != nil {
		if errors.Is(err, errFramePartWay) {
			return false, nil
		}
		return false, err
	}
	c.pending.Write([]byte{0x80 | opPing, 0})
	return true, c.flushLocked()
}
