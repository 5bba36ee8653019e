// Package client runs a Flow over a client WebSocket connection: the same
// model as the server side (package router), with the same connection
// runtime under it, as Akka HTTP's singleWebSocketRequest and Spring
// WebFlux's WebSocketClient give their clients.
//
//	// Say "world", print the answer, complete: the socket closes with 1000.
//	greet := flow.StageFunc(func(ctx context.Context, in <-chan string, emit func(string) error) error {
//		if err := emit("world"); err != nil {
//			return err
//		}
//		fmt.Println(<-in)
//		return nil
//	})
//	err := client.Dial(ctx, "ws://localhost:9000/hello", transformer.String(), greet)
//
// The flow is a blueprint, materialised per connection; flow.Defer builds
// a fresh one for each.
//
// Dial returns when the connection has closed. The server's close rules
// hold on the client too:
//
//   - The flow's output completing sends the close frame 1000 once what
//     it emitted has been written, and half-closes: the flow's input
//     goes on receiving what the server sends until the server's close
//     frame (see Half-close below).
//   - A flow that fails with a *message.CloseError closes with its code
//     and reason; any other error closes with 1011 "internal error", and
//     Dial returns the flow's error.
//   - A frame the transformer refuses closes with its *message.CloseError
//     (1003 for a binary message on a text socket, 1007 for bad JSON).
//   - The server's close completes the flow's input and cancels its
//     output. A close with 1000 makes Dial return nil; any other code a
//     *ServerClosed.
//   - ctx ending closes with 1001 "going away" and Dial returns ctx's
//     error.
//
// A handshake the server refuses returns a *HandshakeError, which carries
// the HTTP status, headers and the start of the body. A redirect (3xx) is
// refused too, its Location in the error: the client does not follow it,
// as browsers and gorilla/websocket do not, so that the handshake's
// headers, credentials among them, go nowhere but to the URL given. A
// server that has not answered within the handshake timeout
// (WithHandshakeTimeout, 10 s by default) is given up, with an error
// that wraps ErrHandshakeTimeout.
//
// With WithReconnect, Dial runs the flow blueprint again on every new
// connection, after an exponential backoff with jitter, until ctx ends:
// Akka's RestartSource.withBackoff, which restarts after a normal close
// (1000) too; Backoff.OnlyOnFailures makes it
// RestartSource.onFailuresWithBackoff, ending Dial on a normal close. A
// handshake refused for good (a 3xx, a 4xx other than 408 and 429) is
// not tried again: Dial returns its *HandshakeError (Backoff.RetryOn
// chooses otherwise). WithBeforeDial's function sees each attempt before
// it is made and may change its URL and headers, so that a client coming
// back says what it has already seen (a since, an epoch).
//
// Open, for a program that takes each step itself rather than running a
// Flow (a test, a prompt), returns a Conn to drive message by message:
// Send, Receive, Close. The same runtime runs under it, with the same
// rules; router/wstest is built on it.
//
// # Half-close
//
// A client that has said everything it has to say still wants the
// answers on their way: the replies to its last messages, a summary, a
// goodbye. When the flow's output completes, the client sends its close
// frame (1000) and keeps reading. Every data message the server sends
// before its own close frame reaches the flow's input (the sink of a
// flow.Wrap, say) as before; the server's close frame then completes the
// input, and Dial returns what the server closed with: nil for 1000, a
// *ServerClosed for any other code. A server whose close frame has not
// come within the close timeout (WithCloseTimeout, 5 s by default, as
// long as coder/websocket waits) is dropped, and Dial returns an error
// that wraps ErrNoCloseFrame. A flow that takes no more input once its
// output is done (a flow.StageFunc that has returned) has what the server
// sends read and dropped until the close.
//
//	// Send the lines, then print every answer, the late ones included.
//	f := flow.Wrap(flow.ForEach(func(m string) { fmt.Println(m) }), flow.Just(lines...))
//	err := client.Dial(ctx, url, transformer.String(), f)
//
// Only the output completing half-closes: a failure, a refused frame or
// ctx ending closes at once with their codes, discarding what the server
// sends after the close frame, as coder/websocket's Conn.Close does. So
// does Conn.Close: a Conn receives nothing once it is closed.
//
// The client dials through an http.Client of its own whose transport
// wraps the TCP (or TLS) connection, so that the runtime's rules of the
// wire apply: the peer's EOF in the middle of a message is a failure,
// never a truncated message; a frame the server masked fails the
// connection with 1002 (RFC 6455 section 5.1), nothing of it delivered;
// and every write is bounded by the write timeout. It uses no proxy.
package client
