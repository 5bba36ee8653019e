package demo

import (
	"net/http"
	"time"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/transformer"
)

// tickRoutes serves the guide's disconnected flow that ticks: a sink for
// what the peer sends and a source of ticks, sharing nothing.
func (a *App) tickRoutes(mux *http.ServeMux) {
	// Flow.fromSinkAndSource(Sink.foreach(println), Source.tick(1.second, 1.second, "tick"))
	mux.Handle("GET /ticks", router.AcceptOrResult(transformer.String(), func(r *http.Request) (flow.Flow[string, string], error) {
		every, err := everyParam(r, time.Second)
		if err != nil {
			return flow.Flow[string, string]{}, err
		}
		return flow.Wrap(
			flow.ForEach(func(m string) { a.logger.Info("ticks: received", "message", m) }),
			flow.Tick(every, "tick")), nil
	}, a.opts...))
}
