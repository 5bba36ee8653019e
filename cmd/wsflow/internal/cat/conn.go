package cat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/transformer"
)

// The connection of wsflow cat: a flow run by client.Dial whose input is
// printed on stdout and whose output is the lines of stdin, and its end.

// session is one run of wsflow cat over one connection.
type session struct {
	cfg       *catConfig
	interrupt context.Context // ends on an interrupt: cat then closes as at the end of stdin
	stdin     io.Reader
	stdout    io.Writer
	stderr    io.Writer
	closeWait time.Duration // for the server's close frame after cat's: catCloseWait
	handshake time.Duration // for the opening handshake: catHandshakeTimeout

	opened atomic.Bool // the handshake succeeded
}

// run dials, runs the flow until the connection closes, and returns the
// exit status.
func (s *session) run() int {
	// The connection outlives an interrupt, which closes it with 1000 as
	// the end of stdin does; before the handshake, the interrupt abandons
	// the dial.
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(s.interrupt))
	defer cancel(nil)
	stopInterrupt := context.AfterFunc(s.interrupt, func() { cancel(context.Cause(s.interrupt)) })
	defer stopInterrupt()

	opts := []client.Option{
		client.WithHandshakeTimeout(s.handshake),
		client.WithReadLimit(catReadLimit),
		client.WithCloseTimeout(s.closeWait),
		client.WithSubprotocols(s.cfg.subprotocols...),
		client.WithOnOpen(func(resp *http.Response) {
			stopInterrupt()
			s.opened.Store(true)
			fmt.Fprintf(s.stderr, "connected to %s", s.cfg.url)
			if p := resp.Header.Get("Sec-WebSocket-Protocol"); p != "" {
				fmt.Fprintf(s.stderr, " (subprotocol %s)", escaped(p))
			}
			fmt.Fprintln(s.stderr)
		}),
	}
	for name, values := range s.cfg.header {
		for _, v := range values {
			opts = append(opts, client.WithHeader(name, v))
		}
	}
	f := flow.Wrap(flow.ForEach(s.print), flow.SourceFunc(s.send))
	return s.report(client.Dial(ctx, s.cfg.url, transformer.Raw(), f, opts...))
}

// print prints a message the server sent.
func (s *session) print(m message.Message) {
	var line []byte
	switch m := m.(type) {
	case message.Text:
		if s.cfg.raw {
			line = []byte(m)
		} else {
			line = appendEscaped(nil, string(m))
		}
	case message.Binary:
		line = hexLine(m)
	}
	s.stdout.Write(append(line, '\n'))
}

// send emits each line of stdin as a message. At the end of stdin, or on
// an interrupt, it returns: the flow's output completes, and the client
// half-closes, sending the close frame 1000 and still printing what the
// server sends until its own close frame (see package client).
func (s *session) send(ctx context.Context, emit func(message.Message) error) error {
	lines := readLines(s.stdin)
	defer lines.stop()
	for {
		select {
		case line, more := <-lines.c:
			if !more {
				if err := lines.err(); err != nil {
					fmt.Fprintf(s.stderr, "wsflow cat: reading standard input: %v\n", err)
				}
				return nil
			}
			var m message.Message = message.Text(line)
			if s.cfg.binary {
				m = message.Binary(line)
			}
			if err := emit(m); err != nil {
				return err // the connection has ended: Dial says how
			}
		case <-s.interrupt.Done():
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}

// report prints how the connection ended, given what client.Dial
// returned, and returns the exit status.
func (s *session) report(err error) int {
	var (
		refused *client.HandshakeError
		closed  *client.ServerClosed
	)
	switch {
	case err == nil:
		fmt.Fprintf(s.stderr, "closed: %s\n", describeClose(message.Close{Code: message.NormalClosure}))
		return 0
	case errors.As(err, &closed):
		fmt.Fprintf(s.stderr, "closed: %s\n", describeClose(closed.Close))
		if closed.Code == message.GoingAway {
			return 0
		}
	case errors.As(err, &refused):
		fmt.Fprintf(s.stderr, "wsflow cat: handshake refused: HTTP %d %s", refused.StatusCode, http.StatusText(refused.StatusCode))
		if refused.Location != "" {
			fmt.Fprintf(s.stderr, ", a redirect to %s (not followed)", escaped(refused.Location))
		}
		fmt.Fprintln(s.stderr)
		if b := strings.TrimSpace(refused.Body); b != "" {
			fmt.Fprintln(s.stderr, escaped(b))
		}
	case errors.Is(err, client.ErrNoCloseFrame):
		fmt.Fprintf(s.stderr, "wsflow cat: the server sent no close frame within %v\n", s.closeWait)
	case s.opened.Load():
		fmt.Fprintf(s.stderr, "wsflow cat: connection dropped: %s\n", escaped(err.Error()))
	default:
		fmt.Fprintf(s.stderr, "wsflow cat: %s\n", escaped(err.Error()))
	}
	return 1
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

// describeClose renders a close as its code, the code's name if it has
// one, and the reason, quoted, if there is one: 1000 normal closure,
// 4000 "x", 1011 internal error "internal error".
func describeClose(c message.Close) string {
	s := c.Code.String()
	if c.Reason != "" {
		s += fmt.Sprintf(" %q", c.Reason)
	}
	return s
}
