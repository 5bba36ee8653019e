package demo

import (
	"errors"
	"net/http"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/transformer"
)

// errFail is the failure of /fail: its text is for the log only.
var errFail = errors.New("the /fail route fails on its first message: secret-detail")

// endRoutes serves the ways a socket ends: on its own, with a chosen
// close, and with a failure.
func (a *App) endRoutes(mux *http.ServeMux) {
	// Play 2.0: (Iteratee.consume, Enumerator("Hello!") >>> Enumerator.eof)
	mux.Handle("GET /hello-once", router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Wrap(flow.Ignore[string](), flow.Just("Hello!"))
	}, a.opts...))

	// Closing a WebSocket with a custom close code, refused before the
	// upgrade when the code or reason cannot be sent.
	mux.Handle("GET /close", router.AcceptOrResult(transformer.String(), func(r *http.Request) (flow.Flow[string, string], error) {
		c, err := closeParams(r)
		if err != nil {
			return flow.Flow[string, string]{}, err
		}
		return flow.Wrap(flow.Ignore[string](), flow.Failed[string](message.NewCloseError(c.Code, c.Reason))), nil
	}, a.opts...))

	// A flow that fails with an ordinary error: the peer sees 1011.
	mux.Handle("GET /fail", router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.MapErr(func(string) (string, error) { return "", errFail })
	}, a.opts...))
}
