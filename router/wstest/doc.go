// Package wstest is a test kit for WebSocket handlers: it serves an
// http.Handler on loopback, dials it, sends messages and expects messages
// and close codes, each in one line that fails the test with a clear
// message when the peer does something else.
//
//	srv := wstest.Serve(t, handler)
//	c := srv.Dial(t, "/hello")
//	c.SendText("world")
//	c.ExpectText("Hello, world")
//	c.SendBinary([]byte{1})
//	c.ExpectClose(message.UnsupportedData, "this socket accepts only text messages")
//
// A handshake the server should refuse is checked with DialRefused, which
// returns the HTTP status, headers and body of the refusal.
//
// The kit speaks wsflow's vocabulary (message.Kind, message.Code,
// message.Close), so a test that uses it imports no coder/websocket. It
// dials through package client: each Conn is a client.Conn, whose runtime
// reads the connection all the time, answering pings and the peer's
// close, and hands the test one message at a time; Conn.Client gives it
// to the test's other goroutines. A message the test has not read holds
// back those after it, as a slow peer's would; a peer that reads nothing
// at all, not even a ping, is beyond the kit.
//
// The kit works with any http.Handler that speaks WebSocket, not only
// wsflow's. Every expectation is bounded by a timeout (DefaultTimeout, or
// Timeout) so that a peer that says nothing fails the test instead of
// hanging it; the bound is a guard, not a speed assertion.
//
// Nothing outlives the test: connections are dropped and servers closed
// at cleanup, and closing a Server waits for its handlers to return, so
// that a handler that never ends is reported by the test that started it.
//
// Methods that fail the test call TB.Fatalf, so, as with *testing.T, they
// must be called from the goroutine running the test. Example functions,
// which have no *testing.T, can use RunExample.
package wstest
