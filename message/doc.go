// Package message is the wire vocabulary of wsflow: the WebSocket messages
// (Text, Binary, Ping, Pong, Close), the close codes of RFC 6455 and the IANA
// registry, and CloseError, an error that carries the Close a socket ends with.
//
// The package is pure: it does no I/O and imports nothing but the standard
// library.
package message
