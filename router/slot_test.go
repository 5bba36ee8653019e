package router_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
)

// slotWatch records how many sockets its group counts open at the moment
// a socket's end is reported: in its closing log line and to its
// observer.
type slotWatch struct {
	g        *router.Group
	atLog    chan int
	atClosed chan int
}

func (w *slotWatch) Enabled(context.Context, slog.Level) bool { return true }
func (w *slotWatch) WithAttrs([]slog.Attr) slog.Handler       { return w }
func (w *slotWatch) WithGroup(string) slog.Handler            { return w }
func (w *slotWatch) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "websocket closed" {
		w.atLog <- w.g.Len()
	}
	return nil
}

func (w *slotWatch) Handshake(string, int)                                {}
func (w *slotWatch) Open(string) router.SocketObserver                    { return w }
func (w *slotWatch) MessageIn(message.Kind, int)                          {}
func (w *slotWatch) MessageOut(message.Kind, int)                         {}
func (w *slotWatch) Closed(message.Close, router.ClosedBy, time.Duration) { w.atClosed <- w.g.Len() }

// A socket's end is reported (the closing log line, the observer's
// Closed) only once its place in the group is free: whoever waits for
// that report can open the next socket under a full limit.
func TestSlotFreeWhenEndIsReported(t *testing.T) {
	g := router.NewGroup(1)
	w := &slotWatch{g: g, atLog: make(chan int, 1), atClosed: make(chan int, 1)}
	srv := wstest.Serve(t, echoWith(router.WithGroup(g), router.WithLogger(slog.New(w)), router.WithObserver(w)))
	c := srv.Dial(t, "/")
	c.Close()
	require.Equal(t, 0, <-w.atClosed, "open sockets when the observer sees the close")
	require.Equal(t, 0, <-w.atLog, "open sockets when the closing line is logged")
	d := srv.Dial(t, "/") // the only place is free
	d.SendText("next")
	d.ExpectText("next")
	d.Close()
	<-w.atClosed
	<-w.atLog
	require.NoError(t, g.Shutdown(context.Background()))
}
