package router_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/internal/wire"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/transformer"
)

// The per-message cost of a whole socket over loopback: a coder/websocket
// client on one 127.0.0.1 connection keeps benchEchoWindow messages of
// benchEchoSize bytes in flight (a writer goroutine takes a token per
// message, the reading loop gives one back per echo, checked byte for
// byte), and one op is one echoed message. ns/op and allocs/op count
// client and server together, since both run in this process; compare
// with the baselines below, run by the same loop:
//
//   - BenchmarkEchoCoderText/Binary: a raw coder/websocket echo with
//     Read and Write and context.Background(), the baseline of
//     "wsflow-tools bench" (coder-bg).
//   - BenchmarkEchoCoderFloor: a raw coder/websocket echo that reads into
//     a reused buffer, so the server allocates nothing of its own: what is
//     left is the client's share and coder/websocket's own.
//
// The wsflow sockets run with the router's defaults (read limit, write
// timeout) but without keep-alive, as the demo does under "wsflow-tools bench".
const (
	benchEchoSize   = 1024
	benchEchoWindow = 16
)

func BenchmarkEchoString(b *testing.B) {
	h := router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]()
	}, benchEchoOptions()...)
	benchEcho(b, h, websocket.MessageText)
}

func BenchmarkEchoBytes(b *testing.B) {
	h := router.Accept(transformer.Bytes(), func(*http.Request) flow.Flow[[]byte, []byte] {
		return flow.Identity[[]byte]()
	}, benchEchoOptions()...)
	benchEcho(b, h, websocket.MessageBinary)
}

func BenchmarkEchoCoderText(b *testing.B) {
	benchEcho(b, benchCoderEcho(), websocket.MessageText)
}

func BenchmarkEchoCoderBinary(b *testing.B) {
	benchEcho(b, benchCoderEcho(), websocket.MessageBinary)
}

func BenchmarkEchoCoderFloor(b *testing.B) {
	benchEcho(b, benchCoderFloorEcho(), websocket.MessageText)
}

func benchEchoOptions() []router.Option {
	return []router.Option{
		router.WithKeepAlive(0),
		router.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
	}
}

// benchCoderEcho is the raw coder/websocket echo: Read and Write with
// context.Background().
func benchCoderEcho() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := context.Background()
		for {
			typ, p, err := c.Read(ctx)
			if err != nil {
				return
			}
			if err := c.Write(ctx, typ, p); err != nil {
				return
			}
		}
	})
}

// benchCoderFloorEcho echoes through a reused buffer.
func benchCoderFloorEcho() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := context.Background()
		buf := make([]byte, 0, 2*benchEchoSize)
		for {
			typ, p, err := benchReadInto(ctx, c, buf)
			if err != nil {
				return
			}
			if err := c.Write(ctx, typ, p); err != nil {
				return
			}
			buf = p[:0]
		}
	})
}

// benchReadInto reads the next message into buf's spare capacity.
func benchReadInto(ctx context.Context, c *websocket.Conn, buf []byte) (websocket.MessageType, []byte, error) {
	typ, r, err := c.Reader(ctx)
	if err != nil {
		return 0, buf, err
	}
	buf, err = wire.ReadAll(r, buf[:0])
	return typ, buf, err
}

// benchEcho serves h on 127.0.0.1 and echoes b.N messages of type typ
// through it on one connection, benchEchoWindow in flight.
func benchEcho(b *testing.B, h http.Handler, typ websocket.MessageType) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseNow()
	msg := bytes.Repeat([]byte("0123456789abcdef"), benchEchoSize/16)

	tokens := make(chan struct{}, benchEchoWindow)
	stop := make(chan struct{})
	written := make(chan error, 1)
	b.SetBytes(benchEchoSize)
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		for range b.N {
			select {
			case tokens <- struct{}{}:
			case <-stop:
				written <- nil
				return
			}
			if err := c.Write(ctx, typ, msg); err != nil {
				written <- err
				return
			}
		}
		written <- nil
	}()
	buf := make([]byte, 0, 2*benchEchoSize)
	for i := range b.N {
		got, p, err := benchReadInto(ctx, c, buf)
		if err == nil && (got != typ || !bytes.Equal(p, msg)) {
			err = errors.New("the echo differs from the message")
		}
		if err != nil {
			close(stop)
			c.CloseNow()
			<-written
			b.Fatalf("echo %d: %v", i, err)
		}
		buf = p
		<-tokens
	}
	b.StopTimer()
	if err := <-written; err != nil {
		b.Fatal(err)
	}
	if err := c.Close(websocket.StatusNormalClosure, ""); err != nil {
		b.Fatal(err)
	}
}
