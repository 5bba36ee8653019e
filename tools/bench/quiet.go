package bench

import (
	"context"
	"time"
)

// Quiet is how a Runner waits, before each rtt and stream round, for the
// machine to be quiet: other processes busy on a shared machine inflate
// every CPU figure (cache and scheduler contention) and latency.
type Quiet struct {
	// Threshold is the CPU load, in cores, of everything but the bench
	// and the target's server, under which the machine counts as quiet;
	// 0 disables the wait.
	Threshold float64
	// MaxWait bounds the wait; the round then runs anyway (its "other
	// load" column shows it).
	MaxWait time.Duration
}

// quietSample is how long each look at the machine's load lasts.
const quietSample = 500 * time.Millisecond

// wait looks at the machine's load, for quietSample at a time, until the
// load of processes other than this one and pid is under the threshold,
// or MaxWait has passed, or ctx ends. It returns how long it waited
// beyond the first look and the last load seen.
func (q Quiet) wait(ctx context.Context, pid int) (waited time.Duration, load float64, err error) {
	if q.Threshold <= 0 {
		return 0, 0, nil
	}
	began := time.Now()
	for {
		load, err = otherLoad(ctx, pid, quietSample)
		if err != nil {
			return 0, 0, err
		}
		waited = time.Since(began) - quietSample
		if load < q.Threshold || waited >= q.MaxWait {
			return max(waited, 0), load, nil
		}
	}
}

// otherLoad measures, over d, the CPU load of the machine less this
// process's and pid's (when known).
func otherLoad(ctx context.Context, pid int, d time.Duration) (float64, error) {
	take := func() (busy, mine time.Duration, err error) {
		if busy, err = MachineBusy(); err != nil {
			return
		}
		if mine, err = ProcCPU(0); err != nil {
			return
		}
		if pid > 0 {
			srv, err := ProcCPU(pid)
			if err != nil {
				return 0, 0, err
			}
			mine += srv
		}
		return busy, mine, nil
	}
	b0, m0, err := take()
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	b1, m1, err := take()
	if err != nil {
		return 0, err
	}
	return max(0, (b1-b0)-(m1-m0)).Seconds() / time.Since(t0).Seconds(), nil
}
