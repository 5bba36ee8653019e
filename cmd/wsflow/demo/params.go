package demo

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
)

// badRequest returns the rejection of a request whose parameters are
// wrong: HTTP 400 with a text body saying what is wrong.
func badRequest(problem string) error {
	return router.Reject(http.StatusBadRequest, "400 bad request: "+problem)
}

// writeRejection answers an HTTP request with the status and text body of
// err, a rejection made by router.Reject.
func writeRejection(w http.ResponseWriter, err error) {
	var rej *router.Rejection
	if !errors.As(err, &rej) {
		rej = &router.Rejection{Status: http.StatusInternalServerError, Body: "500 internal server error"}
	}
	http.Error(w, rej.Body, rej.Status)
}

// query parses r's query string, refusing a malformed one (url.Query
// would silently drop its bad parts).
func query(r *http.Request) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badRequest("malformed query string")
	}
	return q, nil
}

// closeParams returns the close that /close?code=C&reason=R asks for: C
// is required and must be 1000 or within 3000-4999; R is optional, valid
// UTF-8 and at most message.MaxReasonLen bytes.
func closeParams(r *http.Request) (message.Close, error) {
	q, err := query(r)
	if err != nil {
		return message.Close{}, err
	}
	if !q.Has("code") {
		return message.Close{}, badRequest("the query parameter code is required")
	}
	code, err := strconv.ParseUint(q.Get("code"), 10, 16)
	if err != nil || !(code == 1000 || code >= 3000 && code <= 4999) {
		return message.Close{}, badRequest("code must be 1000 or an integer within 3000-4999")
	}
	reason := q.Get("reason")
	if !utf8.ValidString(reason) {
		return message.Close{}, badRequest("reason must be valid UTF-8")
	}
	if len(reason) > message.MaxReasonLen {
		return message.Close{}, badRequest("reason must be at most 123 bytes")
	}
	return message.Close{Code: message.Code(code), Reason: reason}, nil
}

// The bounds of a ticking route's interval, ?every=D.
const (
	minEvery = 10 * time.Millisecond
	maxEvery = time.Hour
)

// everyParam returns the interval that ?every=D asks for: D in Go's
// syntax (250ms, 2s, 1m30s) within 10ms to 1h; def when every is absent
// or empty.
func everyParam(r *http.Request, def time.Duration) (time.Duration, error) {
	return durationParam(r, "every", def)
}

// durationParam returns the duration of the query parameter name: in
// Go's syntax, within 10ms to 1h; def when it is absent or empty.
func durationParam(r *http.Request, name string, def time.Duration) (time.Duration, error) {
	q, err := query(r)
	if err != nil {
		return 0, err
	}
	s := q.Get(name)
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, badRequest(name + " must be a duration such as 250ms, 2s or 1m")
	}
	if d < minEvery || d > maxEvery {
		return 0, badRequest(name + " must lie within 10ms to 1h")
	}
	return d, nil
}

// roomName is what the room of /chat/{room} must match.
var roomName = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)

// anonymous is the chat name of a member that gives none.
const anonymous = "anonymous"

// chatParams returns the room and member name of /chat/{room}?name=N: a
// room that does not match roomName is not found (404); N must match
// userName, and is anonymous when absent or empty (else 400).
func chatParams(r *http.Request) (room, name string, err error) {
	room = r.PathValue("room")
	if !roomName.MatchString(room) {
		return "", "", router.Reject(http.StatusNotFound, "404 not found: a chat room's name must match [a-z0-9-]{1,32}")
	}
	q, err := query(r)
	if err != nil {
		return "", "", err
	}
	name = q.Get("name")
	if name == "" {
		name = anonymous
	}
	if !userName.MatchString(name) {
		return "", "", badRequest("name must match [A-Za-z0-9_-]{1,32}")
	}
	return room, name, nil
}
