package bench

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/coder/websocket"
	gorilla "github.com/gorilla/websocket"
)

// The baseline echo servers, by name. Each does nothing but read a
// message and write it back, the way each library's own examples do, with
// each library's defaults (no compression, default buffer sizes and read
// limits).
var echoes = map[string]func() http.Handler{
	// coder/websocket with the request's context: every Read and Write
	// arms (and disarms) a context.AfterFunc, as v1.8.15 does for any
	// context that can be cancelled.
	"coder-ctx": func() http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			coderEcho(w, r, r.Context())
		})
	},
	// coder/websocket with context.Background(): v1.8.15 skips that work.
	// The baseline of the ratios.
	"coder-bg": func() http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			coderEcho(w, r, context.Background())
		})
	},
	// gorilla/websocket's examples/echo loop.
	"gorilla": func() http.Handler {
		var up gorilla.Upgrader
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := up.Upgrade(w, r, nil)
			if err != nil {
				return // Upgrade has answered the request
			}
			defer c.Close()
			for {
				typ, p, err := c.ReadMessage()
				if err != nil {
					return
				}
				if err := c.WriteMessage(typ, p); err != nil {
					return
				}
			}
		})
	},
}

// EchoNames lists the baseline echo servers EchoHandler knows, sorted.
func EchoNames() []string {
	names := make([]string, 0, len(echoes))
	for n := range echoes {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// EchoHandler returns the baseline echo server called name.
func EchoHandler(name string) (http.Handler, error) {
	h, ok := echoes[name]
	if !ok {
		return nil, fmt.Errorf("unknown echo server %q (known: %v)", name, EchoNames())
	}
	return h(), nil
}

// coderEcho echoes with coder/websocket's Read and Write, using ctx for
// both.
func coderEcho(w http.ResponseWriter, r *http.Request, ctx context.Context) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has answered the request
	}
	defer c.CloseNow()
	for {
		typ, p, err := c.Read(ctx)
		if err != nil {
			return
		}
		if err := c.Write(ctx, typ, p); err != nil {
			return
		}
	}
}
