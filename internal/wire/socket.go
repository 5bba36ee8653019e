// Package wire is the connection runtime shared by router and client: it
// runs one flow over one coder/websocket connection (Socket) and holds the
// rules of the wire that coder/websocket does not (Conn).
package wire

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/internal/flowrun"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/transformer"
)

// Socket runs one flow over one WebSocket connection, on either side: the
// router's accepted connections and the client's dialed ones.
//
// An open socket holds one goroutine, started once the connection is
// upgraded (a server's handler then returns), which reads frames
// (coder/websocket answers pings and sees close frames only while a
// reader is active), decodes them and pushes them into the flow. A
// server's socket that parks (Options.Park, Run) lets that goroutine end
// once its peer has been silent for a second or two, between messages: the
// poller watches the connection, answers nothing itself, and the first
// input starts a reader again, which answers pings and counts pongs
// below coder/websocket before it hands it anything else. Fused stages
// run right there and write their output, so an echo costs no hand-off. Everything else is event-driven:
// the flow ending, a shutdown, a missing pong or a frame that does not fit
// calls end, which records why and starts the close on a goroutine of its
// own; keep-alive runs on a timer. On a client, the flow's output
// completing is a half-close (Options.HalfClose): the socket sends its
// close frame and goes on reading until the peer's.
type Socket[In, Out any] struct {
	conn      *websocket.Conn
	netConn   *Conn        // the hijacked connection under conn
	received  atomic.Int64 // messages read: proof of life for keep-alive
	handled   atomic.Int64 // messages the flow has taken; less than received while a push is under way
	t         transformer.Transformer[In, Out]
	running   *flow.Running[In]
	keepAlive *keepAlive    // nil: off
	observer  Observer      // nil: none
	half      *halfClose    // nil: the output completing closes (Options.HalfClose)
	park      *parking      // nil: the socket does not park (Options.Park)
	closed    chan struct{} // closed once the close is done; nil on a socket that parks, whose close calls Run's done
	readEnd   *connGone     // why reading stopped, when the connection ended it

	mu           sync.Mutex  // guards what follows
	reason       error       // why the socket ends; set once, before ending
	ending       atomic.Bool // end has been called: reason is set
	closeStarted bool        // the close has begun
	ownFrames    bool        // Options.OwnFrames
}

// Observer sees the data messages of one socket; see router.SocketObserver.
type Observer interface {
	// MessageIn is called for every data message read whole.
	MessageIn(kind message.Kind, size int)
	// MessageOut is called for every data message written.
	MessageOut(kind message.Kind, size int)
}

// Options are a socket's settings beyond its connection's.
type Options struct {
	// KeepAlive is the keep-alive interval; 0 or less disables it.
	KeepAlive time.Duration
	// Observer sees the socket's messages; nil: none.
	Observer Observer
	// OwnFrames writes data frames with Conn.WriteMessage rather than
	// through coder/websocket: for a server's connection without
	// compression, whose coder/websocket has a write buffer that holds a
	// whole control frame (at least 127 bytes).
	OwnFrames bool
	// HalfClose, when positive, makes the flow's output completing a
	// half-close, for a client: the close frame 1000 goes out and the
	// socket goes on reading, delivering what the peer sends to the
	// flow's input, until the peer's close frame, or until HalfClose has
	// passed, when the connection is dropped (ErrNoCloseFrame). Zero: the
	// output completing closes the socket, as on a server.
	HalfClose time.Duration
	// Park lets a server's socket, between messages, stop reading and
	// leave its connection to the poller, holding no goroutine while the
	// peer is silent (see Run). It takes effect on Linux, for a connection
	// with a file descriptor (not TLS) and without compression.
	Park bool
}

// Start starts f over conn, whose connection is netConn, with keep-alive;
// Serve then reads. ctx is the flow's parent context: when it ends, the
// flow's context ends too.
func Start[In, Out any](ctx context.Context, conn *websocket.Conn, netConn *Conn, t transformer.Transformer[In, Out], f flow.Flow[In, Out], opts Options) *Socket[In, Out] {
	s := &Socket[In, Out]{conn: conn, netConn: netConn, t: t, observer: opts.Observer, ownFrames: opts.OwnFrames}
	if opts.HalfClose > 0 {
		s.half = &halfClose{wait: opts.HalfClose}
	}
	if opts.Park && canPark && netConn.checksText && netConn.in.raw != nil && s.half == nil {
		if p, err := getPoller(); err == nil {
			s.park = &parking{poller: p}
			netConn.cutsFrames = true // before anything is read: the cut starts at a frame's start
		}
	}
	if s.park == nil {
		s.closed = make(chan struct{})
	}
	runOpts := flowrun.Options{Batcher: netConn, EmitCopies: true}
	if s.half != nil {
		runOpts.KeepInput = s.outputCompleted
	}
	s.running = flow.Start(flowrun.NewContext(ctx, runOpts), f, s.emit)
	flowrun.Of(s.running).AfterDone(func() { s.end(s.running.Err()) })
	if opts.KeepAlive > 0 {
		s.keepAlive = new(keepAlive)
		s.keepAlive.start(opts.KeepAlive, s)
	}
	if s.half != nil {
		s.started()
	}
	return s
}

// Subprotocol returns the subprotocol negotiated in the handshake.
func (s *Socket[In, Out]) Subprotocol() string { return s.conn.Subprotocol() }

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// maxPooled is the largest buffer kept for reuse; larger ones are left to
// the garbage collector so a rare big message does not pin memory.
const maxPooled = 64 << 10

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(bp *[]byte, b []byte) {
	if cap(b) > maxPooled {
		return
	}
	*bp = b[:0]
	bufPool.Put(bp)
}

// Serve reads until the socket has closed and everything its flow started
// has ended, and returns the reason it ended: nil when the flow's output
// completed, the flow's error, or an error that CloseOf and EndedBy
// describe. It is called once, from one goroutine, instead of Run. A
// socket that parks is served by Run: Serve then waits for Run's end.
func (s *Socket[In, Out]) Serve() error {
	if s.park != nil {
		done := make(chan error, 1)
		s.Run(func(reason error) { done <- reason })
		return <-done
	}
	s.read(false)
	<-s.closed
	return s.result()
}

// result stops what runs beside the closed socket and returns why it
// ended (see Serve).
func (s *Socket[In, Out]) result() error {
	if s.half != nil {
		s.half.stop()
	}
	s.keepAlive.stop()
	s.running.Stop()
	var gone *connGone
	if errors.As(s.reason, &gone) && gone.write && s.readEnd != nil && (s.readEnd.peer != nil || s.readEnd.sentSelf) {
		// A write failed because the connection was closing: the reader
		// saw why (the peer's close, an oversize message).
		return s.readEnd
	}
	return s.reason
}

// end records why the socket ends and closes it; the first reason wins.
// It never blocks: the close handshake runs on a goroutine of its own.
func (s *Socket[In, Out]) end(reason error) {
	s.record(reason)
	s.startClose()
}

// endInput is end for a reason the reader found (the peer's close, the
// connection's end): the flow's input completes before the close begins
// to cancel the flow, so that a flow that completes with its input (an
// echo) ends completed, not cancelled. It is called by the reader.
func (s *Socket[In, Out]) endInput(reason error) {
	s.record(reason)
	s.running.CloseInput()
	s.startClose()
}

// record keeps reason as why the socket ends, unless one is kept already.
func (s *Socket[In, Out]) record(reason error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ending.Load() {
		s.reason = reason
		s.ending.Store(true)
	}
}

// startClose starts the close, once, on a goroutine of its own.
func (s *Socket[In, Out]) startClose() {
	s.mu.Lock()
	started := s.closeStarted
	s.closeStarted = true
	s.mu.Unlock()
	if started {
		return
	}
	go func() {
		s.closing()
		s.running.Cancel()
		s.closeConn()
		if s.closed != nil {
			close(s.closed)
		}
		s.closeDone()
	}()
}

// read pushes every incoming data message into the flow until the
// connection or the flow ends, or, when it may park (Options.Park) and
// the peer has sent nothing for parkAfter, until the socket has parked;
// it reports whether it has. woke: the socket has just been woken.
//
// When the flow is fused, everything a push emits is written before the
// push returns, with nothing that can block in between: the connection
// then gathers the replies, so that the frames answering the messages
// already in memory go out in one write, made when the reader is about to
// wait for the network (see Conn.GatherReplies).
func (s *Socket[In, Out]) read(woke bool) (parked bool) {
	if flowrun.Of(s.running).Fused() {
		s.netConn.GatherReplies()
	}
	// A flow done with each message when its push returns (an echo) gets
	// it decoded without a copy, in the buffer it was read into.
	lender, lend := s.t.(flowrun.Lender[In])
	lend = lend && flowrun.Of(s.running).Lends()
	discard := false
	var check utf8Stream // of a text message the Conn does not check
	for {
		if s.park != nil {
			if s.netConn.Await(parkAfter, woke) && s.parkNow() {
				return true
			}
			woke = false
		}
		typ, r, err := s.conn.Reader(context.Background())
		if errors.Is(err, errTextNotUTF8) {
			s.end(message.ErrInvalidUTF8)
			return false
		}
		if err != nil {
			s.readEnd = readEnded(err)
			if perr := s.netConn.pongFailure(); perr != nil {
				s.readEnd = &connGone{code: message.AbnormalClosure, err: perr}
			}
			s.endInput(s.readEnd)
			return false
		}
		bp := getBuf()
		var text *utf8Stream
		if typ == websocket.MessageText && !s.netConn.TextChecked() {
			// Checked as it is read (inflated, on a server).
			text = &check
		}
		payload, err := readAll(r, (*bp)[:0], text)
		if errors.Is(err, errTextNotUTF8) {
			putBuf(bp, payload)
			s.end(message.ErrInvalidUTF8)
			return false
		}
		if err != nil {
			putBuf(bp, payload)
			s.readEnd = readEnded(err)
			s.endInput(s.readEnd)
			return false
		}
		kind := message.KindBinary
		if typ == websocket.MessageText {
			kind = message.KindText
		}
		if s.observer != nil {
			s.observer.MessageIn(kind, len(payload))
		}
		var v In
		switch {
		case lend:
			v, err = lender.DecodeLent(kind, payload)
		default:
			v, err = s.t.Decode(kind, payload)
		}
		if !lend || err != nil {
			putBuf(bp, payload)
		}
		if err != nil {
			s.end(decodeEnded(err))
			return false
		}
		s.received.Add(1)
		if !discard {
			err = s.running.Push(v)
		}
		s.handled.Add(1)
		if lend {
			putBuf(bp, payload)
		}
		if err != nil {
			select {
			case <-s.running.Done():
				return false // the flow has ended and AfterDone has called end
			default:
			}
			// Half-closed, the flow takes no more input (flowrun.Options.KeepInput):
			// what the peer sends until its close is read and dropped.
			discard, err = true, nil
		}
	}
}

// ReadAll appends what r holds, up to its io.EOF, to buf and returns the
// result; unlike io.ReadAll it grows buf only when buf's capacity runs
// out, so a reused buffer costs no allocation. It is how the runtime, and
// the project's clients that read into a buffer of their own, read a
// message.
func ReadAll(r io.Reader, buf []byte) ([]byte, error) { return readAll(r, buf, nil) }

// readAll is ReadAll that, when text is not nil, checks what it reads as
// UTF-8 as it goes, and fails with errTextNotUTF8 as soon as it cannot
// be.
func readAll(r io.Reader, buf []byte, text *utf8Stream) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		if text != nil && !text.feed(buf[len(buf):len(buf)+n]) {
			return buf, errTextNotUTF8
		}
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if text != nil && !text.whole() {
				return buf, errTextNotUTF8
			}
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// emit encodes v and writes it; it returns once the frame has been handed
// to the operating system.
func (s *Socket[In, Out]) emit(v Out) error {
	bp := getBuf()
	kind, b, err := s.t.Encode((*bp)[:0], v)
	if err != nil {
		putBuf(bp, b)
		return err
	}
	if s.ownFrames {
		err = s.netConn.WriteMessage(kind == message.KindText, b)
	} else {
		typ := websocket.MessageBinary
		if kind == message.KindText {
			typ = websocket.MessageText
		}
		err = s.conn.Write(context.Background(), typ, b)
	}
	size := len(b)
	putBuf(bp, b)
	if err != nil {
		return &connGone{code: message.AbnormalClosure, err: err, write: true}
	}
	if s.observer != nil {
		s.observer.MessageOut(kind, size)
	}
	return nil
}

// closeConn sends the close frame the socket's ending calls for, or drops
// the connection when it can carry nothing more.
func (s *Socket[In, Out]) closeConn() {
	var gone *connGone
	if errors.As(s.reason, &gone) {
		if gone.sentSelf && gone.code == message.ProtocolError {
			// Failing the connection (RFC 6455 section 7.1.7): the close
			// frame, then the end of the TCP connection, at once.
			s.netConn.Fail(gone.code)
			s.conn.CloseNow()
			return
		}
		if gone.sentSelf {
			// Finish the handshake coder/websocket began: it reads and
			// discards until the peer's close (at most 5 s). Closing now
			// would leave unread data, and the kernel would answer with a
			// reset that can destroy the close frame still in flight.
			s.conn.Close(websocket.StatusCode(gone.code), "")
			return
		}
		s.conn.CloseNow()
		return
	}
	c := message.CloseFor(s.reason)
	s.conn.Close(websocket.StatusCode(c.Code), c.Reason)
}

// GoAway closes the socket with 1001 once what the flow already emitted
// has been written.
func (s *Socket[In, Out]) GoAway() { s.end(errGoingAway) }

// Drop closes the connection at once, whatever it was doing.
func (s *Socket[In, Out]) Drop() { s.dropFor(errDropped) }

// dropFor closes the connection at once, for err. It closes the hijacked
// connection itself: coder/websocket's CloseNow waits for a close
// handshake already under way, which a silent peer stretches to five
// seconds.
func (s *Socket[In, Out]) dropFor(err error) {
	s.end(&connGone{code: message.AbnormalClosure, err: err})
	s.netConn.Close()
	s.conn.CloseNow()
}

// CloseOf returns the close code and reason the log reports for reason,
// an error Serve returned.
func CloseOf(reason error) message.Close {
	var gone *connGone
	if errors.As(reason, &gone) {
		if gone.peer != nil {
			return *gone.peer
		}
		return message.Close{Code: gone.code}
	}
	return message.CloseFor(reason)
}

// LogEnd writes the connection's closing line, and the failure behind a
// 1011 of this side's own at error level: a peer that closes with 1011
// has failed on its side, not this one.
func LogEnd(l *slog.Logger, attrs []any, reason error, began time.Time) {
	c := CloseOf(reason)
	attrs = append(attrs, "code", int(c.Code), "reason", c.Reason, "duration", time.Since(began))
	var gone *connGone
	if errors.As(reason, &gone) && gone.peer == nil {
		attrs = append(attrs, "cause", gone.err)
	}
	if errors.Is(reason, errRuntimePanic) {
		l.Error("websocket runtime panic", attrs...)
	}
	if c.Code == message.InternalError && EndedByOf(reason) == EndedHere {
		var ce *message.CloseError
		if !errors.As(reason, &ce) {
			failure := append(attrs, "error", reason)
			var pe *flow.PanicError
			if errors.As(reason, &pe) {
				failure = append(failure, "stack", string(pe.Stack))
			}
			l.Error("websocket flow failed", failure...)
		}
	}
	l.Info("websocket closed", attrs...)
}
