package client

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"time"
)

// Backoff is the policy of WithReconnect, as Akka's RestartSettings: when
// to dial again and after how long.
//
// The waits: the first is Min; each further one in a row is Factor times
// the one before, up to Max; every wait is then lengthened by a random
// part of up to Jitter times itself, so that clients dropped together do
// not come back together. A connection that stayed open at least
// ResetAfter starts the waits again from Min; one that did not (a server
// that closes at once, with 1000 or any other code) counts as a failure,
// so that the waits grow (Wait is the schedule).
//
// What ends Dial rather than a dial again: ctx ending; an error RetryOn
// refuses (by default Retryable: a handshake refused with a 3xx or a 4xx
// other than 408 and 429, whose *HandshakeError Dial returns); and, with
// OnlyOnFailures, a connection that ends normally (1000), Dial returning
// nil. Without OnlyOnFailures, the default, a normal close is followed by
// a dial again, as Akka's RestartSource.withBackoff restarts a source that
// completes as well as one that fails (RestartSource.onFailuresWithBackoff
// is OnlyOnFailures): a client that follows a feed wants it followed
// again when a server closes it normally to go away, which a server about
// to restart does with 1000 as often as with 1001.
//
// The zero fields take defaults: Min 100ms, Max 30s, Factor 2, ResetAfter
// Min (as Akka's maxRestartsWithin defaults to minBackoff), RetryOn
// Retryable; Jitter 0 means none.
type Backoff struct {
	Min, Max   time.Duration
	Factor     float64
	Jitter     float64
	ResetAfter time.Duration
	// OnlyOnFailures ends Dial, with nil, when a connection closes with
	// 1000 (the server's close, or the flow's output completing).
	OnlyOnFailures bool
	// RetryOn reports whether the error an attempt ended with is worth
	// another dial; if it is not, Dial returns that error. nil: Retryable.
	RetryOn func(err error) bool
	// OnRetry, if set, is called before each wait with the reason the
	// previous attempt ended (nil: the connection closed normally) and
	// the wait chosen.
	OnRetry func(err error, wait time.Duration)
}

// Retryable is the default of Backoff.RetryOn: false for a handshake the
// server refused for good, a *HandshakeError with a redirect (3xx, which
// the client does not follow) or a client error (4xx) other than
// 408 Request Timeout and 429 Too Many Requests; true for everything else
// (a connection refused, a 5xx, a dropped or closed socket, a flow's
// failure).
func Retryable(err error) bool {
	var refused *HandshakeError
	if !errors.As(err, &refused) {
		return true
	}
	switch code := refused.StatusCode; {
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests:
		return true
	case code >= 300 && code < 500:
		return false
	}
	return true
}

// Wait returns the wait before the nth dial again in a row (n >= 1): Min
// times Factor to the power n-1, at most Max, lengthened by a random part
// of up to Jitter times itself. A program that reconnects by hand uses it
// as WithReconnect does.
func (b Backoff) Wait(n int) time.Duration {
	b = b.withDefaults()
	d := b.Min
	for i := 1; i < n && d < b.Max; i++ {
		f := float64(d) * b.Factor
		if f >= float64(b.Max) {
			d = b.Max
			break
		}
		if time.Duration(f) == d { // a Factor of 1
			break
		}
		d = time.Duration(f)
	}
	if b.Jitter > 0 {
		d += time.Duration(rand.Float64() * b.Jitter * float64(d))
	}
	return d
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
	if b.ResetAfter <= 0 {
		b.ResetAfter = b.Min
	}
	if b.RetryOn == nil {
		b.RetryOn = Retryable
	}
	return b
}

// again reports whether an attempt that ended with err is followed by
// another dial.
func (b Backoff) again(err error) bool {
	if err == nil {
		return !b.OnlyOnFailures
	}
	return b.RetryOn(err)
}
