package bench

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// brief is a sample's progress line.
func (s Sample) brief(mode Mode) string {
	switch mode {
	case Stream:
		return fmt.Sprintf("%9.0f msg/s %7.1f MB/s  server %s µs/msg (load %s) %s writes/msg  client %s µs/msg (load %.2f)  other load %s",
			s.MsgsPerSec(), s.MBPerSec(), num(s.ServerMicrosPerMsg(), 2), num(s.ServerLoad(), 2), num(s.ServerWritesPerMsg(), 2),
			num(s.ClientMicrosPerMsg(), 2), s.ClientLoad(), num(s.OtherLoad(), 2))
	case RTT:
		return fmt.Sprintf("%9.0f msg/s  p50 %s p90 %s p99 %s max %s µs  server %s µs/msg %s writes/msg  client %s µs/msg  other load %s",
			s.MsgsPerSec(), us(s.Latency.P50), us(s.Latency.P90), us(s.Latency.P99), us(s.Latency.Max),
			num(s.ServerMicrosPerMsg(), 2), num(s.ServerWritesPerMsg(), 2), num(s.ClientMicrosPerMsg(), 2), num(s.OtherLoad(), 2))
	case Broadcast:
		return fmt.Sprintf("%9.0f deliveries/s (%.0f msg/s sent)  p50 %s p99 %s max %s µs  server %s µs/delivery (load %s) %s writes/delivery  client %s µs/delivery  other load %s",
			s.MsgsPerSec(), s.SentPerSec(), us(s.Latency.P50), us(s.Latency.P99), us(s.Latency.Max),
			num(s.ServerMicrosPerMsg(), 2), num(s.ServerLoad(), 2), num(s.ServerWritesPerMsg(), 2),
			num(s.ClientMicrosPerMsg(), 2), num(s.OtherLoad(), 2))
	case Idle:
		return fmt.Sprintf("%s KiB/conn  RSS %s -> %s MiB with %d connections%s",
			num(s.KiBPerConn(), 2), mib(s.RSSBefore), mib(s.RSSAfter), s.Conns, unsettled(s.Settled))
	}
	return ""
}

func unsettled(settled bool) string {
	if settled {
		return ""
	}
	return "  (RSS did not settle)"
}

// column is one figure of a table: its heading, how to read it from a
// sample, its decimals, and whether it gets a ratio column and a range
// column.
type column struct {
	head     string
	value    func(Sample) float64
	decimals int
	ratio    bool
	spread   bool
}

func latencyCol(head string, p func(Latency) time.Duration, ratio, spread bool) column {
	return column{head, func(s Sample) float64 { return float64(p(s.Latency).Nanoseconds()) / 1e3 }, 0, ratio, spread}
}

var columns = map[Mode][]column{
	Stream: {
		{"msgs/s", Sample.MsgsPerSec, 0, true, false},
		{"MB/s", Sample.MBPerSec, 1, false, false},
		{"server µs/msg", Sample.ServerMicrosPerMsg, 2, true, true},
		{"server writes/msg", Sample.ServerWritesPerMsg, 2, false, false},
		{"server load", Sample.ServerLoad, 2, false, false},
		{"client µs/msg", Sample.ClientMicrosPerMsg, 2, false, false},
		{"client load", Sample.ClientLoad, 2, false, false},
		{"other load", Sample.OtherLoad, 2, false, false},
	},
	RTT: {
		{"msgs/s", Sample.MsgsPerSec, 0, false, false},
		latencyCol("p50 µs", func(l Latency) time.Duration { return l.P50 }, false, false),
		latencyCol("p90 µs", func(l Latency) time.Duration { return l.P90 }, false, false),
		latencyCol("p99 µs", func(l Latency) time.Duration { return l.P99 }, true, true),
		latencyCol("max µs", func(l Latency) time.Duration { return l.Max }, false, false),
		{"server µs/msg", Sample.ServerMicrosPerMsg, 2, true, false},
		{"server writes/msg", Sample.ServerWritesPerMsg, 2, false, false},
		{"client µs/msg", Sample.ClientMicrosPerMsg, 2, false, false},
		{"other load", Sample.OtherLoad, 2, false, false},
	},
	Broadcast: {
		{"deliveries/s", Sample.MsgsPerSec, 0, true, false},
		{"sent msgs/s", Sample.SentPerSec, 0, false, false},
		{"server µs/delivery", Sample.ServerMicrosPerMsg, 2, true, true},
		{"server writes/delivery", Sample.ServerWritesPerMsg, 2, false, false},
		{"server load", Sample.ServerLoad, 2, false, false},
		latencyCol("p50 µs", func(l Latency) time.Duration { return l.P50 }, false, false),
		latencyCol("p99 µs", func(l Latency) time.Duration { return l.P99 }, true, false),
		latencyCol("max µs", func(l Latency) time.Duration { return l.Max }, false, false),
		{"client µs/delivery", Sample.ClientMicrosPerMsg, 2, false, false},
		{"other load", Sample.OtherLoad, 2, false, false},
	},
	Idle: {
		{"KiB/conn", Sample.KiBPerConn, 2, true, true},
		{"RSS before MiB", func(s Sample) float64 { return mibf(s.RSSBefore) }, 1, false, false},
		{"RSS after MiB", func(s Sample) float64 { return mibf(s.RSSAfter) }, 1, false, false},
	},
}

// Title describes the result's traffic and method in one line.
func (r *Result) Title() string {
	kind := "text"
	if r.Load.Binary {
		kind = "binary"
	}
	var what string
	switch r.Mode {
	case Stream:
		what = fmt.Sprintf("%d connections x %d in flight, %d B %s messages, %v measured after %v warm-up",
			r.Load.Conns, r.Load.Window, r.Load.Size, kind, r.Load.Duration, r.Load.Warmup)
	case RTT:
		what = fmt.Sprintf("%d connections, sequential request/response, %d B %s messages, %v measured after %v warm-up",
			r.Load.Conns, r.Load.Size, kind, r.Load.Duration, r.Load.Warmup)
	case Broadcast:
		pace := fmt.Sprintf("closed loop (%d in flight per sender: its next message once every member has the one %d before)", r.Load.Window, r.Load.Window)
		if r.Load.Rate > 0 {
			pace = fmt.Sprintf("%g msgs/s per sender", r.Load.Rate)
		}
		what = fmt.Sprintf("%d members in one room, %d of them sending, %s, %d B text messages, %v measured after %v warm-up",
			r.Load.Members, r.Load.Senders, pace, r.Load.Size, r.Load.Duration, r.Load.Warmup)
	case Idle:
		what = fmt.Sprintf("%d idle connections, server VmRSS after settling", r.Load.Idle)
	}
	return fmt.Sprintf("%s: %s; medians of %d interleaved rounds", r.Mode, what, r.Rounds)
}

// Median returns the median over the rounds of a figure of target's
// samples.
func (r *Result) Median(target string, value func(Sample) float64) float64 {
	var xs []float64
	for _, s := range r.Samples[target] {
		xs = append(xs, value(s))
	}
	return Median(xs)
}

// Write prints the result as a table: the median of each figure per
// target, with ratios to baseline ("x base") for the figures that have
// them and the range over the rounds for the mode's primary figure.
// With no baseline among the targets, ratios are left out.
func (r *Result) Write(w io.Writer, baseline string) error {
	cols := columns[r.Mode]
	hasBase := slices.Contains(r.Targets, baseline)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, r.Title())
	if hasBase {
		fmt.Fprintf(w, "ratios (x) are to %s\n", baseline)
	}
	head := []string{"target"}
	for _, c := range cols {
		head = append(head, c.head)
		if c.ratio && hasBase {
			head = append(head, "x")
		}
		if c.spread {
			head = append(head, "range")
		}
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, t := range r.Targets {
		row := []string{t}
		for _, c := range cols {
			m := r.Median(t, c.value)
			row = append(row, num(m, c.decimals))
			if c.ratio && hasBase {
				row = append(row, num(Ratio(m, r.Median(baseline, c.value)), 2))
			}
			if c.spread {
				lo, hi := r.spread(t, c.value)
				row = append(row, num(lo, c.decimals)+"-"+num(hi, c.decimals))
			}
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if busiest := r.busiest(); busiest > busyWarning {
		_, err := fmt.Fprintf(w, "note: other work kept up to %.2f cores busy during measured windows (other load): these figures are noisy; rerun on a quiet machine\n", busiest)
		return err
	}
	return nil
}

// busyWarning is the other load above which Write warns that the
// machine was not quiet.
const busyWarning = 0.25

// busiest returns the largest other load of any sample; NaN if none is
// known.
func (r *Result) busiest() float64 {
	m := math.NaN()
	for _, ss := range r.Samples {
		for _, s := range ss {
			if v := s.OtherLoad(); !math.IsNaN(v) && (math.IsNaN(m) || v > m) {
				m = v
			}
		}
	}
	return m
}

// spread returns the smallest and largest value of a figure over the
// rounds.
func (r *Result) spread(target string, value func(Sample) float64) (lo, hi float64) {
	lo, hi = math.NaN(), math.NaN()
	for _, s := range r.Samples[target] {
		v := value(s)
		if math.IsNaN(v) {
			continue
		}
		if math.IsNaN(lo) || v < lo {
			lo = v
		}
		if math.IsNaN(hi) || v > hi {
			hi = v
		}
	}
	return lo, hi
}

// num formats x with the given decimals, "-" for NaN.
func num(x float64, decimals int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "-"
	}
	return fmt.Sprintf("%.*f", decimals, x)
}

func us(d time.Duration) string { return fmt.Sprintf("%.0f", float64(d.Nanoseconds())/1e3) }

func mibf(b int64) float64 {
	if b < 0 {
		return math.NaN()
	}
	return float64(b) / (1 << 20)
}

func mib(b int64) string { return num(mibf(b), 1) }
