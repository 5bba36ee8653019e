package router

import (
	"fmt"
	"net/http"
)

// Rejection is an HTTP response given instead of the upgrade: Play's
// Left(result) in acceptOrResult. Return one from an AcceptOrResult
// factory, made by Reject or, to set headers (WWW-Authenticate on a 401,
// Retry-After on a 503), as a literal (see the example):
//
//	return flow.Flow[string, string]{}, &router.Rejection{
//		Status: http.StatusUnauthorized,
//		Body:   "401 unauthorized",
//		Header: http.Header{"Www-Authenticate": {`Basic realm="chat"`}},
//	}
//
// A Rejection is also an http.Handler that writes itself. A literal whose
// Status is not from 300 to 599 does not refuse a handshake: a factory
// that returns one has failed, and the client gets 500.
type Rejection struct {
	Status int         // the HTTP status
	Body   string      // a short text/plain body
	Header http.Header // headers to set on the response; may be nil
}

// Reject returns a *Rejection with status and a text body. status must
// be one that refuses a handshake, from 300 to 599; any other is a
// programmer's error, and Reject panics.
func Reject(status int, body string) error {
	if !refuses(status) {
		panic(fmt.Sprintf("router: Reject: status %d is not an HTTP status that refuses a handshake (300 to 599)", status))
	}
	return &Rejection{Status: status, Body: body}
}

// refuses reports whether status is one a handshake can be refused with:
// a redirect, a client error or a server error.
func refuses(status int) bool { return status >= 300 && status <= 599 }

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
