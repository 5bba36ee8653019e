package natsbroker

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// DefaultForget is how long a room's stream must have had no consumer and
// no new event before a broker deletes it: the room is forgotten, and a
// room of that name made again starts again at 1.
const DefaultForget = 2 * time.Minute

// WithForget sets how long a room's stream must have had no consumer and
// no new event before the broker deletes it (DefaultForget by default); 0
// or less keeps every stream until its events age out, and the stream
// itself for ever.
//
// A server's consumer of a room outlives the room's last member there by
// five minutes (nats.go's inactivity threshold for ordered consumers), so
// a room is kept at least that long, plus the forget time, after its
// last member anywhere has left.
func WithForget(d time.Duration) Option { return func(c *config) { c.forget, c.forgetSet = d, true } }

// sweep deletes, every half forget time until the broker closes, the
// rooms' streams that nobody has used for the forget time.
func (b *Broker) sweep(done <-chan struct{}) {
	every := max(b.cfg.forget/2, 10*time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		if b.Available() != nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), every)
		b.sweepOnce(ctx)
		cancel()
	}
}

func (b *Broker) sweepOnce(ctx context.Context) {
	list := b.js.ListStreams(ctx, jetstream.WithStreamListSubject(b.cfg.prefix+".>"))
	var stale []string
	for info := range list.Info() {
		last := info.State.LastTime
		if info.Created.After(last) {
			last = info.Created
		}
		if info.State.Consumers == 0 && time.Since(last) >= b.cfg.forget {
			stale = append(stale, info.Config.Name)
		}
	}
	for _, name := range stale {
		_ = b.js.DeleteStream(ctx, name) // another server may have been first
	}
	if len(stale) > 0 {
		b.mu.Lock()
		b.streams = make(map[string]jetstream.Stream)
		b.mu.Unlock()
	}
}
