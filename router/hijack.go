package router

import (
	"bufio"
	"net"
	"net/http"
	"time"

	"github.com/wsflow/wsflow/internal/wire"
)

// hijackWriter is the http.ResponseWriter handed to websocket.Accept: it
// hijacks the connection as a *wire.Conn and keeps it, so that the socket
// can drop the connection at once whatever coder/websocket is doing with
// it.
type hijackWriter struct {
	http.ResponseWriter
	timeout   time.Duration
	readLimit int64
	conn      *wire.Conn // set by Hijack
}

// Hijack hijacks the underlying connection, flushes the handshake's
// response and wraps the connection, so that every frame
// coder/websocket reads and writes passes through the wire.Conn.
// net/http's write buffer is kept for coder's frames (no second buffer);
// coder itself hands on what net/http's reader already holds.
func (w *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := brw.Writer.Flush(); err != nil {
		nc.Close()
		return nil, nil, err
	}
	wc := wire.NewServerConn(nc, w.timeout, w.readLimit)
	brw.Writer.Reset(wc) // empty since the flush
	w.conn = wc
	return wc, brw, nil
}

// Unwrap returns the wrapped ResponseWriter, for http.ResponseController.
func (w *hijackWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
