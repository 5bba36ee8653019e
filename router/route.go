package router

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Route is the path pattern of a route as net/http's ServeMux writes it,
// with or without a method: "GET /chat/{room}". It builds the paths and
// absolute WebSocket URLs that lead to the route (reverse routing), so
// that pages need not hard-code them.
type Route string

// Path returns the route's path with its wildcards filled, in order, by
// params: "{name}" takes one path-escaped segment, "{name...}" the rest
// of the path (each segment escaped), "{$}" nothing. It is an error when
// the number of params differs from the number of wildcards or a param
// for a "{name}" is empty.
func (rt Route) Path(params ...string) (string, error) {
	pattern, _ := patternPath(string(rt))
	var b strings.Builder
	next := 0
	for _, seg := range strings.SplitAfter(pattern, "/") {
		name, rest, ok := wildcard(seg)
		if !ok {
			// ServeMux unescapes a pattern's literal and matches it
			// against the unescaped segment: escape what it means.
			literal := strings.TrimSuffix(seg, "/")
			meaning := literal
			if unescaped, err := url.PathUnescape(literal); err == nil {
				meaning = unescaped
			}
			b.WriteString(url.PathEscape(meaning))
			b.WriteString(seg[len(literal):])
			continue
		}
		if name == "$" {
			continue
		}
		if next >= len(params) {
			return "", fmt.Errorf("router: %s: too few parameters (%d)", rt, len(params))
		}
		p := params[next]
		next++
		if strings.HasSuffix(name, "...") {
			parts := strings.Split(p, "/")
			for i, part := range parts {
				parts[i] = url.PathEscape(part)
			}
			b.WriteString(strings.Join(parts, "/"))
		} else {
			if p == "" {
				return "", fmt.Errorf("router: %s: parameter {%s} is empty", rt, name)
			}
			b.WriteString(url.PathEscape(p))
		}
		b.WriteString(rest)
	}
	if next != len(params) {
		return "", fmt.Errorf("router: %s: too many parameters (%d)", rt, len(params))
	}
	return b.String(), nil
}

// patternPath returns the path of a ServeMux pattern
// "[METHOD ][HOST]/[PATH]", and whether the pattern names a host.
func patternPath(pattern string) (path string, hasHost bool) {
	if method, rest, ok := strings.Cut(pattern, " "); ok && !strings.Contains(method, "/") {
		pattern = strings.TrimLeft(rest, " \t")
	}
	i := strings.IndexByte(pattern, '/')
	if i < 0 {
		return "", pattern != ""
	}
	return pattern[i:], i > 0
}

// wildcard splits a path segment such as "{room}/" into "room" and "/".
func wildcard(seg string) (name, rest string, ok bool) {
	body := strings.TrimSuffix(seg, "/")
	if len(body) < 3 || body[0] != '{' || body[len(body)-1] != '}' {
		return "", "", false
	}
	return body[1 : len(body)-1], seg[len(body):], true
}

// URL returns the absolute WebSocket URL of the route as the client of r
// reaches it: Play's webSocketURL(request). The scheme is wss when r came
// over TLS or through a proxy that says so (X-Forwarded-Proto: https), ws
// otherwise; the host is r's Host.
func (rt Route) URL(r *http.Request, params ...string) (string, error) {
	p, err := rt.Path(params...)
	if err != nil {
		return "", err
	}
	return WebSocketURL(r, p), nil
}

// WebSocketURL returns the absolute ws:// or wss:// URL of path (with any
// query) on the server that r reached, as Route.URL does.
func WebSocketURL(r *http.Request, path string) string {
	scheme := "ws"
	if r.TLS != nil || forwardedHTTPS(r) {
		scheme = "wss"
	}
	return scheme + "://" + r.Host + path
}

func forwardedHTTPS(r *http.Request) bool {
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}
