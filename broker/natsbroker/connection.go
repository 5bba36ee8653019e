package natsbroker

import (
	"context"
	"time"

	"github.com/wsflow/wsflow/broker"
)

// disconnected starts the grace when the connection is lost.
func (b *Broker) disconnected() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || b.grace != nil || b.lost.Load() {
		return
	}
	b.tasks.Add(1)
	b.grace = time.AfterFunc(Grace, b.expire)
}

// expire ends the grace: the connection did not come back in time.
func (b *Broker) expire() {
	defer b.tasks.Done()
	b.mu.Lock()
	if b.grace == nil { // reconnected or closed meanwhile
		b.mu.Unlock()
		return
	}
	b.grace = nil
	b.mu.Unlock()
	b.lose()
}

// stopGrace stops the grace's timer, if it runs. b.mu is held.
func (b *Broker) stopGrace() {
	if b.grace != nil && b.grace.Stop() {
		b.tasks.Done()
	}
	b.grace = nil
}

// reconnected ends the grace, or the loss, and has the streams checked.
func (b *Broker) reconnected() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.stopGrace()
	b.lost.Store(false)
	select {
	case b.recheck <- struct{}{}:
	default:
	}
}

// lose marks the broker unavailable and ends every subscription.
func (b *Broker) lose() {
	b.lost.Store(true)
	for _, p := range b.partitions {
		p.end(broker.ErrUnavailable)
	}
}

// checkAfterReconnect makes the streams again after each reconnection
// (the server may have come back without them) and ends the
// subscriptions of a partition whose stream was made anew, until the
// broker is closed.
func (b *Broker) checkAfterReconnect() {
	for {
		select {
		case <-b.done:
			return
		case <-b.recheck:
		}
		wait := 100 * time.Millisecond
		for {
			ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
			renewed, err := b.makeStreams(ctx)
			cancel()
			if err == nil {
				for _, p := range renewed {
					p.end(broker.ErrUnavailable)
				}
				break
			}
			select {
			case <-b.done:
				return
			case <-time.After(wait):
			}
			wait = min(2*wait, 2*time.Second)
		}
	}
}
