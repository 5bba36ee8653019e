package router

import (
	"fmt"
	"net/http"
)

// Rejection is an HTTP response given instead of the upgrade: Play's
// Left(result) in acceptOrResult. Return one from an AcceptOrResult
// factory, made by Reject or, to set headers (WWW-Authenticate on a 401,
// Retry-After on a 503), as a literal:
//
//	return nil, &router.Rejection{
//		Status: http.StatusUnauthorized,
//		Body:   "401 unauthorized",
//		Header: http.Header{"Www-Authenticate": {`Basic realm="chat"`}},
//	}
//
// A Rejection is also an http.Handler that writes itself.
type Rejection struct {
	Status int         // the HTTP status
	Body   string      // a short text/plain body
	Header http.Header // headers to set on the response; may be nil
}

// Reject returns a *Rejection with status and a text body.
func Reject(status int, body string) error {
	return &Rejection{Status: status, Body: body}
}

// Error returns the status and its text, e.g. "handshake rejected: 403
// Forbidden".
func (r *Rejection) Error() string {
	return fmt.Sprintf("handshake rejected: %d %s", r.Status, http.StatusText(r.Status))
}

// ServeHTTP writes the rejection: its headers, its status and its body.
func (r *Rejection) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	for k, vs := range r.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	writeText(w, r.Status, r.Body)
}

// writeText writes a short text/plain response.
func writeText(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	fmt.Fprintln(w, body)
}
