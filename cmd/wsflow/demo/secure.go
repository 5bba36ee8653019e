package demo

import (
	"fmt"
	"net/http"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/transformer"
)

// secureRoutes serves the guide's "Rejecting a WebSocket": /login sets a
// session and /secure accepts only a request that carries one.
func (a *App) secureRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /login", a.login)

	// WebSocket.acceptOrResult { request => session user or Forbidden }
	mux.Handle("GET /secure", router.AcceptOrResult(transformer.String(), func(r *http.Request) (flow.Flow[string, string], error) {
		user, ok := a.sessions.user(r)
		if !ok {
			return flow.Flow[string, string]{}, router.Reject(http.StatusForbidden, "403 forbidden: no valid session")
		}
		return flow.Prepend(flow.Just("Hello, "+user), flow.Identity[string]()), nil
	}, a.opts...))
}

// login serves /login?user=U: it starts a session for U.
func (a *App) login(w http.ResponseWriter, r *http.Request) {
	q, err := query(r)
	if err != nil {
		writeRejection(w, err)
		return
	}
	user := q.Get("user")
	if !userName.MatchString(user) {
		writeRejection(w, badRequest("user must match [A-Za-z0-9_-]{1,32}"))
		return
	}
	http.SetCookie(w, a.sessions.cookie(r, user))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "logged in as %s\n", user)
}
