package main

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/transformer"
)

// demo is the demo application: what its routes share.
type demo struct {
	opts     []router.Option // every socket's options: limits, origins, logger, group
	sessions *sessions       // the session cookies of /login and /secure
}

// echoRoute is the route the index page connects to, by reverse routing.
const echoRoute router.Route = "GET /echo"

// routes returns the demo's handler: the routes of shared/CONTRACT.md,
// one function per group, each route written as Play's guide writes it.
func (d *demo) routes() http.Handler {
	mux := http.NewServeMux()
	d.pageRoutes(mux)
	d.echoRoutes(mux)
	d.modelRoutes(mux)
	d.disconnectedRoutes(mux)
	d.sessionRoutes(mux)
	return mux
}

// echoRoutes serves the guide's connected flows, one answer per message,
// over each kind of message transformer.
func (d *demo) echoRoutes(mux *http.ServeMux) {
	// WebSocket.accept[String, String] { request => Flow[String] }
	mux.Handle(string(echoRoute), router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]()
	}, d.opts...))

	// Flow[String].map("Hello, " + _)
	mux.Handle("GET /hello", router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Map(func(m string) string { return "Hello, " + m })
	}, d.opts...))

	// WebSocket.accept[ByteString, ByteString] { request => Flow[ByteString] }
	mux.Handle("GET /bytes", router.Accept(transformer.Bytes(), func(*http.Request) flow.Flow[[]byte, []byte] {
		return flow.Identity[[]byte]()
	}, d.opts...))

	// WebSocket.accept[JsValue, JsValue] { request => Flow[JsValue] }
	mux.Handle("GET /json", router.Accept(transformer.JSON(), func(*http.Request) flow.Flow[json.RawMessage, json.RawMessage] {
		return flow.Identity[json.RawMessage]()
	}, d.opts...))

	// WebSocket.accept[Message, Message] { request => Flow[Message] }
	mux.Handle("GET /raw", router.Accept(transformer.Raw(), func(*http.Request) flow.Flow[message.Message, message.Message] {
		return flow.Identity[message.Message]()
	}, d.opts...))
}

// modelRoutes serves the typed JSON socket of the guide's model transformer.
func (d *demo) modelRoutes(mux *http.ServeMux) {
	// WebSocket.accept[InEvent, OutEvent] { request => Flow[InEvent].map(...) }
	mux.Handle("GET /model", router.Accept(transformer.Model[CalcRequest, CalcResponse](), func(*http.Request) flow.Flow[CalcRequest, CalcResponse] {
		return flow.Map(calculate)
	}, d.opts...))
}

// errFail is the failure of /fail: its text is for the log only.
var errFail = errors.New("the /fail route fails on its first message: secret-detail")

// disconnectedRoutes serves sockets whose output does not answer their
// input, and the ways a socket ends.
func (d *demo) disconnectedRoutes(mux *http.ServeMux) {
	// Play 2.0: (Iteratee.consume, Enumerator("Hello!") >>> Enumerator.eof)
	mux.Handle("GET /hello-once", router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Wrap(flow.Ignore[string](), flow.Just("Hello!"))
	}, d.opts...))

	// Closing a WebSocket with a custom close code, refused before the
	// upgrade when the code or reason cannot be sent.
	mux.Handle("GET /close", router.AcceptOrResult(transformer.String(), func(r *http.Request) (flow.Flow[string, string], error) {
		c, err := closeParams(r)
		if err != nil {
			return flow.Flow[string, string]{}, err
		}
		return flow.Wrap(flow.Ignore[string](), flow.Failed[string](message.NewCloseError(c.Code, c.Reason))), nil
	}, d.opts...))

	// A flow that fails with an ordinary error: the peer sees 1011.
	mux.Handle("GET /fail", router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.MapErr(func(string) (string, error) { return "", errFail })
	}, d.opts...))
}

// sessionRoutes serves the guide's "Rejecting a WebSocket": /login sets a
// session and /secure accepts only a request that carries one.
func (d *demo) sessionRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /login", d.login)

	// WebSocket.acceptOrResult { request => session user or Forbidden }
	mux.Handle("GET /secure", router.AcceptOrResult(transformer.String(), func(r *http.Request) (flow.Flow[string, string], error) {
		user, ok := d.sessions.user(r)
		if !ok {
			return flow.Flow[string, string]{}, router.Reject(http.StatusForbidden, "403 forbidden: no valid session")
		}
		return flow.Prepend(flow.Just("Hello, "+user), flow.Identity[string]()), nil
	}, d.opts...))
}
