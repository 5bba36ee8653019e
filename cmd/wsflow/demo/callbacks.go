package demo

import (
	"net/http"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/transformer"
)

// callbackRoutes serves the callback API of Play's Java guide.
func (a *App) callbackRoutes(mux *http.ServeMux) {
	// new WebSocket<String>() { public void onReady(WebSocket.In<String> in, WebSocket.Out<String> out) { ... } }
	mux.Handle("GET /callbacks", router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Callbacks(func(in *flow.Inbound[string], out *flow.Outbound[string]) {
			// For each event received on the socket,
			in.OnMessage(func(m string) {
				if m == "bye" {
					out.Close(message.NormalClosure, "")
					return
				}
				out.Write("got: " + m)
			})
			// When the socket is closed.
			in.OnClose(func() { a.logger.Info("Disconnected") })
			// Send a single 'Hello!' message
			out.Write("Hello!")
		})
	}, a.opts...))
}
