package bench

import (
	"math"
	"slices"
	"time"
)

// Latency is a summary of round-trip times.
type Latency struct {
	P50, P90, P99, Max time.Duration
}

// summarize returns the percentiles of d, which it sorts in place. It
// returns the zero Latency when d is empty.
func summarize(d []time.Duration) Latency {
	if len(d) == 0 {
		return Latency{}
	}
	slices.Sort(d)
	return Latency{
		P50: Percentile(d, 50),
		P90: Percentile(d, 90),
		P99: Percentile(d, 99),
		Max: d[len(d)-1],
	}
}

// Percentile returns the p-th percentile (0 < p <= 100) of sorted by the
// nearest-rank method: the smallest value that at least p percent of the
// values are less than or equal to. sorted must be in ascending order and
// not empty.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// Median returns the median of xs (the mean of the two middle values for
// an even count), ignoring NaNs; NaN when there is no value.
func Median(xs []float64) float64 {
	v := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return math.NaN()
	}
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// Ratio returns x/base, or NaN when either is unknown or base is zero.
func Ratio(x, base float64) float64 {
	if math.IsNaN(x) || math.IsNaN(base) || base == 0 {
		return math.NaN()
	}
	return x / base
}
