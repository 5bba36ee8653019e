// Package router is the HTTP edge of wsflow: it turns a transformer and a
// flow into an http.Handler that accepts or rejects the WebSocket
// handshake and runs one flow per accepted connection, as Play's
// WebSocket.accept and WebSocket.acceptOrResult do.
//
// Every handler mounts on net/http's ServeMux (path parameters with
// r.PathValue) or any router. Route builds absolute ws:// and wss:// URLs
// for a path pattern (reverse routing), and Group tracks open sockets for
// a connection limit and a graceful shutdown.
//
// The runtime over each connection implements the close rules: the flow's
// output completing closes with 1000 after everything emitted has been
// written; a *message.CloseError closes with its code and reason; any
// other failure closes with 1011 "internal error" and goes to the log; the
// peer closing completes the flow's input and cancels its output.
package router
