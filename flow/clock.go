package flow

import (
	"context"
	"time"
)

// clock is where the timed operators read the time and get their timers:
// the real one, unless the run's context carries another (the tests'
// fake, which moves only when told to).
type clock interface {
	now() time.Time
	newTimer(d time.Duration) timer
}

// timer is a time.Timer as of Go 1.23: after stop or reset returns, no
// stale value arrives on its channel.
type timer interface {
	c() <-chan time.Time
	reset(d time.Duration)
	stop()
}

type clockKey struct{}

// clockOf returns the clock of the run whose context is ctx.
func clockOf(ctx context.Context) clock {
	if c, ok := ctx.Value(clockKey{}).(clock); ok {
		return c
	}
	return realClock{}
}

type realClock struct{}

func (realClock) now() time.Time { return time.Now() }

func (realClock) newTimer(d time.Duration) timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (t realTimer) c() <-chan time.Time   { return t.t.C }
func (t realTimer) reset(d time.Duration) { t.t.Reset(d) }
func (t realTimer) stop()                 { t.t.Stop() }

// alarm is a timer that is armed only when asked: its channel is nil (never
// ready in a select) while it is not armed. Its zero value is disarmed.
type alarm struct {
	clk   clock
	t     timer
	armed bool
}

// set arms the alarm to go off after d, replacing any earlier setting.
func (a *alarm) set(d time.Duration) {
	if a.t == nil {
		a.t = a.clk.newTimer(d)
	} else {
		a.t.reset(d)
	}
	a.armed = true
}

// clear disarms the alarm.
func (a *alarm) clear() {
	if a.armed {
		a.t.stop()
		a.armed = false
	}
}

// c is the channel to select on: nil while disarmed. Receiving from it
// means the alarm went off; call fired then.
func (a *alarm) c() <-chan time.Time {
	if !a.armed {
		return nil
	}
	return a.t.c()
}

// fired records that the alarm went off.
func (a *alarm) fired() { a.armed = false }

// close releases the timer; deferred by every stage that uses an alarm.
func (a *alarm) close() {
	if a.t != nil {
		a.t.stop()
	}
}
