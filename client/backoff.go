package client

import (
	"math/rand/v2"
	"time"
)

// Backoff is the schedule of WithReconnect, as Akka's RestartSettings: the
// first wait is Min; each further consecutive failure multiplies it by
// Factor, up to Max; every wait is then lengthened by a random part of
// up to Jitter times itself, so that clients dropped together do not
// come back together. A connection that opens resets the wait to Min.
//
// The zero fields take defaults: Min 100ms, Max 30s, Factor 2; Jitter 0
// means none.
type Backoff struct {
	Min, Max time.Duration
	Factor   float64
	Jitter   float64
	// OnRetry, if set, is called before each wait with the reason the
	// previous attempt ended (nil: the connection closed normally) and
	// the wait chosen.
	OnRetry func(err error, wait time.Duration)
}

func (b Backoff) withDefaults() Backoff {
	if b.Min <= 0 {
		b.Min = 100 * time.Millisecond
	}
	if b.Max <= 0 {
		b.Max = 30 * time.Second
	}
	if b.Max < b.Min {
		b.Max = b.Min
	}
	if b.Factor < 1 {
		b.Factor = 2
	}
	if b.Jitter < 0 {
		b.Jitter = 0
	}
	return b
}

// next returns the wait after base, without jitter.
func (b Backoff) next(base time.Duration) time.Duration {
	d := time.Duration(float64(base) * b.Factor)
	if d > b.Max || d < base { // d < base: overflow
		return b.Max
	}
	return d
}

// jittered returns base lengthened by up to Jitter times itself.
func (b Backoff) jittered(base time.Duration) time.Duration {
	if b.Jitter == 0 {
		return base
	}
	return base + time.Duration(rand.Float64()*b.Jitter*float64(base))
}
