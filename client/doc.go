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
//   - The flow's output completing closes the socket with 1000 once what
//     it emitted has been written.
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
// the HTTP status, headers and the start of the body.
//
// With WithReconnect, Dial runs the flow blueprint again on every new
// connection, after an exponential backoff with jitter, until ctx ends:
// Akka's RestartSource.withBackoff.
//
// Open, for a program that takes each step itself rather than running a
// Flow (a test, a prompt), returns a Conn to drive message by message:
// Send, Receive, Close. The same runtime runs under it, with the same
// rules; router/wstest is built on it.
//
// # Limitation: no half-close
//
// When the client's flow output completes, the client sends its close
// frame and waits (up to 5 s, coder/websocket's bound) for the server's.
// Data messages the server sends between the client's close frame and
// its own are read and discarded, for two reasons: a flow whose output
// has completed has ended, input included (flow.Running: Push fails once
// the output is done), so there is nothing left to deliver them to; and
// coder/websocket's Conn.Close, which sends the close frame, reads and
// discards whatever precedes the peer's close. A half-close would need
// both a flow whose input stays open after its output completes and a
// close frame written without Conn.Close; neither exists yet.
//
// A client that must see everything the server sends lets the server
// close: it keeps its output open, for example flow.Wrap(sink, source)
// with a source that never completes by itself (the server's close
// completes the sink and cancels the source), or a flow.StageFunc that
// returns only when its input channel closes.
//
// The client dials through an http.Client of its own whose transport
// wraps the TCP (or TLS) connection, so that the runtime's rules of the
// wire apply: the peer's EOF in the middle of a message is a failure,
// never a truncated message, and every write is bounded by the write
// timeout. It uses no proxy.
package client
