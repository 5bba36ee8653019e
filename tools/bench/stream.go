package bench

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// drainTimeout bounds how long the echoes still in flight at the end of a
// stream round may take to come back.
const drainTimeout = 10 * time.Second

// MeasureStream runs one stream round against url: l.Conns connections,
// each keeping l.Window messages of l.Size bytes in flight, for l.Warmup
// and then the measured l.Duration. Every echo is checked for content and
// order (see orderChecker); a mismatch fails the round, and so does an
// echo still missing drainTimeout after the window. pid is the server's
// process (0: unknown).
func MeasureStream(ctx context.Context, url string, pid int, l Load) (Sample, error) {
	conns, err := dialAll(ctx, url, l.Conns, int64(l.Size)+1)
	if err != nil {
		return Sample{}, err
	}
	g := newGroup(ctx, conns)
	counters := make([]connCounter, len(conns))
	var phase atomic.Int32
	stop := make(chan struct{})
	for i, c := range conns {
		g.spawn(func() error { return streamConn(i, c, l, stop, &counters[i]) })
	}
	a, b, err := g.window(l, pid, counters, &phase, stop)
	if err != nil {
		return Sample{}, err
	}
	var s Sample
	a.fill(b, l.Size, &s)
	return s, nil
}

// streamConn runs one connection of a stream round: a writer (here) and
// a reader (on a goroutine of its own) share l.Window tokens; the writer
// takes one per message, the reader gives one back per checked echo.
// Once stop is closed the writer sends no more, takes back every token
// (all echoes are in), and closes the connection with 1000, which ends
// the reader.
func streamConn(id int, c *websocket.Conn, l Load, stop <-chan struct{}, n *connCounter) error {
	tokens := make(chan struct{}, l.Window)
	var closing atomic.Bool
	readDone := make(chan struct{})
	var readErr error
	go func() {
		defer close(readDone)
		readErr = streamRead(id, c, l, tokens, n, &closing)
	}()
	err := streamWrite(id, c, l, stop, tokens, readDone)
	select {
	case <-readDone: // the reader failed first
		c.CloseNow()
		return readErr
	default:
	}
	if err != nil {
		c.CloseNow()
		<-readDone
		return err
	}
	closing.Store(true)
	c.Close(websocket.StatusNormalClosure, "")
	<-readDone
	return readErr
}

// streamWrite sends messages while it gets tokens, until stop, then
// waits for every token back.
func streamWrite(id int, c *websocket.Conn, l Load, stop <-chan struct{}, tokens chan struct{}, readDone <-chan struct{}) error {
	typ := l.msgType()
	out := make([]byte, l.Size)
	for seq := uint64(0); ; seq++ {
		select {
		case tokens <- struct{}{}:
		case <-stop:
			return drain(id, tokens, readDone)
		case <-readDone:
			return nil // the reader failed; streamConn reports it
		}
		fillPayload(out, id, seq)
		if err := c.Write(bg, typ, out); err != nil {
			return err
		}
	}
}

// drain waits until every token is back: no echo is in flight.
func drain(id int, tokens chan struct{}, readDone <-chan struct{}) error {
	t := time.NewTimer(drainTimeout)
	defer t.Stop()
	for range cap(tokens) {
		select {
		case tokens <- struct{}{}:
		case <-readDone:
			return nil
		case <-t.C:
			return fmt.Errorf("connection %d: %d echoes still missing %v after the window", id, len(tokens), drainTimeout)
		}
	}
	return nil
}

// streamRead reads and checks echoes, giving a token back for each, until
// the connection ends; its end is no error once closing is set.
func streamRead(id int, c *websocket.Conn, l Load, tokens chan struct{}, n *connCounter, closing *atomic.Bool) error {
	typ := l.msgType()
	in := make([]byte, 0, l.Size+1)
	chk := newOrderChecker(id, l.Size)
	for {
		got, b, err := readMessage(c, in)
		if err != nil {
			if closing.Load() {
				return nil
			}
			return err
		}
		in = b
		if got != typ {
			return errType(id, got, typ)
		}
		if err := chk.check(b); err != nil {
			return err
		}
		n.msgs.Add(1)
		select {
		case <-tokens:
		default:
			return fmt.Errorf("echo mismatch on connection %d: an echo of message %d, which was never sent", id, chk.next-1)
		}
	}
}
