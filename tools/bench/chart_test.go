package bench

import (
	"bytes"
	"encoding/xml"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestWriteChart(t *testing.T) {
	rtt := &Result{Mode: RTT, Load: Load{Conns: 50, Size: 64}, Rounds: 1, Targets: []string{"wsflow", "gorilla"}, Samples: map[string][]Sample{
		"wsflow":  {{Msgs: 100, ServerCPU: 1000 * time.Microsecond, Latency: Latency{P50: 700 * time.Microsecond, P99: 5 * time.Millisecond}}},
		"gorilla": {{Msgs: 100, ServerCPU: 2000 * time.Microsecond, Latency: Latency{P50: 800 * time.Microsecond, P99: 6 * time.Millisecond}}},
	}}
	idle := &Result{Mode: Idle, Load: Load{Idle: 10}, Rounds: 1, Targets: []string{"wsflow", "gorilla"}, Samples: map[string][]Sample{
		"wsflow":  {{Conns: 10, RSSBefore: 0, RSSAfter: 20 << 10}},
		"gorilla": {{Conns: 10, RSSBefore: 0, RSSAfter: 160 << 10}},
	}}
	var b bytes.Buffer
	require.NoError(t, WriteChart(&b, []*Result{rtt, idle}, "gorilla"))

	// Well-formed XML, with one bar per target and mode, each as long as
	// its figure is against the longest.
	var widths []string
	d := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
			for _, a := range se.Attr {
				if a.Name.Local == "width" && a.Value != "100%" {
					widths = append(widths, a.Value)
				}
			}
		}
	}
	require.Equal(t, []string{"180.0", "360.0", "45.0", "360.0"}, widths)
	out := b.String()
	require.Contains(t, out, "10.00 (0.50x)   p50 700 µs, p99 5000 µs")
	require.Contains(t, out, "2.00 (0.12x)")
	require.Contains(t, out, "idle: 10 connections")
}

func TestSourceClient(t *testing.T) {
	c, err := sourceClient(connsPerSource - 1)
	require.NoError(t, err)
	require.Same(t, dialClient, c, "the first connections come from the default address")
	c2, err := sourceClient(connsPerSource)
	require.NoError(t, err)
	require.NotSame(t, dialClient, c2)
	c3, err := sourceClient(2*connsPerSource - 1)
	require.NoError(t, err)
	require.Same(t, c2, c3, "one client per source address")
	_, err = sourceClient(254 * connsPerSource)
	require.Error(t, err)
}
