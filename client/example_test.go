package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/transformer"
)

// The client runs a Flow as the server does: here one that says
// "world", prints the answer and completes, which closes the socket with
// 1000.
func ExampleDial() {
	srv := httptest.NewServer(router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Map(func(m string) string { return "Hello, " + m })
	}))
	defer srv.Close()

	greet := flow.StageFunc(func(ctx context.Context, in <-chan string, emit func(string) error) error {
		if err := emit("world"); err != nil {
			return err
		}
		fmt.Println(<-in)
		return nil
	})
	err := client.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/hello", transformer.String(), greet)
	fmt.Println("closed:", err)
	// Output:
	// Hello, world
	// closed: <nil>
}

// A flow whose output is done still receives: here the client sends three
// names and completes at once, which sends its close frame, and the
// answers on their way back are printed all the same (the half-close).
// The server's close frame, its answer to the client's, ends the socket.
func ExampleDial_halfClose() {
	srv := httptest.NewServer(router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Map(func(m string) string { return "Hello, " + m })
	}))
	defer srv.Close()

	f := flow.Wrap(
		flow.ForEach(func(m string) { fmt.Println(m) }),
		flow.Just("world", "gopher", "Zoë"))
	err := client.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/hello", transformer.String(), f)
	fmt.Println("closed:", err)
	// Output:
	// Hello, world
	// Hello, gopher
	// Hello, Zoë
	// closed: <nil>
}

// With WithReconnect, Dial runs the flow again on every new connection,
// waiting longer after each failure, until ctx ends; its error then wraps
// why the last attempt had failed.
func ExampleWithReconnect() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	attempts := 0
	b := client.Backoff{Min: time.Millisecond, OnRetry: func(err error, _ time.Duration) {
		attempts++
		if attempts == 3 {
			cancel() // a real client would keep trying
		}
	}}
	err := client.Dial(ctx, "ws://127.0.0.1:1/", transformer.String(), flow.Identity[string](),
		client.WithReconnect(b))
	fmt.Println(attempts, errors.Is(err, context.Canceled), strings.Contains(err.Error(), "connection refused"))
	// Output:
	// 3 true true
}

// A handshake refused for good (a 3xx, or a 4xx other than 408 and 429)
// is not tried again: Dial returns the refusal after one attempt.
func ExampleWithReconnect_refused() {
	var attempts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		http.Error(w, "not yours", http.StatusForbidden)
	}))
	defer srv.Close()

	err := client.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/", transformer.String(), flow.Identity[string](),
		client.WithReconnect(client.Backoff{}))
	var refused *client.HandshakeError
	fmt.Println(attempts.Load(), errors.As(err, &refused) && refused.StatusCode == http.StatusForbidden)
	// Output:
	// 1 true
}

// A feed that resumes: the server sends the events after since, two at a
// time, then restarts (1012); the WithBeforeDial function sets since to
// the last event seen before each dial. At the end of the feed the server
// closes with 1000, which with OnlyOnFailures ends Dial.
func ExampleWithBeforeDial() {
	srv := httptest.NewServer(router.Accept(transformer.String(), func(r *http.Request) flow.Flow[string, string] {
		since, _ := strconv.Atoi(r.URL.Query().Get("since"))
		if since >= 6 {
			return flow.Wrap(flow.Ignore[string](), flow.Empty[string]())
		}
		return flow.Wrap(flow.Ignore[string](), flow.Concat(
			flow.Just(strconv.Itoa(since+1), strconv.Itoa(since+2)),
			flow.Failed[string](message.NewCloseError(message.ServiceRestart, ""))))
	}))
	defer srv.Close()

	var last atomic.Int64 // the last event received
	follow := flow.Wrap(
		flow.ForEach(func(m string) {
			n, _ := strconv.ParseInt(m, 10, 64)
			last.Store(n)
			fmt.Println("event", m)
		}),
		flow.SourceFunc(func(ctx context.Context, _ func(string) error) error {
			<-ctx.Done() // nothing to say: listen until the socket ends
			return nil
		}))
	before := func(a *client.Attempt) error {
		a.URL += "?since=" + strconv.FormatInt(last.Load(), 10)
		fmt.Println("dial", a.N, a.URL[strings.Index(a.URL, "?"):])
		return nil
	}
	err := client.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/feed", transformer.String(), follow,
		client.WithBeforeDial(before),
		client.WithReconnect(client.Backoff{Min: time.Millisecond, OnlyOnFailures: true}))
	fmt.Println("done:", err)
	// Output:
	// dial 1 ?since=0
	// event 1
	// event 2
	// dial 2 ?since=2
	// event 3
	// event 4
	// dial 3 ?since=4
	// event 5
	// event 6
	// dial 4 ?since=6
	// done: <nil>
}

// Open gives a connection to drive message by message, as a test or a
// prompt does: each Receive waits for the server's next message.
func ExampleOpen() {
	srv := httptest.NewServer(router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Map(func(m string) string { return "Hello, " + m })
	}))
	defer srv.Close()

	ctx := context.Background()
	c, err := client.Open(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/hello")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range []string{"world", "gopher"} {
		if err := c.Send(ctx, message.Text(name)); err != nil {
			fmt.Println(err)
			return
		}
		m, err := c.Receive(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(m)
	}
	fmt.Println("closed:", c.Close(message.NormalClosure, ""))
	// Output:
	// Hello, world
	// Hello, gopher
	// closed: <nil>
}

// A ping of the client's own, answered while the connection reads for
// nothing else: the runtime reads the pong.
func ExampleConn_Ping() {
	srv := httptest.NewServer(router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]()
	}))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Open(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/echo")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("pong:", c.Ping(ctx) == nil)
	fmt.Println("closed:", c.Close(message.NormalClosure, ""))
	// Output:
	// pong: true
	// closed: <nil>
}

// A server that accepts the TCP connection and never answers the
// handshake is given up after the handshake timeout (10 s by default).
func ExampleWithHandshakeTimeout() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // no answer, until the client leaves
	}))
	defer srv.Close()

	err := client.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/", transformer.String(), flow.Identity[string](),
		client.WithHandshakeTimeout(100*time.Millisecond))
	fmt.Println(err)
	fmt.Println(errors.Is(err, client.ErrHandshakeTimeout))
	// Output:
	// websocket: handshake timed out after 100ms
	// true
}

// A redirect is not followed: it is a refused handshake, whose Location
// the error carries.
func ExampleHandshakeError_redirect() {
	srv := httptest.NewServer(http.RedirectHandler("wss://elsewhere.example/", http.StatusFound))
	defer srv.Close()

	err := client.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/", transformer.String(), flow.Identity[string](),
		client.WithHeader("Authorization", "Bearer secret"))
	var refused *client.HandshakeError
	if errors.As(err, &refused) {
		fmt.Println(refused.StatusCode, refused.Location)
	}
	// Output:
	// 302 wss://elsewhere.example/
}
