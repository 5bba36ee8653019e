package demo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/message"
)

// roomLoad is a /rooms room under load: members that all send numbered
// messages, "0", "1", ..., each keeping a window of them on their way to
// every member, and read everything, recording what they received and
// how long each message took to reach each member.
type roomLoad struct {
	names []string
	home  []int           // the demo each member is on, of servers
	sent  []atomic.Int64  // messages each member has sent
	more  chan struct{}   // a member received an event, or ended
	wake  []chan struct{} // a message of sender s reached a member, or a member ended

	mu      sync.Mutex
	got     [][]roomEv // each member's events, from its joined
	from    [][]int64  // from[i][s]: how many of s's messages i received
	closed  []error    // why each member's socket ended, if before the test closed it
	sentAt  [][]time.Time
	took    []time.Duration // each delivery's time from its Send
	across  []time.Duration // those between members on different demos
	longest time.Duration   // the longest delivery
}

// newRoomLoad returns the load of members, m0, m1, ..., spread over
// servers demos: member i on demo i % servers.
func newRoomLoad(members, servers int) *roomLoad {
	f := &roomLoad{
		names:  make([]string, members),
		home:   make([]int, members),
		sent:   make([]atomic.Int64, members),
		more:   make(chan struct{}, 1),
		wake:   make([]chan struct{}, members),
		got:    make([][]roomEv, members),
		from:   make([][]int64, members),
		closed: make([]error, members),
		sentAt: make([][]time.Time, members),
	}
	for i := range members {
		f.names[i] = fmt.Sprintf("m%d", i)
		f.home[i] = i % servers
		f.from[i] = make([]int64, members)
		f.wake[i] = make(chan struct{}, 1)
	}
	return f
}

// send sends messages "0", "1", ... on c as member i, sending message k
// once every open member has received message k-window, until stop, or
// until it has sent limit messages (limit < 0: no limit).
func (f *roomLoad) send(ctx context.Context, i int, c *client.Conn, window, limit int, stop <-chan struct{}) {
	for k := 0; k != limit; k++ {
		for !f.reachedAll(i, int64(k-window+1)) {
			select {
			case <-f.wake[i]:
			case <-stop:
				return
			case <-ctx.Done():
				return
			}
		}
		select {
		case <-stop:
			return
		default:
		}
		f.mu.Lock()
		f.sentAt[i] = append(f.sentAt[i], time.Now())
		f.mu.Unlock()
		if c.Send(ctx, message.Text(fmt.Sprintf(`{"text":"%d"}`, k))) != nil {
			return // the socket ended: read tells why
		}
		f.sent[i].Add(1)
	}
}

// reachedAll reports whether every open member has received n of s's
// messages.
func (f *roomLoad) reachedAll(s int, n int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.names {
		if f.closed[i] == nil && f.from[i][s] < n {
			return false
		}
	}
	return true
}

// read receives member i's events until its socket ends.
func (f *roomLoad) read(ctx context.Context, i int, c *client.Conn) {
	defer f.signal(-1)
	for {
		ev, err := readEv(ctx, c)
		now := time.Now()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) { // not closed by the test
				f.mu.Lock()
				f.closed[i] = err
				f.mu.Unlock()
			}
			return
		}
		f.mu.Lock()
		f.got[i] = append(f.got[i], ev)
		s := slices.Index(f.names, ev.From)
		if s >= 0 {
			f.from[i][s]++
			if k, err := strconv.Atoi(ev.Text); err == nil && k < len(f.sentAt[s]) {
				d := now.Sub(f.sentAt[s][k])
				f.longest = max(f.longest, d)
				f.took = append(f.took, d)
				if f.home[i] != f.home[s] {
					f.across = append(f.across, d)
				}
			}
		}
		f.mu.Unlock()
		f.signal(s)
	}
}

// signal tells the test, and sender s (every sender for s < 0), that
// something was received.
func (f *roomLoad) signal(s int) {
	for k, c := range f.wake {
		if s < 0 || k == s {
			select {
			case c <- struct{}{}:
			default:
			}
		}
	}
	select {
	case f.more <- struct{}{}:
	default:
	}
}

// waitAll waits until every open member has received at least target(s)
// messages of every open sender s.
func (f *roomLoad) waitAll(t *testing.T, ctx context.Context, target func(s int) int64) {
	t.Helper()
	for !f.reached(target) {
		select {
		case <-f.more:
		case <-ctx.Done():
			f.mu.Lock()
			defer f.mu.Unlock()
			t.Fatalf("members stopped receiving: received %v of each sender; closed %v", f.from, f.closed)
		}
	}
}

func (f *roomLoad) reached(target func(s int) int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.names {
		for s := range f.names {
			if f.closed[i] == nil && f.closed[s] == nil && f.from[i][s] < target(s) {
				return false
			}
		}
	}
	return true
}

// inFlight returns how many messages are sent and not yet received by
// every member.
func (f *roomLoad) inFlight() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	var n int64
	for s := range f.names {
		least := int64(len(f.sentAt[s]))
		for i := range f.names {
			least = min(least, f.from[i][s])
		}
		n += int64(len(f.sentAt[s])) - least
	}
	return n
}
