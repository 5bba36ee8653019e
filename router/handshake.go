package router

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// handshakeError is a handshake refused before the upgrade.
type handshakeError struct {
	status int
	body   string
	header [2]string // a header to set, if any
}

// checkHandshake checks what RFC 6455 section 4.2.1 asks of an opening
// handshake, as websocket.Accept will, so that a request that cannot be
// upgraded is refused before the flow is built. Origin is checked apart.
func checkHandshake(r *http.Request) *handshakeError {
	if !r.ProtoAtLeast(1, 1) || !isUpgrade(r) {
		return &handshakeError{http.StatusUpgradeRequired,
			"426 upgrade required: this URL serves WebSocket connections only",
			[2]string{"Upgrade", "websocket"}}
	}
	if r.Method != http.MethodGet {
		return &handshakeError{status: http.StatusMethodNotAllowed,
			body: "405 method not allowed: a WebSocket handshake is a GET"}
	}
	if r.Header.Get("Sec-WebSocket-Version") != "13" {
		return &handshakeError{http.StatusBadRequest,
			"400 bad request: only WebSocket version 13 is supported",
			[2]string{"Sec-WebSocket-Version", "13"}}
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
