package demo

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/wsflow/wsflow/metrics"
)

// newMetrics returns the series of every socket (package metrics), on a
// registry of the App's own, and the handler of GET /metrics that serves
// them in Prometheus's text format.
func newMetrics() (*metrics.Metrics, http.Handler) {
	reg := prometheus.NewRegistry()
	return metrics.New(reg), promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// metricsRoutes serves GET /metrics.
func (a *App) metricsRoutes(mux *http.ServeMux) {
	mux.Handle("GET /metrics", a.metrics)
}
