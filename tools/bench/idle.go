package bench

import (
	"context"
	"time"
)

// How MeasureIdle waits for the server's memory to settle: it reads VmRSS
// every settleEvery, and takes a reading once the last settleSamples
// readings are within settleSpread of each other (or of 64 KiB, whichever
// is larger), or once settleMax has passed. (Variables, so that tests can
// shorten them.)
var (
	settleEvery   = 200 * time.Millisecond
	settleSamples = 5 // 1 s of readings
	settleSpread  = 0.005
	settleMax     = 15 * time.Second
)

// MeasureIdle runs one idle round against url: it reads the server's
// resident memory (VmRSS of /proc/PID/status) before connecting, opens
// l.Idle connections and leaves them idle, reads it again, and closes
// them. Both readings are taken once VmRSS has settled (see settleEvery):
// the server cannot be made to collect garbage from outside, so what is
// measured is what the process holds when nothing is happening, garbage
// of the handshakes that no collection has freed included; the same holds
// for every target. A server restarted for the round (as a spawned target
// is) has a clean "before". The connections are opened 64 at a time and
// send nothing, not even a ping: idle means upgraded and waiting.
//
// KiB per connection is (after - before) / l.Idle.
func MeasureIdle(ctx context.Context, url string, pid int, l Load) (Sample, error) {
	s := Sample{Conns: l.Idle, RSSBefore: -1, RSSAfter: -1}
	settledBefore := false
	if pid > 0 {
		var err error
		if s.RSSBefore, settledBefore, err = settleRSS(ctx, pid); err != nil {
			return s, err
		}
	}
	conns, err := dialAll(ctx, url, l.Idle, 1<<10)
	if err != nil {
		return s, err
	}
	defer closeAll(conns, true)
	if pid > 0 {
		var settledAfter bool
		if s.RSSAfter, settledAfter, err = settleRSS(ctx, pid); err != nil {
			return s, err
		}
		s.Settled = settledBefore && settledAfter
	}
	return s, ctx.Err()
}

// settleRSS waits until pid's VmRSS is steady and returns it, and whether
// it did settle within settleMax.
func settleRSS(ctx context.Context, pid int) (int64, bool, error) {
	deadline := time.Now().Add(settleMax)
	var last []int64
	tick := time.NewTicker(settleEvery)
	defer tick.Stop()
	for {
		rss, err := ProcRSS(pid)
		if err != nil {
			return 0, false, err
		}
		last = append(last, rss)
		if len(last) > settleSamples {
			last = last[1:]
		}
		if len(last) == settleSamples && steady(last) {
			return rss, true, nil
		}
		if time.Now().After(deadline) {
			return rss, false, nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return 0, false, ctx.Err()
		}
	}
}

// steady reports whether the readings are within settleSpread (or 64 KiB)
// of each other.
func steady(rss []int64) bool {
	lo, hi := rss[0], rss[0]
	for _, r := range rss {
		lo, hi = min(lo, r), max(hi, r)
	}
	return float64(hi-lo) <= max(settleSpread*float64(hi), 64<<10)
}
