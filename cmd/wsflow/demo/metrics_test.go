package demo

import (
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router/wstest"
)

// scrapeMetrics reads GET /metrics with client_golang's text parser.
func scrapeMetrics(t *testing.T, d *testDemo) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := httpClient.Get(d.httpURL("/metrics"))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Type"), "text/plain; version=0.0.4")
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	return fams
}

// series lists the samples of a family as "label=value,... value",
// sorted; a histogram's value is its count.
func series(fams map[string]*dto.MetricFamily, name string) []string {
	var out []string
	for _, m := range fams[name].GetMetric() {
		var ls []string
		for _, l := range m.GetLabel() {
			ls = append(ls, l.GetName()+"="+l.GetValue())
		}
		var v float64
		switch {
		case m.Counter != nil:
			v = m.GetCounter().GetValue()
		case m.Gauge != nil:
			v = m.GetGauge().GetValue()
		case m.Histogram != nil:
			v = float64(m.GetHistogram().GetSampleCount())
		}
		out = append(out, strings.Join(ls, ",")+" "+model.SampleValue(v).String())
	}
	sort.Strings(out)
	return out
}

// After a scripted run against the demo, /metrics shows exactly the
// handshakes, messages, bytes and closes that happened. A route's series
// exist, at 0, from its first socket on. The oversize message is not
// counted in: it was never read whole.
func TestMetricsCountWhatHappened(t *testing.T) {
	d := startDemo(t, "-max-message", "100", "-max-conns", "2", "-keepalive", "0")
	// The server logs a socket's closing line once its -max-conns place
	// is free: after waitClosed, the held sockets below are admitted.
	waitClosed := func(n int) {
		t.Helper()
		require.Eventually(t, func() bool {
			return strings.Count(d.logs.String(), "websocket closed") == n
		}, testTimeout, time.Millisecond)
	}

	c := wstest.Dial(t, d.wsURL("/echo")) // 2 messages each way, 5 bytes each
	echoes(t, c, []string{"hello", "world"}, func(m string) string { return m })
	c.Close()
	waitClosed(1)
	resp, _ := get(t, d.httpURL("/echo"), nil)
	require.Equal(t, http.StatusUpgradeRequired, resp.StatusCode)
	status, _ := refused(t, d.wsURL("/echo"), wstest.WithHeader("Origin", "https://evil.example"))
	require.Equal(t, http.StatusForbidden, status)

	b := wstest.Dial(t, d.wsURL("/bytes"))
	b.SendText("t") // 1003
	b.ExpectCloseCode(message.UnsupportedData)
	j := wstest.Dial(t, d.wsURL("/json"))
	j.SendText("{no") // 1007
	j.ExpectCloseCode(message.InvalidPayload)
	big := wstest.Dial(t, d.wsURL("/echo"))
	big.SendText(strings.Repeat("x", 101)) // 1009
	big.ExpectCloseCode(message.MessageTooBig)
	f := wstest.Dial(t, d.wsURL("/fail"))
	f.SendText("x") // 1011
	f.ExpectCloseCode(message.InternalError)
	dropped := wstest.Dial(t, d.wsURL("/echo"))
	dropped.CloseNow() // 1006
	waitClosed(6)
	held1, held2 := wstest.Dial(t, d.wsURL("/echo")), wstest.Dial(t, d.wsURL("/echo"))
	status, _ = refused(t, d.wsURL("/echo")) // -max-conns 2
	require.Equal(t, http.StatusServiceUnavailable, status)

	fams := scrapeMetrics(t, d)
	require.Equal(t, []string{
		"route=GET /bytes,status=101 1",
		"route=GET /echo,status=101 5",
		"route=GET /echo,status=403 1",
		"route=GET /echo,status=426 1",
		"route=GET /echo,status=503 1",
		"route=GET /fail,status=101 1",
		"route=GET /json,status=101 1",
	}, series(fams, "wsflow_handshakes_total"))
	require.Equal(t, []string{
		"code=1000,route=GET /echo 1",
		"code=1003,route=GET /bytes 1",
		"code=1006,route=GET /echo 1",
		"code=1007,route=GET /json 1",
		"code=1009,route=GET /echo 1",
		"code=1011,route=GET /fail 1",
	}, series(fams, "wsflow_closes_total"))
	require.Equal(t, []string{
		"direction=in,route=GET /bytes 1",
		"direction=in,route=GET /echo 2",
		"direction=in,route=GET /fail 1",
		"direction=in,route=GET /json 1",
		"direction=out,route=GET /bytes 0",
		"direction=out,route=GET /echo 2",
		"direction=out,route=GET /fail 0",
		"direction=out,route=GET /json 0",
	}, series(fams, "wsflow_messages_total"))
	require.Equal(t, []string{
		"direction=in,route=GET /bytes 1",
		"direction=in,route=GET /echo 10",
		"direction=in,route=GET /fail 1",
		"direction=in,route=GET /json 3",
		"direction=out,route=GET /bytes 0",
		"direction=out,route=GET /echo 10",
		"direction=out,route=GET /fail 0",
		"direction=out,route=GET /json 0",
	}, series(fams, "wsflow_message_bytes_total"))
	require.Equal(t, []string{
		"route=GET /bytes 0",
		"route=GET /echo 2",
		"route=GET /fail 0",
		"route=GET /json 0",
	}, series(fams, "wsflow_sockets_open"))
	require.Equal(t, []string{
		"route=GET /bytes 1",
		"route=GET /echo 3",
		"route=GET /fail 1",
		"route=GET /json 1",
	}, series(fams, "wsflow_socket_duration_seconds"))
	require.NotEmpty(t, series(fams, "go_goroutines"))
	require.NotEmpty(t, series(fams, "process_resident_memory_bytes"))
	held1.CloseNow()
	held2.CloseNow()
}
