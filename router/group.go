package router

import (
	"context"
	"fmt"
	"sync"
)

// Group tracks the open sockets of one or more handlers (WithGroup): it
// caps how many may be open at once and shuts them down gracefully.
// http.Server.Shutdown does not see hijacked connections; Group.Shutdown
// does. A Group is safe for concurrent use; its zero value is a group
// without a limit, ready to use.
type Group struct {
	max     int
	mu      sync.Mutex
	open    *member // the open sockets, linked through their members
	n       int     // how many are open
	closing bool
	wg      sync.WaitGroup
}

// member is one open socket as its group sees it: a member of at most one
// group's list of open sockets.
type member struct {
	mu   sync.Mutex
	sock stopper // nil until the socket runs
	want stopKind
	// Guarded by its Group's mu:
	left       bool // Shutdown waits for it no more
	listed     bool // in the group's list
	prev, next *member
}

// stopper is a running socket as its group stops it.
type stopper interface {
	GoAway() // close with 1001 after what was emitted has been written
	Drop()   // close the connection at once
}

// stopKind is what a Shutdown asks of a member; the stronger wins.
type stopKind uint8

const (
	keepOpen stopKind = iota
	goAway
	drop
)

func (k stopKind) apply(s stopper) {
	switch k {
	case goAway:
		s.GoAway()
	case drop:
		s.Drop()
	}
}

// attach connects m to its running socket. A Shutdown that came before it
// takes effect now.
func (m *member) attach(s stopper) {
	m.mu.Lock()
	m.sock = s
	want := m.want
	m.mu.Unlock()
	want.apply(s)
}

// stop asks m's socket to stop, or remembers it until attach; it reports
// whether the socket was running.
func (m *member) stop(k stopKind) bool {
	m.mu.Lock()
	s := m.sock
	if s == nil && k > m.want {
		m.want = k
	}
	m.mu.Unlock()
	if s != nil {
		k.apply(s)
	}
	return s != nil
}

// NewGroup returns a Group that admits at most maxConns open sockets
// (0: no limit). A handshake beyond the limit gets HTTP 503. A negative
// maxConns is a programmer's error, and NewGroup panics.
func NewGroup(maxConns int) *Group {
	if maxConns < 0 {
		panic(fmt.Sprintf("router: NewGroup: negative maxConns %d", maxConns))
	}
	return &Group{max: maxConns}
}

// Len returns the number of open sockets.
func (g *Group) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n
}

// join admits m, or reports why not: errFull or errShuttingDown.
func (g *Group) join(m *member) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closing {
		return errShuttingDown
	}
	if g.max > 0 && g.n >= g.max {
		return errFull
	}
	m.next = g.open
	if g.open != nil {
		g.open.prev = m
	}
	g.open, m.listed = m, true
	g.n++
	g.wg.Add(1)
	return nil
}

// unlist takes m out of the list of open sockets, if it is in it. Called
// with g.mu held.
func (g *Group) unlist(m *member) {
	if !m.listed {
		return
	}
	if m.prev != nil {
		m.prev.next = m.next
	} else {
		g.open = m.next
	}
	if m.next != nil {
		m.next.prev = m.prev
	}
	m.prev, m.next, m.listed = nil, nil, false
	g.n--
}

// release frees m's place: its socket has closed, and a handshake may
// take the place even while the socket's end is still being reported.
func (g *Group) release(m *member) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.unlist(m)
}

// leave releases m and ends Shutdown's wait for it.
func (g *Group) leave(m *member) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.unlist(m)
	if !m.left {
		m.left = true
		g.wg.Done()
	}
}

// Shutdown refuses new sockets with 503, sends every open socket a close
// 1001 "going away" once what its flow already emitted has been written,
// and waits for them all to close. When ctx ends first, the sockets still
// open are dropped and Shutdown returns ctx's error after they are gone;
// a handshake still under way is not waited for, and its socket is
// dropped as soon as it opens.
func (g *Group) Shutdown(ctx context.Context) error {
	g.mu.Lock()
	g.closing = true
	members := g.snapshot()
	g.mu.Unlock()
	for _, m := range members {
		m.stop(goAway)
	}
	done := make(chan struct{})
	go func() {
		g.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	g.mu.Lock()
	members = g.snapshot()
	g.mu.Unlock()
	for _, m := range members {
		if !m.stop(drop) {
			// Its handshake is still under way (a slow factory, a peer
			// that does not take the response): it is not waited for,
			// and its socket is dropped as soon as it opens.
			g.leave(m)
		}
	}
	<-done
	return ctx.Err()
}

// snapshot returns the members of the open sockets. Called with g.mu
// held.
func (g *Group) snapshot() []*member {
	ms := make([]*member, 0, g.n)
	for m := g.open; m != nil; m = m.next {
		ms = append(ms, m)
	}
	return ms
}
