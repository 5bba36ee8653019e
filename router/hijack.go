package router

import (
	"bufio"
	"net"
	"net/http"
	"time"
)

// deadlineConn is the hijacked connection as the socket holds it. Every
// write to the peer, data and control frames alike, is bounded by timeout
// (when positive): a peer that does not take what is written within it
// fails the write and is dropped. A deadline on the connection spares
// coder/websocket the per-call work it does for a cancellable context.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
}

func (c *deadlineConn) Write(p []byte) (int, error) {
	if c.timeout > 0 {
		if err := c.Conn.SetWriteDeadline(time.Now().Add(c.timeout)); err != nil {
			return 0, err
		}
	}
	return c.Conn.Write(p)
}

// hijackWriter is the http.ResponseWriter handed to websocket.Accept: it
// hijacks the connection as a deadlineConn and keeps it, so that the
// socket can drop the connection at once whatever coder/websocket is
// doing with it.
type hijackWriter struct {
	http.ResponseWriter
	timeout time.Duration
	conn    net.Conn // set by Hijack
}

// Hijack hijacks the underlying connection and wraps it.
func (w *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := brw.Writer.Flush(); err != nil {
		nc.Close()
		return nil, nil, err
	}
	dc := &deadlineConn{Conn: nc, timeout: w.timeout}
	w.conn = dc
	brw.Writer.Reset(dc) // net/http's writer, empty since the flush: no second buffer
	return dc, brw, nil
}

// Unwrap returns the wrapped ResponseWriter, for http.ResponseController.
func (w *hijackWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
