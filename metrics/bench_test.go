package metrics_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/metrics"
)

// BenchmarkObserveMessage is what metrics add to one echoed message: the
// socket's MessageIn and MessageOut, with the route looked up once, when
// the socket opened, as the router does.
func BenchmarkObserveMessage(b *testing.B) {
	socket := metrics.New(prometheus.NewRegistry()).Open("GET /echo")
	b.ReportAllocs()
	for b.Loop() {
		socket.MessageIn(message.KindText, 1024)
		socket.MessageOut(message.KindText, 1024)
	}
}
