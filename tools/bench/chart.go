package bench

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// The chart's layout, in pixels.
const (
	chartWidth  = 760
	chartLabel  = 110 // the targets' names, left of the bars
	chartBars   = 360 // the longest bar
	chartRow    = 22
	chartTitle  = 40 // a panel's title and axis line
	chartMargin = 16
)

// chartFigure is the figure a mode's panel draws as bars: the server's
// CPU time per message (per delivery), or its memory per idle
// connection.
func chartFigure(m Mode) (name string, value func(Sample) float64) {
	switch m {
	case Idle:
		return "KiB per idle connection", Sample.KiBPerConn
	case Broadcast:
		return "server CPU µs per delivery", Sample.ServerMicrosPerMsg
	}
	return "server CPU µs per message", Sample.ServerMicrosPerMsg
}

// WriteChart writes results as an SVG chart: a panel per mode, with a bar
// per target for the mode's figure (see chartFigure; medians over the
// rounds, shorter is better) and, beside each bar, the figure, its ratio
// to baseline when baseline is among the targets, and the p50 and p99
// latencies where the mode has them (rtt, broadcast).
func WriteChart(w io.Writer, results []*Result, baseline string) error {
	height := chartMargin
	for _, r := range results {
		height += chartTitle + chartRow*len(r.Targets) + chartMargin
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		chartWidth, height, chartWidth, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	y := chartMargin
	for _, r := range results {
		y = chartPanel(&b, r, baseline, y)
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// chartPanel draws r's panel from y down and returns where the next
// begins.
func chartPanel(b *strings.Builder, r *Result, baseline string, y int) int {
	name, value := chartFigure(r.Mode)
	fmt.Fprintf(b, `<text x="%d" y="%d" font-weight="bold">%s</text>`+"\n", chartMargin, y+14, html.EscapeString(chartTitleOf(r)))
	fmt.Fprintf(b, `<text x="%d" y="%d" fill="#555">%s (median of %d rounds; shorter is better)</text>`+"\n", chartMargin, y+30, html.EscapeString(name), r.Rounds)
	y += chartTitle
	top := 0.0
	for _, t := range r.Targets {
		if v := r.Median(t, value); !math.IsNaN(v) {
			top = math.Max(top, v)
		}
	}
	base := math.NaN()
	for _, t := range r.Targets {
		if t == baseline {
			base = r.Median(t, value)
		}
	}
	for i, t := range r.Targets {
		v := r.Median(t, value)
		fill := "#8aa1b1"
		if t == "wsflow" {
			fill = "#2b7bb9"
		}
		width := 0.0
		if top > 0 && !math.IsNaN(v) {
			width = v / top * chartBars
		}
		ry := y + i*chartRow
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", chartMargin+chartLabel-6, ry+14, html.EscapeString(t))
		fmt.Fprintf(b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", chartMargin+chartLabel, ry+3, width, chartRow-6, fill)
		note := num(v, 2)
		if !math.IsNaN(base) && t != baseline {
			note += fmt.Sprintf(" (%sx)", num(Ratio(v, base), 2))
		}
		if r.Mode == RTT || r.Mode == Broadcast {
			note += fmt.Sprintf("   p50 %s µs, p99 %s µs",
				num(r.Median(t, func(s Sample) float64 { return float64(s.Latency.P50.Microseconds()) }), 0),
				num(r.Median(t, func(s Sample) float64 { return float64(s.Latency.P99.Microseconds()) }), 0))
		}
		fmt.Fprintf(b, `<text x="%.1f" y="%d">%s</text>`+"\n", float64(chartMargin+chartLabel)+width+6, ry+14, html.EscapeString(note))
	}
	return y + chartRow*len(r.Targets) + chartMargin
}

// chartTitleOf is a panel's title: the mode and its load, in brief.
func chartTitleOf(r *Result) string {
	switch r.Mode {
	case Stream:
		return fmt.Sprintf("stream: C=%d, W=%d, %d B", r.Load.Conns, r.Load.Window, r.Load.Size)
	case RTT:
		return fmt.Sprintf("rtt: C=%d, %d B", r.Load.Conns, r.Load.Size)
	case Broadcast:
		pace := "closed loop"
		if r.Load.Rate > 0 {
			pace = fmt.Sprintf("%g msgs/s per sender", r.Load.Rate)
		}
		return fmt.Sprintf("broadcast: %d members, %d senders, %s", r.Load.Members, r.Load.Senders, pace)
	case Idle:
		return fmt.Sprintf("idle: %d connections", r.Load.Idle)
	}
	return string(r.Mode)
}
