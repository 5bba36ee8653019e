package bench

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Runner measures targets in one or more modes, interleaved.
type Runner struct {
	Exe      string        // the wsflow binary, for spawned targets
	Targets  []*Target     // in the order of each round
	Modes    []Mode        // measured one after the other
	Loads    map[Mode]Load // the traffic of each mode
	Rounds   int           // rounds per mode
	Quiet    Quiet         // waiting for a quiet machine before rtt, stream and broadcast rounds
	Progress io.Writer     // one line per round and target; nil: none
}

// Result is what a Runner measured in one mode.
type Result struct {
	Mode    Mode
	Load    Load
	Rounds  int
	Targets []string            // in the order measured
	Samples map[string][]Sample // by target, one per round
}

// Run measures every mode in turn: for each round it measures every
// target once, in order (A B C A B C ...). A spawned target is started
// when first needed and stopped at the end, whatever happens; for idle
// rounds it is restarted fresh for each round, so that its memory before
// connecting holds nothing from earlier rounds. Any error (a mismatch, a
// connection failing, a server exiting, ctx ending) ends the run; so
// does, before anything runs, a target that cannot run one of the modes
// (see Target.Supports).
func (r *Runner) Run(ctx context.Context) ([]*Result, error) {
	for _, mode := range r.Modes {
		for _, t := range r.Targets {
			if err := t.Supports(mode); err != nil {
				return nil, err
			}
		}
	}
	defer func() {
		for _, t := range r.Targets {
			t.stop()
		}
	}()
	var results []*Result
	for _, mode := range r.Modes {
		res, err := r.runMode(ctx, mode)
		if err != nil {
			return results, err
		}
		results = append(results, res)
	}
	return results, nil
}

func (r *Runner) runMode(ctx context.Context, mode Mode) (*Result, error) {
	load := r.Loads[mode]
	res := &Result{Mode: mode, Load: load, Rounds: r.Rounds, Samples: make(map[string][]Sample)}
	for _, t := range r.Targets {
		res.Targets = append(res.Targets, t.Name)
	}
	for round := 1; round <= r.Rounds; round++ {
		for _, t := range r.Targets {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			s, err := r.measure(ctx, t, mode, load)
			if err == nil {
				err = t.alive()
			}
			if err != nil {
				return nil, fmt.Errorf("%s round %d, target %s: %w", mode, round, t, err)
			}
			s.Target, s.Round = t.Name, round
			res.Samples[t.Name] = append(res.Samples[t.Name], s)
			if r.Progress != nil {
				fmt.Fprintf(r.Progress, "%s round %d/%d %-10s %s\n", mode, round, r.Rounds, t.Name, s.brief(mode))
			}
		}
	}
	return res, nil
}

// measure runs one round of mode on t, (re)starting t first if it is
// spawned and must be.
func (r *Runner) measure(ctx context.Context, t *Target, mode Mode, l Load) (Sample, error) {
	if t.spawn != nil && (t.proc == nil || mode == Idle) {
		if err := t.start(ctx, r.Exe); err != nil {
			return Sample{}, err
		}
	}
	if mode != Idle {
		waited, load, err := r.Quiet.wait(ctx, t.PID)
		if err != nil {
			return Sample{}, err
		}
		if waited >= quietSample && r.Progress != nil {
			fmt.Fprintf(r.Progress, "(waited %v for other work to settle; other load %.2f)\n", waited.Round(100*time.Millisecond), load)
		}
	}
	switch mode {
	case RTT:
		return MeasureRTT(ctx, t.URL, t.PID, l)
	case Stream:
		return MeasureStream(ctx, t.URL, t.PID, l)
	case Broadcast:
		return MeasureBroadcast(ctx, t.RoomURL, t.PID, l)
	case Idle:
		s, err := MeasureIdle(ctx, t.URL, t.PID, l)
		if err == nil {
			err = t.alive()
		}
		if t.spawn != nil {
			t.stop() // one idle server at a time: each round starts fresh
		}
		return s, err
	}
	return Sample{}, fmt.Errorf("unknown mode %q", mode)
}
