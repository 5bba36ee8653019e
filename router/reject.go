package router

import (
	"fmt"
	"net/http"
)

// Rejection is an HTTP response given instead of the upgrade: Play's
// Left(result) in acceptOrResult. Return one from an AcceptOrResult
// factory with Reject.
type Rejection struct {
	Status int
	Body   string
}

// Reject returns a *Rejection with status and a text body.
func Reject(status int, body string) error {
	return &Rejection{Status: status, Body: body}
}

// Error returns the status and body, e.g. "rejected: 403 forbidden".
func (r *Rejection) Error() string {
	return fmt.Sprintf("rejected: %d %s", r.Status, r.Body)
}

// writeText writes a short text/plain response.
func writeText(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	fmt.Fprintln(w, body)
}
