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
	return wc, bufio.NewReadWriter(bufio.NewReaderSize(wc, coderReadBuffer), bufio.NewWriterSize(wc, coderWriteBuffer)), nil
}

// The sizes of coder/websocket's own buffers: the wire.Conn under them
// buffers the frames. The read buffer holds a frame's header (at most 14
// bytes; 16 is bufio's least); the write buffer a whole control frame (at
// most 2+125 bytes from a server), so that coder's control frames reach
// the wire.Conn whole, and the data frames the socket writes itself
// (wire.Options.OwnFrames) always start at a frame boundary. Each socket
// holds both for its whole life, parked or not.
const (
	coderReadBuffer  = 16
	coderWriteBuffer = 128
)

// Unwrap returns the wrapped ResponseWriter, for http.ResponseController.
func (w *hijackWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
