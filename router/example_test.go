package router_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/coder/websocket"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/transformer"
)

// The hello socket of Play's guide: every message m is answered with
// "Hello, m". The handler mounts on a ServeMux like any other.
func ExampleAccept() {
	mux := http.NewServeMux()
	mux.Handle("GET /hello", router.Accept(transformer.String(),
		func(*http.Request) flow.Flow[string, string] {
			return flow.Map(func(m string) string { return "Hello, " + m })
		}))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/hello", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.CloseNow()
	c.Write(ctx, websocket.MessageText, []byte("world"))
	_, p, _ := c.Read(ctx)
	fmt.Println(string(p))
	c.Close(websocket.StatusNormalClosure, "")
	// Output:
	// Hello, world
}

// Reject a handshake before the upgrade, as Play's acceptOrResult does.
func ExampleAcceptOrResult() {
	secure := router.AcceptOrResult(transformer.String(),
		func(r *http.Request) (flow.Flow[string, string], error) {
			if r.Header.Get("Authorization") == "" {
				return flow.Flow[string, string]{}, router.Reject(http.StatusForbidden, "forbidden")
			}
			return flow.Identity[string](), nil
		})
	srv := httptest.NewServer(secure)
	defer srv.Close()

	_, resp, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	fmt.Println(err != nil, resp.StatusCode)
	resp.Body.Close()
	// Output:
	// true 403
}

// Reverse routing: the absolute WebSocket URL of a route, for a page to
// connect to.
func ExampleRoute_URL() {
	r := httptest.NewRequest("GET", "http://localhost:9000/", nil)
	u, _ := router.Route("GET /chat/{room}").URL(r, "lobby")
	fmt.Println(u)
	r.Header.Set("X-Forwarded-Proto", "https")
	u, _ = router.Route("GET /chat/{room}").URL(r, "lobby")
	fmt.Println(u)
	// Output:
	// ws://localhost:9000/chat/lobby
	// wss://localhost:9000/chat/lobby
}
