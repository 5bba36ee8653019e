package cat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// The connection of wsflow cat: its opening, what it prints, and its end.

// catDial opens the connection, or reports why it could not.
func catDial(ctx context.Context, cfg *catConfig, stderr io.Writer) (*websocket.Conn, bool) {
	ctx, cancel := context.WithTimeout(ctx, catDialTimeout)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, cfg.url, &websocket.DialOptions{
		// No idle connections: a refused handshake's closes with it.
		HTTPClient:   &http.Client{Transport: &http.Transport{DisableKeepAlives: true}},
		HTTPHeader:   cfg.header,
		Subprotocols: cfg.subprotocols,
	})
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			body, _ := io.ReadAll(resp.Body) // coder/websocket kept the first 1 KiB
			fmt.Fprintf(stderr, "wsflow cat: handshake refused: HTTP %s\n", resp.Status)
			if b := strings.TrimSpace(string(body)); b != "" {
				fmt.Fprintln(stderr, b)
			}
			return nil, false
		}
		fmt.Fprintf(stderr, "wsflow cat: %v\n", err)
		return nil, false
	}
	conn.SetReadLimit(catReadLimit)
	fmt.Fprintf(stderr, "connected to %s", cfg.url)
	if p := conn.Subprotocol(); p != "" {
		fmt.Fprintf(stderr, " (subprotocol %s)", p)
	}
	fmt.Fprintln(stderr)
	return conn, true
}

// printMessages prints every message conn receives, until reading ends,
// and returns the error that ended it: a websocket.CloseError when the
// server closed.
func printMessages(conn *websocket.Conn, stdout io.Writer) error {
	for {
		typ, p, err := conn.Read(context.Background())
		if err != nil {
			return err
		}
		if typ == websocket.MessageBinary {
			p = hexLine(p)
		}
		stdout.Write(append(p, '\n'))
	}
}

// hexLine renders a binary message as "binary:" and its bytes in hex.
func hexLine(p []byte) []byte {
	const digits = "0123456789abcdef"
	b := make([]byte, 0, len("binary:")+3*len(p))
	b = append(b, "binary:"...)
	for _, c := range p {
		b = append(b, ' ', digits[c>>4], digits[c&0xf])
	}
	return b
}

// closeAndWait sends the close frame 1000 and waits for the server's,
// printing the messages that come before it.
func closeAndWait(conn *websocket.Conn, received <-chan error, stderr io.Writer) int {
	if err := sendClose(conn); err != nil {
		conn.CloseNow()
		return reportEnd(<-received, stderr)
	}
	timer := time.NewTimer(catCloseWait)
	defer timer.Stop()
	select {
	case err := <-received:
		return reportEnd(err, stderr)
	case <-timer.C:
		conn.CloseNow()
		<-received
		fmt.Fprintf(stderr, "wsflow cat: the server sent no close frame within %v\n", catCloseWait)
		return 1
	}
}

// opClose is the opcode of a close frame (RFC 6455 section 5.2).
const opClose websocket.MessageType = 8

// sendClose sends a close frame with code 1000 and returns at once, so
// that the reader goes on printing what the server sends until its own
// close frame. coder/websocket's Close would not do: it reads the
// server's answer itself and discards the data messages before it (as its
// documentation says), and those are the answers to the last lines sent.
// Its Write sends a frame of the opcode it is given, and marks the close
// as sent, as Close does.
func sendClose(conn *websocket.Conn) error {
	return conn.Write(context.Background(), opClose, []byte{0x03, 0xe8}) // 1000, no reason
}

// reportEnd prints how the connection ended and returns the exit status.
func reportEnd(err error, stderr io.Writer) int {
	var ce websocket.CloseError
	if !errors.As(err, &ce) {
		fmt.Fprintf(stderr, "wsflow cat: connection dropped: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "closed: %s\n", describeClose(ce))
	if ce.Code == websocket.StatusNormalClosure || ce.Code == websocket.StatusGoingAway {
		return 0
	}
	return 1
}

// closeNames names the close codes of RFC 6455 and its registry.
var closeNames = map[websocket.StatusCode]string{
	1000: "normal closure", 1001: "going away", 1002: "protocol error", 1003: "unsupported data",
	1005: "no status", 1007: "invalid payload", 1008: "policy violation", 1009: "message too big",
	1010: "mandatory extension", 1011: "internal error", 1012: "service restart",
	1013: "try again later", 1014: "bad gateway",
}

// describeClose renders a close as its code, the code's name if it has
// one, and the reason, quoted, if there is one: 1000 normal closure,
// 4000 "x", 1011 internal error "internal error".
func describeClose(ce websocket.CloseError) string {
	s := fmt.Sprint(int(ce.Code))
	if name := closeNames[ce.Code]; name != "" {
		s += " " + name
	}
	if ce.Reason != "" {
		s += fmt.Sprintf(" %q", ce.Reason)
	}
	return s
}
