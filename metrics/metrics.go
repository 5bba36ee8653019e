// Package metrics exposes the sockets of wsflow handlers as Prometheus
// series: a router.Observer that counts handshakes, open sockets,
// messages and bytes in and out, closes by code and socket lifetimes,
// per route.
//
// Use one Metrics for every handler of a server, and serve its registry:
//
//	reg := prometheus.NewRegistry()
//	m := metrics.New(reg)
//	mux.Handle("GET /echo", router.Accept(t, newFlow, router.WithObserver(m)))
//	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
//
// The series (route is the route's pattern as served, e.g. "GET /echo"):
//
//	wsflow_sockets_open{route}                        gauge
//	wsflow_handshakes_total{route,status}             counter; status 101 when accepted
//	wsflow_messages_total{route,direction}            counter; direction "in" or "out"
//	wsflow_message_bytes_total{route,direction}       counter; payload bytes
//	wsflow_closes_total{route,code}                   counter; 1006 for a dropped connection
//	                                                  (codes bucketed: see below)
//	wsflow_socket_duration_seconds{route}             histogram
//
// A close code is most often the peer's choice, and a label takes few
// values: 1000 to 1015 are their own value, 3000 to 3999 are "3xxx", 4000
// to 4999 "4xxx", anything else "other".
//
// Labels are bound once per route, when its first socket opens: a message
// costs two atomic additions, with no label lookup and no allocation.
//
// The package is apart from the router so that a program without metrics
// does not link client_golang.
package metrics

import (
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
)

// Metrics is a router.Observer that records Prometheus series. It is
// safe for concurrent use; make one with New.
type Metrics struct {
	open       *prometheus.GaugeVec
	handshakes *prometheus.CounterVec
	messages   *prometheus.CounterVec
	bytes      *prometheus.CounterVec
	closes     *prometheus.CounterVec
	duration   *prometheus.HistogramVec

	routes sync.Map // route pattern -> *route
}

// New returns Metrics whose series are registered with reg, together with
// the Go runtime's and the process's standard collectors (go_goroutines,
// process_resident_memory_bytes, ...) unless reg holds them already, as
// prometheus.DefaultRegisterer does. It panics if reg already holds
// series of the package's names, as prometheus.MustRegister does.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		open: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "wsflow_sockets_open", Help: "WebSocket connections open now.",
		}, []string{"route"}),
		handshakes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wsflow_handshakes_total", Help: "WebSocket handshakes answered, by HTTP status (101: accepted).",
		}, []string{"route", "status"}),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wsflow_messages_total", Help: "Data messages read (in) and written (out).",
		}, []string{"route", "direction"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wsflow_message_bytes_total", Help: "Payload bytes of data messages read (in) and written (out).",
		}, []string{"route", "direction"}),
		closes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wsflow_closes_total", Help: "Sockets closed, by close code (1006: dropped without a close handshake).",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "wsflow_socket_duration_seconds",
			Help:    "How long sockets were open.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 10), // 10 ms to about 44 min
		}, []string{"route"}),
	}
	reg.MustRegister(m.open, m.handshakes, m.messages, m.bytes, m.closes, m.duration)
	registerOnce(reg, collectors.NewGoCollector())
	registerOnce(reg, collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// registerOnce registers c with reg unless reg holds it already; any
// other failure panics, as MustRegister does.
func registerOnce(reg prometheus.Registerer, c prometheus.Collector) {
	var already prometheus.AlreadyRegisteredError
	if err := reg.Register(c); err != nil && !errors.As(err, &already) {
		panic(err)
	}
}

// Handshake counts a handshake answered on route with status.
func (m *Metrics) Handshake(route string, status int) {
	m.handshakes.WithLabelValues(route, strconv.Itoa(status)).Inc()
}

// Open counts a socket opened on route and returns the route's
// observer, with its series bound.
func (m *Metrics) Open(route string) router.SocketObserver {
	r := m.route(route)
	r.open.Inc()
	return r
}

// route returns the series of route, binding them on first use.
func (m *Metrics) route(name string) *route {
	if r, ok := m.routes.Load(name); ok {
		return r.(*route)
	}
	r := &route{
		m:        m,
		name:     name,
		open:     m.open.WithLabelValues(name),
		in:       m.messages.WithLabelValues(name, "in"),
		out:      m.messages.WithLabelValues(name, "out"),
		inBytes:  m.bytes.WithLabelValues(name, "in"),
		outBytes: m.bytes.WithLabelValues(name, "out"),
		duration: m.duration.WithLabelValues(name),
	}
	actual, _ := m.routes.LoadOrStore(name, r)
	return actual.(*route)
}

// route is the series of one route, bound once.
type route struct {
	m        *Metrics
	name     string
	open     prometheus.Gauge
	in, out  prometheus.Counter
	inBytes  prometheus.Counter
	outBytes prometheus.Counter
	duration prometheus.Observer
}

func (r *route) MessageIn(_ message.Kind, size int) {
	r.in.Inc()
	r.inBytes.Add(float64(size))
}

func (r *route) MessageOut(_ message.Kind, size int) {
	r.out.Inc()
	r.outBytes.Add(float64(size))
}

func (r *route) Closed(c message.Close, _ router.ClosedBy, lived time.Duration) {
	r.open.Dec()
	r.m.closes.WithLabelValues(r.name, codeLabel(c.Code)).Inc()
	r.duration.Observe(lived.Seconds())
}

// codeLabel returns the code label of a close with code: peers choose
// codes, and must not make series.
func codeLabel(code message.Code) string {
	switch {
	case code >= 1000 && code <= 1015:
		return strconv.Itoa(int(code))
	case code >= 3000 && code <= 3999:
		return "3xxx"
	case code >= 4000 && code <= 4999:
		return "4xxx"
	}
	return "other"
}
