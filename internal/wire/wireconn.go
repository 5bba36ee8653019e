package wire

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/wsflow/wsflow/message"
)

// Conn is the hijacked connection as coder/websocket uses it. It
// holds the rules of the wire that coder/websocket v1.8.15 does not:
//
//   - The peer ending the TCP stream is a read failure (ErrPeerEnded),
//     never io.EOF: coder's message reader takes an io.EOF in the middle
//     of a message for the message's end and would deliver a truncated
//     message as complete.
//   - Every write, data and control frames alike, is bounded by timeout
//     (when positive): a peer that does not take what is written within
//     it fails the write and is dropped. A deadline on the connection
//     spares coder the per-call work it does for a cancellable context.
//   - On a server, pongs are written here (Pong), bounded by the write timeout like
//     every other write: coder gives the pongs it writes itself 5 s,
//     whatever the write timeout says. A client's frames are masked:
//     coder writes a client's pongs itself.
//   - A close frame coder writes by itself (masked on a client) is
//     corrected on its way out:
//     a peer's close reason that is not UTF-8 is answered with 1007 rather
//     than echoed (RFC 6455 section 8.1), and coder's 1009 reason names
//     the configured limit.
//
// On a client it writes the close frame of a half-close itself
// (WriteClose), so that coder, which does not know of it, goes on reading,
// and drops what coder writes afterwards.
//
// It also gathers frames into fewer writes (see Hold): while a writer holds
// it, the frames written are kept in a buffer, which goes out in one
// write when the last hold is released, when the reader is about to wait
// for the network, when it reaches maxHeld, or at once with a control
// frame (a close reply in particular is never left behind). A server's
// data frames can be written here directly (WriteMessage), and frames
// are read into a buffer of the Conn's own (input), which an idle
// connection does not hold.
type Conn struct {
	net.Conn
	timeout   time.Duration
	readLimit int64
	framed    atomic.Bool // the handshake is over: the bytes are frames

	holds   atomic.Int32 // Hold calls not yet released
	replies atomic.Bool  // GatherReplies: hold while the reader is not reading
	reading atomic.Bool  // the reader waits on the network
	held    atomic.Int64 // bytes in pending; read without the lock

	mu      sync.Mutex // serialises writes and guards what follows
	out     outFrames
	pongErr error   // why a pong could not be written
	pending heldOut // frames kept for one write
	failed  error   // why a write of pending failed; every later write fails
	// closedHere: WriteClose has written the close frame, and coder's
	// frames are dropped.
	closedHere bool

	deadlineSet time.Duration // when the write deadline was last set, on the clock of processStart; 0: never

	rmu        sync.Mutex // serialises reads (coder's and Await) and guards what follows
	in         input
	readErr    error    // a read's failure that Await found, for the next read
	idleSet    bool     // an Await has set a read deadline
	fills      uint32   // reads that brought data (a count that wraps around)
	idleMark   uint32   // fills when the deadline was set
	cut        frameCut // where the frame handed on ends, when cutsFrames
	cutsFrames bool     // reads stop where a frame ends: a server's socket that may park (Await)

	fromServer *serverInput // a client's (whose frames are masked): what its server sends, checked; nil on a server
	// What the reader of the moment follows of the frames read (see
	// textCheck), on a server, whose Conn reads every byte of every frame
	// (a client's HTTP transport may read the first frames with the
	// handshake's response), and where in the input's bytes a text message
	// stops being UTF-8 (faultAt, when fault is set).
	checksText bool
	check      textCheck
	fault      bool
	faultAt    int
}

// maxHeld bounds what a Conn keeps before it writes.
const maxHeld = 64 << 10

// NewServerConn wraps nc, a server's connection hijacked once the
// handshake's response has been flushed: every byte that follows is a
// frame. Writes are bounded by timeout (0: no bound); readLimit is the
// limit that a 1009's reason names.
func NewServerConn(nc net.Conn, timeout time.Duration, readLimit int64) *Conn {
	c := &Conn{Conn: nc, timeout: timeout, readLimit: readLimit, checksText: true, in: newInput(nc)}
	c.framed.Store(true)
	return c
}

// NewClientConn wraps nc, a client's connection before its handshake:
// bytes pass through untouched until BeginFrames, so that the HTTP
// request and response are not taken for frames. Writes of frames are
// then bounded by timeout (0: no bound); readLimit is the limit that a
// 1009's reason names.
func NewClientConn(nc net.Conn, timeout time.Duration, readLimit int64) *Conn {
	return &Conn{Conn: nc, timeout: timeout, readLimit: readLimit, in: newInput(nc), fromServer: new(serverInput)}
}

// Preload puts b, bytes of the connection read before the Conn took it
// over (what net/http's reader held after the handshake), before
// everything the Conn reads.
func (c *Conn) Preload(b []byte) {
	c.in.preload(b)
	c.checkInput()
}

// BeginFrames marks the end of a client's handshake: from now on the
// bytes read and written are frames.
func (c *Conn) BeginFrames() { c.framed.Store(true) }

// ErrPeerEnded is the peer's end of the TCP stream once frames flow.
var ErrPeerEnded = errors.New("connection ended by the peer (EOF)")

// Read reads from the connection; once frames flow, the peer's end of the
// stream is ErrPeerEnded rather than io.EOF. Frames are read from the
// network into the Conn's input buffer; when what it holds has run out,
// what is held for writing goes out before the read. On a server a read
// ends where a frame ends (see frameCut).
func (c *Conn) Read(p []byte) (int, error) {
	if !c.framed.Load() {
		return c.readHandshake(p)
	}
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.in.buffered() == 0 {
		if err := c.awaitLocked(0); err != nil {
			return 0, err
		}
	}
	return c.take(p)
}

// errIdle is awaitLocked's report that nothing came within its grace.
var errIdle = errors.New("wire: nothing to read")

// awaitLocked fills the empty input from the network, after writing the
// reader's gathered replies. With grace > 0 it returns errIdle once
// nothing has been read for at least grace (at most twice grace); with
// grace 0 it waits as long as it takes. An error an earlier Await kept comes first. Called with
// c.rmu held.
func (c *Conn) awaitLocked(grace time.Duration) error {
	if err := c.readErr; err != nil {
		c.readErr = nil
		return err
	}
	c.reading.Store(true)
	defer c.reading.Store(false)
	if c.replies.Load() && c.held.Load() > 0 {
		// Only the reader's own replies: a frame another goroutine holds
		// is written by its Release, and waiting here for a write of
		// theirs that a peer never takes would stop the reading too.
		c.mu.Lock()
		err := c.flushLocked()
		c.mu.Unlock()
		if err != nil {
			return err
		}
	}
	for {
		if grace > 0 && !c.idleSet {
			// One deadline per grace, not one per wait: when it passes,
			// the socket is idle only if nothing has been read since it
			// was set, so an idle socket parks between grace and twice
			// grace after its last input, and a busy one pays for a
			// deadline once per grace.
			c.idleSet, c.idleMark = true, c.fills
			c.Conn.SetReadDeadline(time.Now().Add(grace))
		}
		err := c.in.fill(c.Conn)
		if err != nil && c.idleSet && errors.Is(err, os.ErrDeadlineExceeded) {
			c.idleSet = false
			if grace > 0 {
				if c.fills == c.idleMark {
					return errIdle
				}
				continue // busy since it was set: a new one
			}
			// The deadline of an earlier idle wait: this wait has none.
			c.Conn.SetReadDeadline(time.Time{})
			continue
		}
		if err != nil {
			return c.readFailure(err)
		}
		c.fills++
		c.checkInput()
		return nil
	}
}

// readFailure is the error a read that failed with err reports.
func (c *Conn) readFailure(err error) error {
	if err == io.EOF {
		err = ErrPeerEnded
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failed != nil {
		err = c.failed // the connection was closed because of it
	}
	return err
}

// checkInput follows the bytes the input has just read (all it holds).
func (c *Conn) checkInput() {
	if !c.checksText || c.in.buffered() == 0 {
		return
	}
	if i := c.check.scan((*c.in.buf)[c.in.r:c.in.w]); i >= 0 {
		c.fault, c.faultAt = true, c.in.r+i
	}
}

// take hands on what the input holds, up to the byte where a text message
// stops being UTF-8, where it returns errTextNotUTF8 once.
func (c *Conn) take(p []byte) (int, error) {
	if c.fault {
		if c.in.r == c.faultAt {
			c.fault = false
			return 0, errTextNotUTF8
		}
		p = p[:min(len(p), c.faultAt-c.in.r)]
	}
	if c.cutsFrames {
		p = p[:c.cut.limit((*c.in.buf)[c.in.r:c.in.r+min(len(p), c.in.buffered())])]
	}
	return c.takeFromServer(p)
}

// TextChecked reports whether the Conn has checked, as they arrived, the
// bytes of every text message read so far (see textCheck): on a server,
// until a compressed message has begun, which is to be checked once
// inflated.
func (c *Conn) TextChecked() bool { return c.checksText && !c.check.compressed.Load() }

// Write writes frames, bounded by the write timeout, correcting a
// server's close frames and slipping in a waiting pong between frames.
// A frame is gathered until it is whole, so that it goes out in one write
// however coder/websocket's buffer cuts it, and while the Conn is held
// whole frames are gathered too. Before a client's handshake has ended it
// writes p as it is.
func (c *Conn) Write(p []byte) (int, error) {
	if !c.framed.Load() {
		return c.Conn.Write(p)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failed != nil {
		return 0, c.failed
	}
	if c.closedHere {
		// Nothing may follow the close frame. coder answers the server's
		// close, and pings, inside its read: a failed write would end the
		// read with an error instead of the server's close.
		return len(p), nil
	}
	if len(p) > maxHeld {
		// Too large to copy: what is gathered goes first, p after it.
		err := c.flushLocked()
		if err == nil {
			err = c.setDeadline()
		}
		if err == nil {
			err = c.failOn(c.out.write(c.Conn, p, c.fixClose))
		}
		c.out.urgent = false
		if err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if err := c.out.write(&c.pending, p, c.fixClose); err != nil {
		return 0, err
	}
	c.held.Store(int64(c.pending.len()))
	// Checked after held is stored: a Release or a Read that began
	// meanwhile either sees held or is seen here.
	if c.out.urgent || c.pending.len() >= maxHeld || (c.out.atBoundary() && !c.holding()) {
		if err := c.flushLocked(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Hold makes the Conn keep the frames written from now on, until the
// matching Release, so that they go out in one write. Holds nest. A
// control frame and maxHeld still write what is held at once. A flow's
// runtime holds the Conn only while it writes frames back to back with
// nothing between them that can block.
func (c *Conn) Hold() { c.holds.Add(1) }

// Release ends a Hold; the last one writes what is held. A failure of
// that write closes the connection: the reader reports it.
func (c *Conn) Release() {
	if c.holds.Add(-1) > 0 || c.held.Load() == 0 {
		return
	}
	c.mu.Lock()
	c.flushLocked()
	c.mu.Unlock()
}

// GatherReplies makes the Conn hold the frames written while its reader
// is busy, not waiting on the network, until the reader next has to: the
// answers to messages that arrived together then go out together. It is
// for a reader whose pushes write their answers before they return, with
// nothing that can block in between (a fused flow). It cannot be undone.
func (c *Conn) GatherReplies() { c.replies.Store(true) }

// holding reports whether frames written now are to be kept.
func (c *Conn) holding() bool {
	return c.holds.Load() > 0 || (c.replies.Load() && !c.reading.Load())
}

// setDeadline bounds the write about to be made by the write timeout.
// A deadline set less than timeout/64 ago is left as it is (the write is
// then bounded by at least 63/64 of the timeout): setting one costs a
// timer update in the runtime, which writes in quick succession would
// pay each time. Called with c.mu held.
func (c *Conn) setDeadline() error {
	if c.timeout <= 0 {
		return nil
	}
	now := time.Now()
	since := now.Sub(processStart)
	if c.deadlineSet != 0 && since-c.deadlineSet < c.timeout/64 {
		return nil
	}
	c.deadlineSet = since
	return c.Conn.SetWriteDeadline(now.Add(c.timeout))
}

// processStart is the origin of the times a Conn keeps as durations (8
// bytes where a time.Time takes 24), read on the monotonic clock.
var processStart = time.Now()

// flushLocked writes what is held. A failure is the connection's (see
// failOn).
func (c *Conn) flushLocked() error {
	if c.failed != nil {
		return c.failed
	}
	if c.pending.empty() {
		return nil
	}
	err := c.setDeadline()
	if err == nil {
		_, err = c.Conn.Write(c.pending.bytes())
	}
	c.pending.reset()
	c.held.Store(0)
	return c.failOn(err)
}

// failOn makes err, a write's failure, the connection's, and returns it: a
// write cut short leaves part of a frame on the wire, after which nothing
// can be written, and a peer that did not take one write within the
// timeout is not given another timeout by the next. Every later write
// fails with err, and the connection is closed, so that a reader waiting
// on it returns. Called with c.mu held.
func (c *Conn) failOn(err error) error {
	if err != nil && c.failed == nil {
		c.failed = err
		c.Conn.Close()
	}
	return err
}

// Pong answers a ping carrying payload, on a server. It writes the pong at once when
// no frame is part-way out, else after the frame that is; a pong still
// waiting is replaced (RFC 6455 section 5.5.3 asks only for the latest
// ping to be answered). A pong that cannot be written within the write
// timeout ends the connection: see pongFailure.
func (c *Conn) Pong(payload []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.out.closeSent || c.pongErr != nil {
		return
	}
	c.out.pong = append(append(c.out.pong[:0], 0x8a, byte(len(payload))), payload...)
	if !c.out.atBoundary() {
		return // out.write sends it after the current frame
	}
	err := c.out.writePong(&c.pending)
	if err == nil {
		err = c.flushLocked()
	}
	if err != nil {
		c.pongErr = err
		c.Conn.Close() // the reader sees the connection end
	}
}

// pongFailure returns why a pong could not be written, if one could not.
func (c *Conn) pongFailure() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pongErr
}

// fixClose returns the close payload to send instead of p, a close
// frame's payload (unmasked).
func (c *Conn) fixClose(p []byte) []byte {
	if len(p) < 2 {
		return p
	}
	code, reason := message.Code(binary.BigEndian.Uint16(p)), string(p[2:])
	switch {
	case !utf8.ValidString(reason):
		return binary.BigEndian.AppendUint16(nil, uint16(message.InvalidPayload))
	case code == message.MessageTooBig && strings.HasPrefix(reason, "read limited at "):
		reason = "message too big: the limit is " + strconv.FormatInt(c.readLimit, 10) + " bytes"
		return append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...)
	}
	return p
}

// outFrames follows the outgoing frames, which start right after the
// handshake's response, so that close frames can be corrected
// and the close frame seen on either side. It holds back at most one close frame (127 bytes) or one
// frame header (14 bytes) that a write cut short; everything else passes
// through in the write that brought it.
type outFrames struct {
	remaining int64 // payload bytes of the current frame still to pass
	held      []byte
	pong      []byte // a pong frame waiting for the current frame to end
	closeSent bool   // a close frame has passed: nothing may follow it
	urgent    bool   // a control frame has begun since the flag was cleared
}

// atBoundary reports whether no frame is part-way out.
func (o *outFrames) atBoundary() bool { return o.remaining == 0 && len(o.held) == 0 }

// writePong writes the waiting pong, if any.
func (o *outFrames) writePong(w io.Writer) error {
	if len(o.pong) == 0 {
		return nil
	}
	_, err := w.Write(o.pong)
	o.pong = o.pong[:0]
	o.urgent = true
	return err
}

// write writes p to w, with every complete close frame's payload
// replaced by fix's.
func (o *outFrames) write(w io.Writer, p []byte, fix func([]byte) []byte) error {
	start := 0 // of what passes through unchanged
	i := 0
	for i < len(p) {
		if o.remaining > 0 {
			n := min(o.remaining, int64(len(p)-i))
			o.remaining -= n
			i += int(n)
			continue
		}
		if len(o.pong) > 0 && len(o.held) == 0 {
			// A frame has ended: the waiting pong goes between it and
			// the next.
			if _, err := w.Write(p[start:i]); err != nil {
				return err
			}
			start = i
			if err := o.writePong(w); err != nil {
				return err
			}
		}
		// A frame begins at i (or in held).
		head := p[i:]
		if len(o.held) > 0 {
			head = append(o.held, p[i:]...)
		}
		size, payload, ok := frameSize(head)
		if ok && head[0]&0x08 != 0 {
			o.urgent = true // a control frame: ping, pong or close
		}
		isClose := ok && head[0]&0x0f == 0x8
		if !ok || (isClose && len(head) < size+int(payload)) {
			// Cut short: hold it until the rest comes.
			if _, err := w.Write(p[start:i]); err != nil {
				return err
			}
			o.held = append(o.held[:0:0], head...)
			return nil
		}
		consumed := len(head) - len(p[i:]) // bytes of head that came from held
		if isClose {
			frame := head[:size+int(payload)]
			if _, err := w.Write(p[start:i]); err != nil {
				return err
			}
			out := fixedClose(frame[:size], frame[size:], fix)
			o.held = nil
			o.closeSent = true
			o.pong = o.pong[:0]
			if _, err := w.Write(out); err != nil {
				return err
			}
			i += len(frame) - consumed
			start = i
			continue
		}
		if consumed > 0 {
			// A held header completed by this write.
			if _, err := w.Write(p[start:i]); err != nil {
				return err
			}
			if _, err := w.Write(o.held); err != nil {
				return err
			}
			o.held = nil
			start = i
		}
		i += size - consumed
		o.remaining = payload
	}
	if start < len(p) {
		if _, err := w.Write(p[start:]); err != nil {
			return err
		}
	}
	if o.atBoundary() && !o.closeSent {
		return o.writePong(w)
	}
	return nil
}

// fixedClose returns the close frame of header h and payload p with the
// payload fix returns for p, masked again with the frame's key when the
// frame is masked (a client's). p is left as it is.
func fixedClose(h, p []byte, fix func([]byte) []byte) []byte {
	var key []byte
	if h[1]&0x80 != 0 {
		key = h[len(h)-4:]
	}
	fixed := maskBytes(key, fix(maskBytes(key, p)))
	return append(append([]byte{h[0], h[1]&0x80 | byte(len(fixed))}, key...), fixed...)
}

// maskBytes returns a copy of p masked with key (RFC 6455 section 5.3),
// which unmasks a masked p; with no key, p itself.
func maskBytes(key, p []byte) []byte {
	if key == nil {
		return p
	}
	m := make([]byte, len(p))
	for i := range p {
		m[i] = p[i] ^ key[i%4]
	}
	return m
}

// frameSize returns the size of the frame header at the start of b and
// the payload length it declares, or ok false when b does not hold the
// whole header.
func frameSize(b []byte) (size int, payload int64, ok bool) {
	if len(b) < 2 {
		return 0, 0, false
	}
	size = 2
	switch n := b[1] & 0x7f; n {
	case 126:
		size += 2
	case 127:
		size += 8
	default:
		payload = int64(n)
	}
	if b[1]&0x80 != 0 {
		size += 4
	}
	if len(b) < size {
		return 0, 0, false
	}
	switch b[1] & 0x7f {
	case 126:
		payload = int64(binary.BigEndian.Uint16(b[2:]))
	case 127:
		payload = int64(binary.BigEndian.Uint64(b[2:]))
	}
	return size, payload, true
}
