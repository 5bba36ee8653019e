package bench

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// MeasureRTT runs one rtt round against url: l.Conns connections, each
// sending a message of l.Size bytes and waiting for its echo before the
// next, for l.Warmup and then the measured l.Duration. Every echo is
// checked; a mismatch fails the round. pid is the server's process (0:
// unknown, no server CPU time).
//
// The latency of a message is the time from just before its Write to just
// after its echo has been read whole, and counts when the message was
// sent within the measured window.
func MeasureRTT(ctx context.Context, url string, pid int, l Load) (Sample, error) {
	conns, err := dialAll(ctx, url, l.Conns, int64(l.Size)+1)
	if err != nil {
		return Sample{}, err
	}
	g := newGroup(ctx, conns)
	counters := make([]connCounter, len(conns))
	lats := make([][]time.Duration, len(conns))
	var phase atomic.Int32
	stop := make(chan struct{})
	for i, c := range conns {
		g.spawn(func() error { return rttConn(i, c, l, &phase, &counters[i], &lats[i]) })
	}
	a, b, err := g.window(l, pid, counters, &phase, stop)
	if err != nil {
		return Sample{}, err
	}
	closeAll(conns, true)
	var s Sample
	a.fill(b, l.Size, &s)
	var all []time.Duration
	for _, d := range lats {
		all = append(all, d...)
	}
	s.Latency = summarize(all)
	return s, nil
}

// rttConn runs one connection of an rtt round until the phase is stop.
func rttConn(id int, c *websocket.Conn, l Load, phase *atomic.Int32, n *connCounter, lats *[]time.Duration) error {
	typ := l.msgType()
	out := make([]byte, l.Size)
	in := make([]byte, 0, l.Size+1)
	chk := newOrderChecker(id, l.Size)
	for seq := uint64(0); ; seq++ {
		ph := phase.Load()
		if ph == phaseStop {
			return nil
		}
		fillPayload(out, id, seq)
		began := time.Now()
		if err := c.Write(bg, typ, out); err != nil {
			return err
		}
		got, b, err := readMessage(c, in)
		if err != nil {
			return err
		}
		took := time.Since(began)
		in = b
		if got != typ {
			return errType(id, got, typ)
		}
		if err := chk.check(b); err != nil {
			return err
		}
		n.msgs.Add(1)
		if ph == phaseMeasure {
			*lats = append(*lats, took)
		}
	}
}
