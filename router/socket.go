package router

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/transformer"
)

// socket runs one flow over one accepted connection.
//
// Two goroutines serve it. The reader reads frames for the whole life of
// the connection (coder/websocket answers pings and sees close frames only
// while a reader is active), decodes them and pushes them into the flow;
// fused stages run right there and write their output, so an echo costs
// no hand-off. The supervisor, on the handler's goroutine, waits for the
// socket to end (the flow ended, the peer closed, a frame did not fit, a
// shutdown, a missing pong), sends the close frame that ending calls for,
// stops the flow and waits for the reader.
type socket[In, Out any] struct {
	conn     *websocket.Conn
	netConn  net.Conn     // the hijacked connection under conn
	received atomic.Int64 // messages read: proof of life for keep-alive
	t        transformer.Transformer[In, Out]
	cfg      *config
	endOnce  sync.Once
	ended    chan struct{}
	reason   error // why the socket ends; set before ended is closed
}

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

// end records why the socket ends; the first reason wins.
func (s *socket[In, Out]) end(reason error) {
	s.endOnce.Do(func() {
		s.reason = reason
		close(s.ended)
	})
}

// serve runs f until the socket has closed and everything it started has
// ended, and returns the reason it ended.
func (s *socket[In, Out]) serve(f flow.Flow[In, Out]) error {
	running := flow.Start(context.Background(), f, s.emit)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		s.read(running)
	}()
	s.supervise(running)
	s.closeConn()
	running.Cancel()
	<-readerDone
	running.Stop()
	return s.reason
}

// read pushes every incoming data message into the flow until the
// connection or the flow ends.
func (s *socket[In, Out]) read(running *flow.Running[In]) {
	for {
		typ, r, err := s.conn.Reader(context.Background())
		if err != nil {
			s.end(readEnded(err))
			running.CloseInput()
			return
		}
		bp := getBuf()
		payload, err := readAll(r, (*bp)[:0])
		if err != nil {
			putBuf(bp, payload)
			s.end(readEnded(err))
			running.CloseInput()
			return
		}
		kind := message.KindBinary
		if typ == websocket.MessageText {
			kind = message.KindText
			err = message.CheckText(payload)
		}
		var v In
		if err == nil {
			v, err = s.t.Decode(kind, payload)
		}
		putBuf(bp, payload)
		if err != nil {
			s.end(decodeEnded(err))
			return
		}
		s.received.Add(1)
		if running.Push(v) != nil {
			return // the flow has ended; supervise closes the socket
		}
	}
}

// readAll appends r's content to buf.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// emit encodes v and writes it; it returns once the frame has been handed
// to the operating system.
func (s *socket[In, Out]) emit(v Out) error {
	bp := getBuf()
	kind, b, err := s.t.Encode((*bp)[:0], v)
	if err != nil {
		putBuf(bp, b)
		return err
	}
	typ := websocket.MessageBinary
	if kind == message.KindText {
		typ = websocket.MessageText
	}
	err = s.conn.Write(context.Background(), typ, b)
	putBuf(bp, b)
	if err != nil {
		return &connGone{code: message.AbnormalClosure, err: err}
	}
	return nil
}

// supervise waits until the socket ends, keeping the peer alive
// meanwhile.
//
// Keep-alive pings a peer only when nothing has come from it since the
// last tick: a peer that is sending is alive, and pinging it while it
// waits for its own writes to drain could deadlock a client that answers
// pings from its reading goroutine (as coder/websocket's does). A peer
// that has sent nothing, and whose pong to the previous ping has not come
// back, is dropped.
func (s *socket[In, Out]) supervise(running *flow.Running[In]) {
	var tick <-chan time.Time
	if s.cfg.keepAlive > 0 {
		t := time.NewTicker(s.cfg.keepAlive)
		defer t.Stop()
		tick = t.C
	}
	pingCtx, cancelPing := context.WithCancel(context.Background())
	var pings sync.WaitGroup
	defer pings.Wait()
	defer cancelPing()
	pong := make(chan error, 1)
	pinging := false
	seen := s.received.Load()
	for {
		select {
		case <-running.Done():
			s.end(running.Err())
			return
		case <-s.ended:
			return
		case <-tick:
			if n := s.received.Load(); n != seen {
				seen = n
				continue
			}
			if pinging {
				s.end(&connGone{code: message.AbnormalClosure, err: errNoPong})
				return
			}
			pinging = true
			pings.Add(1)
			go func() {
				defer pings.Done()
				pong <- s.conn.Ping(pingCtx)
			}()
		case err := <-pong:
			pinging = false
			if err != nil {
				s.end(&connGone{code: message.AbnormalClosure, err: err})
				return
			}
		}
	}
}

// closeConn sends the close frame the socket's ending calls for, or drops
// the connection when it can carry nothing more.
func (s *socket[In, Out]) closeConn() {
	var gone *connGone
	if errors.As(s.reason, &gone) {
		s.conn.CloseNow()
		return
	}
	c := message.CloseFor(s.reason)
	s.conn.Close(websocket.StatusCode(c.Code), c.Reason)
}

// goAway closes the socket with 1001 once what the flow already emitted
// has been written.
func (s *socket[In, Out]) goAway() { s.end(errGoingAway) }

// drop closes the connection at once, whatever it was doing. It closes
// the hijacked connection itself: coder/websocket's CloseNow waits for a
// close handshake already under way, which a silent peer stretches to
// five seconds.
func (s *socket[In, Out]) drop() {
	s.end(&connGone{code: message.AbnormalClosure, err: errDropped})
	s.netConn.Close()
	s.conn.CloseNow()
}

// closeOf returns the close code and reason the log reports for reason.
func closeOf(reason error) message.Close {
	var gone *connGone
	if errors.As(reason, &gone) {
		return message.Close{Code: gone.code}
	}
	return message.CloseFor(reason)
}

// logEnd writes the connection's closing line, and the failure behind a
// 1011 at error level.
func logEnd(l *slog.Logger, attrs []any, reason error, began time.Time) {
	c := closeOf(reason)
	attrs = append(attrs, "code", int(c.Code), "reason", c.Reason, "duration", time.Since(began))
	if c.Code == message.InternalError {
		var ce *message.CloseError
		if !errors.As(reason, &ce) {
			l.Error("websocket flow failed", append(attrs, "error", reason)...)
		}
	}
	l.Info("websocket closed", attrs...)
}
