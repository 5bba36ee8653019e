package router_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
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

// A Rejection written as a literal, to set a header: a 401 that asks for
// credentials.
func ExampleRejection() {
	chat := router.AcceptOrResult(transformer.String(),
		func(r *http.Request) (flow.Flow[string, string], error) {
			if _, _, ok := r.BasicAuth(); !ok {
				return flow.Flow[string, string]{}, &router.Rejection{
					Status: http.StatusUnauthorized,
					Body:   "401 unauthorized",
					Header: http.Header{"Www-Authenticate": {`Basic realm="chat"`}},
				}
			}
			return flow.Identity[string](), nil
		})
	srv := httptest.NewServer(chat)
	defer srv.Close()

	_, resp, _ := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	fmt.Println(resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	resp.Body.Close()
	// Output:
	// 401 Basic realm="chat"
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

// A Group caps the open sockets of its handlers and shuts them down
// gracefully: every socket is sent 1001 "going away" after what its flow
// already emitted, and Shutdown returns once they have all closed.
func ExampleGroup() {
	g := router.NewGroup(100) // at most 100 open sockets; the next gets 503
	h := router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]()
	}, router.WithGroup(g))
	srv := httptest.NewServer(h)
	defer srv.Close()

	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.CloseNow()
	fmt.Println("open:", g.Len())
	read := make(chan struct{})
	go func() {
		defer close(read)
		_, _, err := c.Read(ctx) // reading answers the server's close
		fmt.Println("client:", websocket.CloseStatus(err))
	}()
	err = g.Shutdown(ctx)
	<-read
	fmt.Println("shutdown:", err, "open:", g.Len())
	// Output:
	// open: 1
	// client: StatusGoingAway
	// shutdown: <nil> open: 0
}

// countingObserver counts messages; a real one would update metrics
// (package metrics does, for Prometheus).
type countingObserver struct {
	in, out atomic.Int64
	closed  chan struct{} // closed by Closed
}

func (o *countingObserver) Handshake(route string, status int) {
	fmt.Println("handshake", route, status)
}
func (o *countingObserver) Open(route string) router.SocketObserver { return o }
func (o *countingObserver) MessageIn(message.Kind, int)             { o.in.Add(1) }
func (o *countingObserver) MessageOut(message.Kind, int)            { o.out.Add(1) }
func (o *countingObserver) Closed(c message.Close, by router.ClosedBy, _ time.Duration) {
	fmt.Println("closed", int(c.Code), "by", by, "after", o.in.Load(), "in and", o.out.Load(), "out")
	close(o.closed)
}

// An Observer sees every handshake, message and close of a handler's
// sockets.
func ExampleWithObserver() {
	obs := &countingObserver{closed: make(chan struct{})}
	mux := http.NewServeMux()
	mux.Handle("GET /echo", router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]()
	}, router.WithObserver(obs)))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/echo", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	c.Write(ctx, websocket.MessageText, []byte("one"))
	c.Read(ctx)
	c.Write(ctx, websocket.MessageText, []byte("two"))
	c.Read(ctx)
	c.Close(websocket.StatusNormalClosure, "")
	<-obs.closed
	// Output:
	// handshake GET /echo 101
	// closed 1000 by peer after 2 in and 2 out
}
