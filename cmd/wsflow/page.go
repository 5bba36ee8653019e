package main

import (
	"bytes"
	_ "embed"
	"html/template"
	"io"
	"net/http"
)

//go:embed index.html
var indexHTML string

var indexPage = template.Must(template.New("index.html").Parse(indexHTML))

// pageRoutes serves the demo's plain HTTP routes: the index page and the
// health check.
func (d *demo) pageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", servePage)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
}

// servePage serves the index page, which carries the absolute URL of the
// echo socket, as the client reaches it, in a meta tag: Play's
// routes.Application.echo().webSocketURL().
func servePage(w http.ResponseWriter, r *http.Request) {
	url, err := echoRoute.URL(r)
	if err != nil {
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := indexPage.Execute(&buf, struct{ WebSocketURL string }{url}); err != nil {
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}
