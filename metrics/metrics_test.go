package metrics_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/metrics"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/transformer"
)

// scrape reads the server's /metrics with client_golang's text parser.
func scrape(t *testing.T, srv *wstest.Server) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(srv.HTTPURL("/metrics"))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Type"), "text/plain; version=0.0.4")
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	return families
}

// value returns the value of the sample of family with exactly labels.
func value(t *testing.T, families map[string]*dto.MetricFamily, family string, labels map[string]string) float64 {
	t.Helper()
	f := families[family]
	require.NotNil(t, f, "no family %s", family)
	for _, m := range f.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		if len(got) != len(labels) {
			continue
		}
		match := true
		for k, v := range labels {
			match = match && got[k] == v
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return 0
}

// samples returns every sample of family as "labels value".
func samples(families map[string]*dto.MetricFamily, family string) []string {
	var out []string
	for _, m := range families[family].GetMetric() {
		var ls []string
		for _, l := range m.GetLabel() {
			ls = append(ls, l.GetName()+"="+l.GetValue())
		}
		v := m.GetCounter().GetValue()
		if m.Gauge != nil {
			v = m.GetGauge().GetValue()
		}
		out = append(out, strings.Join(ls, ",")+" "+model.SampleValue(v).String())
	}
	return out
}

// After a scripted run, the series show exactly what happened: every
// handshake by status, every message and byte both ways, every close by
// code, the sockets open and their lifetimes.
func TestSeriesCountWhatHappened(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	g := router.NewGroup(2)
	opts := []router.Option{router.WithObserver(m), router.WithGroup(g), router.WithReadLimit(100), router.WithKeepAlive(0)}
	mux := http.NewServeMux()
	mux.Handle("GET /echo", router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]()
	}, opts...))
	mux.Handle("GET /json", router.Accept(transformer.JSON(), func(*http.Request) flow.Flow[json.RawMessage, json.RawMessage] {
		return flow.Identity[json.RawMessage]()
	}, opts...))
	mux.Handle("GET /fail", router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.MapErr(func(string) (string, error) { return "", errors.New("boom") })
	}, opts...))
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := wstest.Serve(t, mux)

	// Accepted and closed normally by the peer: 2 messages of 5 bytes each way.
	c := srv.Dial(t, "/echo")
	c.SendText("hello")
	c.ExpectText("hello")
	c.SendText("world")
	c.ExpectText("world")
	c.CloseWith(message.NormalClosure, "")
	// Refused: 426 (not an upgrade), 403 (foreign origin).
	resp, err := http.Get(srv.HTTPURL("/echo"))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusForbidden, srv.DialRefused(t, "/echo", wstest.WithHeader("Origin", "https://evil.example")).StatusCode)
	// 1003 (binary on a text socket), 1007 (not JSON), 1009 (too big), 1011.
	b := srv.Dial(t, "/echo")
	b.SendBinary([]byte{1, 2})
	b.ExpectCloseCode(message.UnsupportedData)
	j := srv.Dial(t, "/json")
	j.SendText("{not json")
	j.ExpectCloseCode(message.InvalidPayload)
	big := srv.Dial(t, "/echo")
	big.SendText(strings.Repeat("x", 101))
	big.ExpectCloseCode(message.MessageTooBig)
	f := srv.Dial(t, "/fail")
	f.SendText("x")
	f.ExpectClose(message.InternalError, "internal error")
	// Dropped abruptly, then 503 while two sockets hold the group's slots.
	d := srv.Dial(t, "/echo")
	d.CloseNow()
	require.Eventually(t, func() bool { return g.Len() == 0 }, wstest.DefaultTimeout, time.Millisecond)
	held1, held2 := srv.Dial(t, "/echo"), srv.Dial(t, "/echo")
	require.Equal(t, http.StatusServiceUnavailable, srv.DialRefused(t, "/echo").StatusCode)

	fams := scrape(t, srv)
	echo := map[string]string{"route": "GET /echo"}
	with := func(k, v string) map[string]string {
		l := map[string]string{k: v}
		for a, b := range echo {
			l[a] = b
		}
		return l
	}
	require.ElementsMatch(t, []string{
		"route=GET /echo,status=101 6",
		"route=GET /echo,status=403 1",
		"route=GET /echo,status=426 1",
		"route=GET /echo,status=503 1",
		"route=GET /fail,status=101 1",
		"route=GET /json,status=101 1",
	}, samples(fams, "wsflow_handshakes_total"))
	require.ElementsMatch(t, []string{
		"code=1000,route=GET /echo 1",
		"code=1003,route=GET /echo 1",
		"code=1006,route=GET /echo 1",
		"code=1009,route=GET /echo 1",
		"code=1007,route=GET /json 1",
		"code=1011,route=GET /fail 1",
	}, samples(fams, "wsflow_closes_total"))
	// In: hello, world, the binary frame (2 bytes); out: hello, world.
	require.Equal(t, 3.0, value(t, fams, "wsflow_messages_total", with("direction", "in")))
	require.Equal(t, 12.0, value(t, fams, "wsflow_message_bytes_total", with("direction", "in")))
	require.Equal(t, 2.0, value(t, fams, "wsflow_messages_total", with("direction", "out")))
	require.Equal(t, 10.0, value(t, fams, "wsflow_message_bytes_total", with("direction", "out")))
	require.Equal(t, 2.0, value(t, fams, "wsflow_sockets_open", echo))
	require.Equal(t, 4.0, value(t, fams, "wsflow_socket_duration_seconds", echo), "one observation per closed socket")
	require.NotNil(t, fams["go_goroutines"])
	require.NotNil(t, fams["process_resident_memory_bytes"])

	held1.Close()
	held2.Close()
	require.Eventually(t, func() bool { return g.Len() == 0 }, wstest.DefaultTimeout, time.Millisecond)
	require.Equal(t, 0.0, value(t, scrape(t, srv), "wsflow_sockets_open", echo))
}

// Close codes a peer chooses make no new series: 1000 to 1015 are their
// own value, 3000 to 3999 are 3xxx, 4000 to 4999 4xxx, anything else
// other.
func TestPeerCloseCodesAreBucketed(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	mux := http.NewServeMux()
	mux.Handle("GET /echo", router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]()
	}, router.WithObserver(m), router.WithKeepAlive(0)))
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := wstest.Serve(t, mux)
	var codes []message.Code
	for c := message.Code(3000); c < 5000; c += 37 {
		codes = append(codes, c)
	}
	codes = append(codes, 1000, 1001, 1003, 3999, 4000, 4999)
	threes, fours := 0, 0
	for _, code := range codes {
		c := srv.Dial(t, "/echo")
		c.SendText("x")
		c.ExpectText("x")
		c.CloseWith(code, "")
		switch {
		case code >= 4000:
			fours++
		case code >= 3000:
			threes++
		}
	}
	// A close code no peer can send, as a flow's own close error could.
	m.Open("GET /echo").Closed(message.Close{Code: 2000}, router.ClosedByServer, time.Second)
	m.Open("GET /echo").Closed(message.Close{Code: 1015}, router.ClosedByServer, time.Second)

	require.Eventually(t, func() bool {
		return value(t, scrape(t, srv), "wsflow_sockets_open", map[string]string{"route": "GET /echo"}) == 0
	}, wstest.DefaultTimeout, time.Millisecond)
	require.ElementsMatch(t, []string{
		"code=1000,route=GET /echo 1",
		"code=1001,route=GET /echo 1",
		"code=1003,route=GET /echo 1",
		"code=1015,route=GET /echo 1",
		"code=3xxx,route=GET /echo " + strconv.Itoa(threes),
		"code=4xxx,route=GET /echo " + strconv.Itoa(fours),
		"code=other,route=GET /echo 1",
	}, samples(scrape(t, srv), "wsflow_closes_total"))
}

// The most common setup registers with the default registry, which holds
// the Go runtime's and the process's collectors already: New keeps them
// and registers its own series. The test builds a registry as the default
// one is built (prometheus.DefaultRegisterer itself would keep the series
// for the rest of the process, and a second run would find them there).
func TestNewOnDefaultRegisterer(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	var m *metrics.Metrics
	require.NotPanics(t, func() { m = metrics.New(reg) })
	m.Handshake("GET /echo", http.StatusSwitchingProtocols)
	families, err := reg.Gather()
	require.NoError(t, err)
	names := map[string]bool{}
	for _, f := range families {
		names[f.GetName()] = true
	}
	require.True(t, names["go_goroutines"], "the Go runtime's series")
	require.True(t, names["process_start_time_seconds"], "the process's series")
	require.True(t, names["wsflow_handshakes_total"], "the package's series")

	// Series of the same names registered twice are still a programmer's
	// error.
	require.Panics(t, func() { metrics.New(reg) })
}
