package router_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/transformer"
)

// idleHeapProfile names a file for the heap profile BenchmarkIdleSocket
// writes while its sockets are open and idle.
var idleHeapProfile = flag.String("idle.heapprofile", "", "BenchmarkIdleSocket: write a heap profile of the open idle sockets to `file`")

// idleSockets is how many sockets BenchmarkIdleSocket holds open.
const idleSockets = 2000

// idleSettle is how long BenchmarkIdleSocket leaves its sockets silent
// before it measures: past the one to two seconds after which a socket
// parks.
const idleSettle = 3 * time.Second

// BenchmarkIdleSocket measures what an idle socket of the demo's /echo
// holds on the server: idleSockets connections are upgraded and left
// waiting, and the heap in use, the goroutine stacks and the goroutines
// are read (runtime.MemStats after a collection) before and with them
// open, idleSettle after the last handshake. The clients are bare TCP connections that wrote the handshake and
// read its response, so that nearly all of the difference is the
// server's: each client holds its net.Conn (a few hundred bytes of heap,
// counted in heap-B/socket). Run it with -benchtime 1x; with
// -idle.heapprofile FILE it writes a heap profile (every allocation
// sampled) while the sockets are open.
func BenchmarkIdleSocket(b *testing.B) {
	b.Run("keepalive=off", func(b *testing.B) { benchIdleSocket(b, 0) })
	b.Run("keepalive=30s", func(b *testing.B) { benchIdleSocket(b, 30*time.Second) })
}

// benchIdleSocket is BenchmarkIdleSocket with the router's keep-alive
// interval (0: off, as under the load generator; 30s: the router's
// default).
func benchIdleSocket(b *testing.B, keepAlive time.Duration) {
	if *idleHeapProfile != "" {
		defer func(rate int) { runtime.MemProfileRate = rate }(runtime.MemProfileRate)
		runtime.MemProfileRate = 1
	}
	var heap, stack, goroutines float64
	for range b.N {
		g := router.NewGroup(0)
		h := router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
			return flow.Identity[string]()
		}, append(benchEchoOptions(), router.WithGroup(g), router.WithKeepAlive(keepAlive))...)
		srv := httptest.NewServer(h)
		addr := strings.TrimPrefix(srv.URL, "http://")
		before := idleMem()
		conns := make([]net.Conn, 0, idleSockets)
		for range idleSockets {
			c, err := dialIdle(addr)
			if err != nil {
				closeRaw(conns)
				srv.Close()
				b.Fatal(err)
			}
			conns = append(conns, c)
		}
		// The handlers return once their sockets run; a socket parks once
		// its peer has been silent for a second or two: each then holds
		// what it holds while idle.
		for deadline := time.Now().Add(10 * time.Second); runtime.NumGoroutine() > before.goroutines+idleSockets && time.Now().Before(deadline); {
			runtime.Gosched()
		}
		time.Sleep(idleSettle)
		after := idleMem()
		if *idleHeapProfile != "" {
			if err := writeHeapProfile(*idleHeapProfile); err != nil {
				b.Error(err)
			}
		}
		// As floats: a figure that shrank (freed stacks) must not wrap.
		heap += (float64(after.heap) - float64(before.heap)) / idleSockets
		stack += (float64(after.stack) - float64(before.stack)) / idleSockets
		goroutines += float64(after.goroutines-before.goroutines) / idleSockets
		closeRaw(conns)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := g.Shutdown(ctx)
		cancel()
		srv.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(heap/float64(b.N), "heap-B/socket")
	b.ReportMetric(stack/float64(b.N), "stack-B/socket")
	b.ReportMetric(goroutines/float64(b.N), "goroutines/socket")
}

type memFigures struct {
	heap, stack uint64
	goroutines  int
}

// idleMem reads the heap in use and the stacks after a collection.
func idleMem() memFigures {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memFigures{heap: ms.HeapInuse, stack: ms.StackInuse, goroutines: runtime.NumGoroutine()}
}

// dialIdle opens a TCP connection to addr and upgrades it with a bare
// handshake to /, reading the response's head whole.
func dialIdle(addr string) (net.Conn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	_, err = fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", addr)
	if err == nil {
		// The response has no body: reading byte by byte up to its blank
		// line leaves nothing of the connection unread.
		br := bufio.NewReaderSize(oneByteReader{c}, 16)
		var resp *http.Response
		if resp, err = http.ReadResponse(br, nil); err == nil && resp.StatusCode != http.StatusSwitchingProtocols {
			err = fmt.Errorf("handshake: %s", resp.Status)
		}
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// oneByteReader reads one byte at a time.
type oneByteReader struct{ c net.Conn }

func (r oneByteReader) Read(p []byte) (int, error) { return r.c.Read(p[:1]) }

func closeRaw(conns []net.Conn) {
	for _, c := range conns {
		c.Close()
	}
}

func writeHeapProfile(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
