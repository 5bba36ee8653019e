package main

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
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
