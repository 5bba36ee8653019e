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
// coder/websocket reads and writes passes through the wire.Conn. The
// wire.Conn buffers both ways, from pools and only while it has data:
// coder gets small buffers of its own instead of net/http's 4 KiB ones,
// and what net/http's reader already holds is handed to the wire.Conn.
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
	early, _ := brw.Reader.Peek(brw.Reader.Buffered())
	wc.Preload(early)
	w.conn = wc
	return wc, bufio.NewReadWriter(bufio.NewReaderSize(wc, wire.CoderReadBuffer), bufio.NewWriterSize(wc, wire.CoderWriteBuffer)), nil
}

// Unwrap returns the wrapped ResponseWriter, for http.ResponseController.
func (w *hijackWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
