package demo

import (
	"encoding/json"
	"net/http"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/transformer"
)

// echoRoutes serves the guide's connected flows, one answer per message,
// over each kind of message transformer.
func (a *App) echoRoutes(mux *http.ServeMux) {
	// WebSocket.accept[String, String] { request => Flow[String] }
	mux.Handle(string(echoRoute), router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]()
	}, a.opts...))

	// Flow[String].map("Hello, " + _)
	mux.Handle("GET /hello", router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Map(func(m string) string { return "Hello, " + m })
	}, a.opts...))

	// WebSocket.accept[ByteString, ByteString] { request => Flow[ByteString] }
	mux.Handle("GET /bytes", router.Accept(transformer.Bytes(), func(*http.Request) flow.Flow[[]byte, []byte] {
		return flow.Identity[[]byte]()
	}, a.opts...))

	// WebSocket.accept[JsValue, JsValue] { request => Flow[JsValue] }
	mux.Handle("GET /json", router.Accept(transformer.JSON(), func(*http.Request) flow.Flow[json.RawMessage, json.RawMessage] {
		return flow.Identity[json.RawMessage]()
	}, a.opts...))

	// WebSocket.accept[Message, Message] { request => Flow[Message] }
	mux.Handle("GET /raw", router.Accept(transformer.Raw(), func(*http.Request) flow.Flow[message.Message, message.Message] {
		return flow.Identity[message.Message]()
	}, a.opts...))
}

// modelRoutes serves the typed JSON socket of the guide's model transformer.
func (a *App) modelRoutes(mux *http.ServeMux) {
	// WebSocket.accept[InEvent, OutEvent] { request => Flow[InEvent].map(...) }
	mux.Handle("GET /model", router.Accept(transformer.Model[CalcRequest, CalcResponse](), func(*http.Request) flow.Flow[CalcRequest, CalcResponse] {
		return flow.Map(calculate)
	}, a.opts...))
}
