package wire

import (
	"bytes"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// deadlineConn is a server's end of a loopback connection that checks,
// at every write, that a write deadline is in force and that it is not
// later than the write timeout from now: a write that blocks is then
// failed within the timeout of when it began, however long ago the
// deadline was set.
type deadlineConn struct {
	net.Conn
	t       *testing.T
	timeout time.Duration

	mu       sync.Mutex
	deadline time.Time
	closed   bool
}

func (c *deadlineConn) SetWriteDeadline(d time.Time) error {
	c.mu.Lock()
	c.deadline = d
	c.mu.Unlock()
	return c.Conn.SetWriteDeadline(d)
}

func (c *deadlineConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	d := c.deadline
	c.mu.Unlock()
	if d.IsZero() || d.After(time.Now().Add(c.timeout)) {
		c.t.Errorf("a write of %d bytes under the deadline %v, beyond the timeout %v from now", len(p), d, c.timeout)
	}
	return c.Conn.Write(p)
}

func (c *deadlineConn) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	return c.Conn.Close()
}

// loopbackPair returns both ends of a TCP connection on 127.0.0.1.
func loopbackPair(t *testing.T) (server, peer net.Conn) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	peer, err = net.Dial("tcp", l.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { peer.Close() })
	server, err = l.Accept()
	require.NoError(t, err)
	t.Cleanup(func() { server.Close() })
	return server, peer
}

// A peer that never reads fails the first write that cannot proceed
// within the write timeout of its start, and that failure is the
// connection's: every later write, of any kind and from any goroutine,
// fails with it at once instead of waiting a timeout of its own, and the
// connection is closed, so that its reader stops too.
func TestWriteFailureEndsTheConnection(t *testing.T) {
	const timeout = 200 * time.Millisecond
	for _, tt := range []struct {
		name  string
		write func(c *Conn) error
	}{
		{"a large message", func(c *Conn) error { return c.WriteMessage(false, make([]byte, 1<<20)) }},
		{"small messages", func(c *Conn) error { return c.WriteMessage(true, bytes.Repeat([]byte("x"), 1000)) }},
		{"held messages", func(c *Conn) error {
			c.Hold()
			defer c.Release()
			for range 100 {
				if err := c.WriteMessage(true, bytes.Repeat([]byte("x"), 1000)); err != nil {
					return err
				}
			}
			return nil
		}},
		{"coder's large frames", func(c *Conn) error {
			_, err := c.Write(serverFrame(0x82, make([]byte, 1<<20)))
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			server, _ := loopbackPair(t) // the peer never reads
			dc := &deadlineConn{Conn: server, t: t, timeout: timeout}
			c := NewServerConn(dc, timeout, 1<<20)
			var failure error
			for failure == nil {
				failure = tt.write(c)
			}
			if tt.name == "held messages" {
				// Release wrote what was held: its failure is the
				// connection's.
				failure = c.WriteMessage(true, []byte("x"))
			}
			require.ErrorIs(t, c.WriteMessage(true, []byte("x")), failure)
			require.ErrorIs(t, c.WriteMessage(false, make([]byte, 1<<20)), failure)
			_, err := c.Write(serverFrame(0x8a, nil))
			require.ErrorIs(t, err, failure)
			dc.mu.Lock()
			require.True(t, dc.closed, "the connection is closed")
			dc.mu.Unlock()
			_, err = c.Read(make([]byte, 10))
			require.Error(t, err)
		})
	}
}
