package flow

import (
	"context"
	"sync"
	"time"
)

// FakeClock is a clock that moves only when Advance says, for the tests of
// the timed operators: no sleeps, no timed assertions.
type FakeClock struct {
	mu      sync.Mutex
	at      time.Time
	armed   map[*fakeTimer]struct{}
	changed chan struct{} // closed and replaced whenever the timers change
}

// NewFakeClock returns a FakeClock at an arbitrary fixed time.
func NewFakeClock() *FakeClock {
	return &FakeClock{
		at:      time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		armed:   map[*fakeTimer]struct{}{},
		changed: make(chan struct{}),
	}
}

// Context returns ctx carrying the clock: runs started with it use it.
func (c *FakeClock) Context(ctx context.Context) context.Context {
	return context.WithValue(ctx, clockKey{}, clock(c))
}

// Now returns the clock's time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *FakeClock) now() time.Time { return c.Now() }

// Advance moves the clock on by d and fires the timers due by then.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = c.at.Add(d)
	for t := range c.armed {
		if !t.when.After(c.at) {
			delete(c.armed, t)
			t.ch <- t.when
		}
	}
	c.notify()
}

// Armed returns how many timers are armed and not yet fired.
func (c *FakeClock) Armed() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.armed)
}

// WaitArmed waits until a timer is armed to fire d from now, or until
// patience has passed (then it returns false).
func (c *FakeClock) WaitArmed(d, patience time.Duration) bool {
	return c.wait(patience, func() bool {
		for t := range c.armed {
			if t.when.Equal(c.at.Add(d)) {
				return true
			}
		}
		return false
	})
}

// WaitIdle waits until no timer is armed, or until patience has passed
// (then it returns false).
func (c *FakeClock) WaitIdle(patience time.Duration) bool {
	return c.wait(patience, func() bool { return len(c.armed) == 0 })
}

func (c *FakeClock) wait(patience time.Duration, ok func() bool) bool {
	giveUp := time.After(patience)
	for {
		c.mu.Lock()
		if ok() {
			c.mu.Unlock()
			return true
		}
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
		case <-giveUp:
			return false
		}
	}
}

func (c *FakeClock) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *FakeClock) newTimer(d time.Duration) timer {
	t := &fakeTimer{clk: c, ch: make(chan time.Time, 1)}
	t.reset(d)
	return t
}

type fakeTimer struct {
	clk  *FakeClock
	ch   chan time.Time
	when time.Time
}

func (t *fakeTimer) c() <-chan time.Time { return t.ch }

func (t *fakeTimer) reset(d time.Duration) {
	c := t.clk
	c.mu.Lock()
	defer c.mu.Unlock()
	t.drain()
	t.when = c.at.Add(d)
	if d <= 0 {
		delete(c.armed, t)
		t.ch <- t.when
	} else {
		c.armed[t] = struct{}{}
	}
	c.notify()
}

func (t *fakeTimer) stop() {
	c := t.clk
	c.mu.Lock()
	defer c.mu.Unlock()
	t.drain()
	delete(c.armed, t)
	c.notify()
}

func (t *fakeTimer) drain() {
	select {
	case <-t.ch:
	default:
	}
}
