package bench

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestPercentileNearestRank(t *testing.T) {
	d := make([]time.Duration, 100)
	for i := range d {
		d[i] = time.Duration(i+1) * time.Microsecond // 1..100 µs
	}
	assert.Equal(t, 50*time.Microsecond, Percentile(d, 50))
	assert.Equal(t, 90*time.Microsecond, Percentile(d, 90))
	assert.Equal(t, 99*time.Microsecond, Percentile(d, 99))
	assert.Equal(t, 100*time.Microsecond, Percentile(d, 100))
	assert.Equal(t, 1*time.Microsecond, Percentile(d, 0.001))

	three := []time.Duration{10, 20, 30}
	assert.Equal(t, time.Duration(20), Percentile(three, 50)) // rank ceil(1.5) = 2
	assert.Equal(t, time.Duration(30), Percentile(three, 90)) // rank ceil(2.7) = 3
	assert.Equal(t, time.Duration(10), Percentile([]time.Duration{10}, 99))
}

func TestSummarizeSortsAndFindsMax(t *testing.T) {
	d := []time.Duration{5, 1, 4, 2, 3, 9, 8, 7, 6, 10}
	l := summarize(d)
	assert.Equal(t, Latency{P50: 5, P90: 9, P99: 10, Max: 10}, l)
	assert.Equal(t, Latency{}, summarize(nil))
}

func TestMedian(t *testing.T) {
	assert.Equal(t, 3.0, Median([]float64{5, 1, 3}))
	assert.Equal(t, 2.5, Median([]float64{4, 1, 2, 3}))
	assert.Equal(t, 2.0, Median([]float64{math.NaN(), 2, math.NaN()}))
	assert.True(t, math.IsNaN(Median(nil)))
	assert.True(t, math.IsNaN(Median([]float64{math.NaN()})))
}

func TestRatio(t *testing.T) {
	assert.Equal(t, 1.5, Ratio(3, 2))
	assert.True(t, math.IsNaN(Ratio(3, 0)))
	assert.True(t, math.IsNaN(Ratio(math.NaN(), 2)))
	assert.True(t, math.IsNaN(Ratio(2, math.NaN())))
}

func TestSampleFigures(t *testing.T) {
	s := Sample{Window: 2 * time.Second, Msgs: 1000, Bytes: 1024000, ServerCPU: 7 * time.Millisecond, ClientCPU: 10 * time.Millisecond, OtherCPU: time.Second, ServerWrites: 250}
	assert.Equal(t, 500.0, s.MsgsPerSec())
	assert.InDelta(t, 0.512, s.MBPerSec(), 1e-9)
	assert.InDelta(t, 7.0, s.ServerMicrosPerMsg(), 1e-9)
	assert.InDelta(t, 10.0, s.ClientMicrosPerMsg(), 1e-9)
	assert.InDelta(t, 0.0035, s.ServerLoad(), 1e-9)
	assert.InDelta(t, 0.5, s.OtherLoad(), 1e-9)
	assert.InDelta(t, 0.25, s.ServerWritesPerMsg(), 1e-9)

	unknown := Sample{Window: time.Second, Msgs: 10, ServerCPU: -1, OtherCPU: -1, ServerWrites: -1}
	assert.True(t, math.IsNaN(unknown.ServerWritesPerMsg()))
	assert.True(t, math.IsNaN(unknown.ServerMicrosPerMsg()))
	assert.True(t, math.IsNaN(unknown.ServerLoad()))
	assert.True(t, math.IsNaN(unknown.OtherLoad()))

	idle := Sample{Conns: 1000, RSSBefore: 10 << 20, RSSAfter: 10<<20 + 20<<20}
	assert.InDelta(t, 20.48, idle.KiBPerConn(), 1e-9)
	assert.True(t, math.IsNaN(Sample{Conns: 10, RSSBefore: -1, RSSAfter: 5}.KiBPerConn()))
}
