// Package cmdtest holds what the tests of the wsflow commands share: a
// hang guard for every wait, an application served for one test, a
// buffer that a test can wait on (a server's standard output or log), and
// the size of a loopback connection's kernel buffers.
package cmdtest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wsflow/wsflow/router/wstest"
)

// Timeout bounds every wait of a test, so that a broken test fails instead
// of hanging; nothing is expected to come near it.
const Timeout = 30 * time.Second

// Context returns a context that ends with the test or after Timeout.
func Context(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	tb.Cleanup(cancel)
	return ctx
}

// Buffer is a bytes.Buffer safe for concurrent use that can wait for text
// to appear in it. The zero Buffer is empty and ready to use.
type Buffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed by the next Write
}

// Write appends p to the buffer and wakes whoever waits on it.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
	return b.buf.Write(p)
}

// String returns what has been written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// WaitFor blocks until the buffer holds s, or ctx ends.
func (b *Buffer) WaitFor(ctx context.Context, s string) error {
	for {
		b.mu.Lock()
		if strings.Contains(b.buf.String(), s) {
			b.mu.Unlock()
			return nil
		}
		if b.changed == nil {
			b.changed = make(chan struct{})
		}
		changed := b.changed
		b.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("waiting for %q: %w", s, ctx.Err())
		}
	}
}

// SocketBuffers is an upper bound of the bytes that the kernel buffers of
// one loopback connection hold for a peer that does not read: Linux's
// largest send buffer (the server's, grown by autotuning) and default
// receive buffer (the peer's, which grows only as it reads), from
// /proc/sys/net/ipv4, plus coder/websocket's buffers; 8 MiB where those
// cannot be read.
func SocketBuffers() int64 {
	field := func(file string, i int) (int64, bool) {
		b, err := os.ReadFile(file)
		if err != nil {
			return 0, false
		}
		f := strings.Fields(string(b))
		if len(f) != 3 {
			return 0, false
		}
		n, err := strconv.ParseInt(f[i], 10, 64)
		return n, err == nil
	}
	send, ok1 := field("/proc/sys/net/ipv4/tcp_wmem", 2)
	recv, ok2 := field("/proc/sys/net/ipv4/tcp_rmem", 1)
	if !ok1 || !ok2 {
		return 8 << 20
	}
	return send + recv + 64<<10
}

// Serve serves h, an application with open sockets to shut down, on a
// loopback port with router/wstest until the end of the test, and returns
// its HOST:PORT. At the end of the test shutdown is called (bounded by
// Timeout), before the server closes, and the test fails unless it returns
// nil: every socket has then closed.
func Serve(tb testing.TB, h http.Handler, shutdown func(context.Context) error) (addr string) {
	tb.Helper()
	srv := wstest.Serve(tb, h)
	tb.Cleanup(func() { // runs before wstest's cleanup, registered first
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		if err := shutdown(ctx); err != nil {
			tb.Errorf("shutting down: %v", err)
		}
	})
	return strings.TrimPrefix(srv.HTTPURL(""), "http://")
}
