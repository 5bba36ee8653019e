package router_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/rooms"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/transformer"
)

// The per-delivery cost of a room over loopback: benchRoomMembers
// coder/websocket clients join one room, messages of benchRoomSize bytes
// are published to it in this process, at most benchRoomWindow ahead of
// the slowest member, and one op is one message delivered to one member,
// checked byte for byte. ns/op and allocs/op count the clients too.
const (
	benchRoomMembers = 8
	benchRoomSize    = 64
	benchRoomWindow  = 64
)

// BenchmarkRoomsDelivery: a room of rooms.Rooms, on its in-process
// broker, as the demo's chat runs.
func BenchmarkRoomsDelivery(b *testing.B) {
	var chat rooms.Rooms[string]
	h := router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return chat.Join("bench")
	}, benchEchoOptions()...)
	ctx := context.Background()
	benchRoom(b, h, func() int { return chat.Members("bench") }, func(m string) {
		if err := chat.Publish(ctx, "bench", m); err != nil {
			panic(err)
		}
	})
}

var errMismatch = errors.New("a delivery differs from the message")

// benchRoom serves h, joins benchRoomMembers clients (members reports
// how many have joined), and publishes with publish until each member
// has received its share of b.N deliveries.
func benchRoom(b *testing.B, h http.Handler, members func() int, publish func(string)) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx := context.Background()
	msg := strings.Repeat("m", benchRoomSize)
	n := max(b.N/benchRoomMembers, 1)
	window := make([]chan struct{}, benchRoomMembers)
	done := make(chan error, benchRoomMembers)
	var conns []*websocket.Conn
	for i := range window {
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer c.CloseNow()
		conns = append(conns, c)
		window[i] = make(chan struct{}, benchRoomWindow)
	}
	for members() < benchRoomMembers {
		runtime.Gosched() // a member joins once its handshake's answer is out
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i, c := range conns {
		go func() {
			buf := make([]byte, 0, 2*benchRoomSize)
			for range n {
				_, p, err := benchReadInto(ctx, c, buf)
				if err == nil && string(p) != msg {
					err = errMismatch
				}
				if err != nil {
					done <- err
					return
				}
				buf = p
				<-window[i]
			}
			done <- nil
		}()
	}
	for range n {
		for _, w := range window {
			w <- struct{}{}
		}
		publish(msg)
	}
	for range conns {
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
}
