package router

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRoutePath checks reverse routing with any pattern and parameter: it
// never panics, and a path it builds is one net/http's ServeMux routes
// back to the pattern with the same parameter.
func FuzzRoutePath(f *testing.F) {
	f.Add("GET /chat/{room}", "lobby")
	f.Add("/files/{path...}", "a/b c/d")
	f.Add("/{$}", "")
	f.Add("/chat/{room}/x", "a%2Fb?#")
	f.Add("/{a}/{b}", "é")
	f.Fuzz(func(t *testing.T, pattern, param string) {
		rt := Route(pattern)
		p, err := rt.Path(param)
		if err != nil {
			return
		}
		unescaped, _ := url.PathUnescape(p)
		if _, hasHost := patternPath(pattern); hasHost || cleanPath(unescaped) != unescaped {
			return // a pattern with a host, or a path ServeMux redirects
		}
		mux := http.NewServeMux()
		var got string
		registered := func() (ok bool) {
			defer func() { ok = recover() == nil }()
			mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
				for _, name := range wildcards(pattern) {
					got = r.PathValue(name)
				}
			})
			return true
		}()
		if !registered || len(wildcards(pattern)) != 1 || !utf8.ValidString(param) {
			return
		}
		method := "GET"
		if m, _, ok := strings.Cut(pattern, " "); ok && !strings.Contains(m, "/") && m != "" {
			method = m
		}
		r, err := http.NewRequest(method, "http://example.com"+p, nil)
		if err != nil {
			return // a method net/http will not send
		}
		mux.ServeHTTP(httptest.NewRecorder(), r)
		if got != param {
			t.Fatalf("Route(%q).Path(%q) = %q, which routes back with %q", pattern, param, p, got)
		}
	})
}

// cleanPath is the path ServeMux redirects p to, as path.Clean keeping a
// trailing slash.
func cleanPath(p string) string {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// wildcards lists the names of the {name} and {name...} wildcards of a
// pattern.
func wildcards(pattern string) []string {
	var names []string
	for _, seg := range strings.Split(pattern, "/") {
		if name, _, ok := wildcard(seg); ok && name != "$" {
			names = append(names, strings.TrimSuffix(name, "..."))
		}
	}
	return names
}

// FuzzOriginAllowed checks the origin policy with any Origin, Host and
// pattern: it never panics; an Origin naming the request's own host is
// always allowed; without patterns, any other Origin is refused.
func FuzzOriginAllowed(f *testing.F) {
	f.Add("http://example.com", "example.com", "*.example.com")
	f.Add("https://app.example.com:8443", "localhost:9000", "https://*.example.com:*")
	f.Add("null", "example.com", "")
	f.Add("://", "", "[")
	f.Fuzz(func(t *testing.T, origin, host, pattern string) {
		r := httptest.NewRequest("GET", "http://x/", nil)
		r.Host = host
		r.Header.Set("Origin", origin)
		originAllowed(r, []string{pattern})

		if origin == "" {
			if !originAllowed(r, nil) {
				t.Fatal("a request without an Origin (not from a browser) refused")
			}
			return
		}
		u, err := url.Parse(origin)
		if err != nil || u.Host == "" {
			if originAllowed(r, nil) {
				t.Fatalf("Origin %q without a host allowed", origin)
			}
			return
		}
		if got, want := originAllowed(r, nil), strings.EqualFold(u.Host, host); got != want {
			t.Fatalf("Origin %q, Host %q: allowed %v, want %v", origin, host, got, want)
		}
	})
}
