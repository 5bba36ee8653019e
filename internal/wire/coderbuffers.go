package wire

// The sizes of coder/websocket's own buffers over a server's Conn, which
// the router's hijack gives it: the Conn under them buffers the frames.
// The read buffer holds a frame's header (at most 14
// bytes; 16 is bufio's least); the write buffer a whole control frame (at
// most 2+125 bytes from a server), so that coder's control frames reach
// the wire.Conn whole, and the data frames the socket writes itself
// (wire.Options.OwnFrames) always start at a frame boundary. Each socket
// holds both for its whole life, parked or not.
const (
	CoderReadBuffer  = 16
	CoderWriteBuffer = 128
)
