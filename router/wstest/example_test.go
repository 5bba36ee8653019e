package wstest_test

import (
	"fmt"
	"net/http"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/transformer"
)

// hello is the hello socket of Play's guide: every message m is answered
// with "Hello, m".
var hello = router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
	return flow.Map(func(m string) string { return "Hello, " + m })
})

// In a test, t is the *testing.T and the body of RunExample's function is
// the body of the test:
//
//	func TestHello(t *testing.T) {
//		srv := wstest.Serve(t, hello)
//		...
//	}
func Example() {
	wstest.RunExample(func(t wstest.TB) {
		srv := wstest.Serve(t, hello)
		c := srv.Dial(t, "/hello")
		c.SendText("world")
		c.ExpectText("Hello, world")
		c.SendText("gopher")
		fmt.Println(c.ReadText())
		c.SendBinary([]byte{1})
		c.ExpectClose(message.UnsupportedData, "this socket accepts only text messages")
	})
	// Output:
	// Hello, gopher
}

// A handshake that the server refuses, as Play's acceptOrResult does.
func ExampleServer_DialRefused() {
	secure := router.AcceptOrResult(transformer.String(), func(r *http.Request) (flow.Flow[string, string], error) {
		if r.URL.Query().Get("user") == "" {
			return flow.Flow[string, string]{}, router.Reject(http.StatusForbidden, "forbidden")
		}
		return flow.Identity[string](), nil
	})
	wstest.RunExample(func(t wstest.TB) {
		srv := wstest.Serve(t, secure)
		resp := srv.DialRefused(t, "/chat")
		fmt.Printf("%d %q\n", resp.StatusCode, resp.Body)
		c := srv.Dial(t, "/chat?user=ann")
		c.SendText("hi")
		c.ExpectText("hi")
	})
	// Output:
	// 403 "forbidden\n"
}

// A failed expectation says what was expected and what came. RunExample
// prints it, so that the example's output shows it.
func ExampleRunExample() {
	wstest.RunExample(func(t wstest.TB) {
		c := wstest.Serve(t, hello).Dial(t, "/")
		c.SendText("world")
		c.ExpectText("Hello, gopher")
		fmt.Println("not reached: a failure ends the function")
	})
	// Output:
	// FAIL: wstest: want text "Hello, gopher", got text "Hello, world"
}
