package router

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// handshakeError is a handshake refused before the upgrade.
type handshakeError struct {
	status int
	body   string
	header [2]string // a header to set, if any
	// endConn ends the connection after the response, without reading
	// what the request declared it would send.
	endConn bool
}

// checkHandshake checks what RFC 6455 section 4.2.1 asks of an opening
// handshake, as websocket.Accept will, so that a request that cannot be
// upgraded is refused before the flow is built. Origin is checked apart.
func checkHandshake(r *http.Request) *handshakeError {
	if !r.ProtoAtLeast(1, 1) || !isUpgrade(r) {
		return &handshakeError{status: http.StatusUpgradeRequired,
			body:   "426 upgrade required: this URL serves WebSocket connections only",
			header: [2]string{"Upgrade", "websocket"}}
	}
	if r.ContentLength != 0 || len(r.TransferEncoding) > 0 {
		// RFC 6455 section 4.1. net/http would wait, with no deadline, for
		// the body to discard it before the upgrade, and would read its
		// bytes as frames after.
		return &handshakeError{status: http.StatusBadRequest,
			body:    "400 bad request: a WebSocket handshake has no body",
			endConn: true}
	}
	if r.Method != http.MethodGet {
		return &handshakeError{status: http.StatusMethodNotAllowed,
			body: "405 method not allowed: a WebSocket handshake is a GET"}
	}
	if r.Header.Get("Sec-WebSocket-Version") != "13" {
		return &handshakeError{status: http.StatusBadRequest,
			body:   "400 bad request: only WebSocket version 13 is supported",
			header: [2]string{"Sec-WebSocket-Version", "13"}}
	}
	keys := r.Header.Values("Sec-WebSocket-Key")
	if len(keys) != 1 {
		return &handshakeError{status: http.StatusBadRequest,
			body: "400 bad request: a handshake needs one Sec-WebSocket-Key"}
	}
	if k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(keys[0])); err != nil || len(k) != 16 {
		return &handshakeError{status: http.StatusBadRequest,
			body: "400 bad request: Sec-WebSocket-Key must be 16 bytes in base64"}
	}
	return nil
}

func (e *handshakeError) write(w http.ResponseWriter) {
	if e.header[0] != "" {
		w.Header().Set(e.header[0], e.header[1])
	}
	if e.endConn {
		w.Header().Set("Connection", "close")
		// net/http discards an unread body after the handler returns;
		// a body that never comes must not hold the connection.
		http.NewResponseController(w).SetReadDeadline(time.Now())
	}
	writeText(w, e.status, e.body)
}

// isUpgrade reports whether r asks for a WebSocket upgrade.
func isUpgrade(r *http.Request) bool {
	return headerHasToken(r.Header, "Connection", "upgrade") &&
		headerHasToken(r.Header, "Upgrade", "websocket")
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// originAllowed applies the origin policy: no Origin header (a non-browser
// client), an Origin whose host equals the request's Host, or an Origin
// matching one of patterns.
func originAllowed(r *http.Request, patterns []string) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, p := range patterns {
		target := u.Host
		if strings.Contains(p, "://") {
			target = u.Scheme + "://" + u.Host
		}
		if ok, err := path.Match(strings.ToLower(p), strings.ToLower(target)); err == nil && ok {
			return true
		}
	}
	return false
}
