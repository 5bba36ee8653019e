package demo

import (
	"bytes"
	_ "embed"
	"html/template"
	"io"
	"net/http"
)

// The index page: plain HTML, CSS and JavaScript, embedded in the binary
// and served as one document, so that it needs no build step and works
// offline.
var (
	//go:embed web/index.html
	indexHTML string
	//go:embed web/page.css
	pageCSS string
	//go:embed web/page.js
	pageJS string
	//go:embed web/rooms.js
	roomsJS string
)

var indexPage = template.Must(template.New("index.html").Parse(indexHTML))

// pageData is what the index page's template is filled with.
type pageData struct {
	WebSocketURL string       // the echo socket's absolute URL, for the meta tag
	Style        template.CSS // web/page.css, trusted: it is part of the binary
	Script       template.JS  // web/page.js, likewise
}

// pageRoutes serves the demo's plain HTTP routes: the index page, the
// rooms client module and the health check.
func (a *App) pageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", servePage)
	mux.HandleFunc("GET /rooms.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		io.WriteString(w, roomsJS)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
}

// servePage serves the index page, which carries the absolute URL of the
// echo socket, as the client reaches it, in a meta tag: Play's
// routes.Application.echo().webSocketURL(). The page's script derives the
// other sockets' URLs from it.
func servePage(w http.ResponseWriter, r *http.Request) {
	url, err := echoRoute.URL(r)
	if err != nil {
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	data := pageData{WebSocketURL: url, Style: template.CSS(pageCSS), Script: template.JS(pageJS)}
	if err := indexPage.Execute(&buf, data); err != nil {
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}
