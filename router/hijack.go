package router

import (
	"bufio"
	"net"
	"net/http"
	"time"
)

// deadlineConn bounds every write to the peer, data and control frames
// alike, by a timeout: a peer that does not take what is written within it
// fails the write and is dropped. Setting the deadline on the connection
// spares coder/websocket the per-call work it does for a cancellable
// context.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
}

func (c *deadlineConn) Write(p []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

// timeoutWriter is the http.ResponseWriter handed to websocket.Accept: it
// hijacks the connection as a deadlineConn.
type timeoutWriter struct {
	http.ResponseWriter
	timeout time.Duration
}

// Hijack hijacks the underlying connection and wraps it so that every
// write is bounded by the timeout.
func (w *timeoutWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := brw.Writer.Flush(); err != nil {
		nc.Close()
		return nil, nil, err
	}
	dc := &deadlineConn{Conn: nc, timeout: w.timeout}
	return dc, bufio.NewReadWriter(brw.Reader, bufio.NewWriterSize(dc, brw.Writer.Size())), nil
}

// Unwrap returns the wrapped ResponseWriter, for http.ResponseController.
func (w *timeoutWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
