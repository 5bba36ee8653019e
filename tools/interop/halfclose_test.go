package interop_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/internal/flowtest"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/transformer"
)

// seen is what a half-close server saw of its client.
type seen struct {
	messages []string // read before the client's close
	close    int      // the client's close code
	err      error    // why the server stopped early, if it did
}

// halfCloseServer is a gorilla/websocket server that reads until the
// client's close frame and then, instead of answering it, runs after,
// which may still send data messages, and may close.
func halfCloseServer(t *testing.T, after func(c *gorilla.Conn)) (*wstest.Server, <-chan seen) {
	saw := make(chan seen, 1)
	up := gorilla.Upgrader{}
	srv := wstest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			saw <- seen{err: err}
			return
		}
		defer c.Close()
		var s seen
		c.SetCloseHandler(func(code int, _ string) error { s.close = code; return nil }) // no answer yet
		for {
			_, p, err := c.ReadMessage()
			var ce *gorilla.CloseError
			if errors.As(err, &ce) {
				break
			}
			if err != nil {
				saw <- seen{err: err}
				return
			}
			s.messages = append(s.messages, string(p))
		}
		saw <- s
		after(c)
	}))
	return srv, saw
}

// sendThenClose returns an after that sends msgs and then the close code.
func sendThenClose(msgs []string, code int, reason string) func(*gorilla.Conn) {
	return func(c *gorilla.Conn) {
		for _, m := range msgs {
			if c.WriteMessage(gorilla.TextMessage, []byte(m)) != nil {
				return
			}
		}
		c.WriteMessage(gorilla.CloseMessage, gorilla.FormatCloseMessage(code, reason))
	}
}

// collect is a sink that keeps what it receives.
type collect struct {
	mu  sync.Mutex
	got []string
}

func (c *collect) sink() flow.Sink[string] {
	return flow.ForEach(func(m string) { c.mu.Lock(); c.got = append(c.got, m); c.mu.Unlock() })
}

func (c *collect) values() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.got...)
}

// late are the messages a server sends after the client's close frame:
// many, and one larger than every buffer on the way.
func late(n int) []string {
	msgs := make([]string, n)
	for i := range msgs {
		msgs[i] = fmt.Sprintf("late %d", i)
	}
	msgs[n/2] = strings.Repeat("é", 30000) // 60,000 bytes
	return msgs
}

// The client's output completing sends its close frame, and what the
// server sends afterwards, up to its own close frame, still reaches the
// flow's input: nothing is lost. The server's 1000 makes Dial return nil.
func TestHalfCloseLosesNothingTheServerSendsAfterTheClientsClose(t *testing.T) {
	msgs := late(200)
	srv, saw := halfCloseServer(t, sendThenClose(msgs, gorilla.CloseNormalClosure, "after yours"))
	var c collect
	f := flow.Wrap(c.sink(), flow.Just("a", "b"))
	require.NoError(t, client.Dial(testCtx(t), srv.URL("/"), transformer.String(), f))
	s := <-saw
	require.NoError(t, s.err)
	require.Equal(t, []string{"a", "b"}, s.messages, "the output is written before the close")
	require.Equal(t, gorilla.CloseNormalClosure, s.close)
	require.Equal(t, msgs, c.values(), "every message after the client's close, in order")
}

// The socket ends with the server's close code: a code other than 1000
// after the client's close is a *ServerClosed.
func TestHalfCloseEndsWithTheServersCode(t *testing.T) {
	srv, saw := halfCloseServer(t, sendThenClose([]string{"one more"}, 4001, "not so fast"))
	var c collect
	err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flow.Wrap(c.sink(), flow.Just("bye")))
	var sc *client.ServerClosed
	require.ErrorAs(t, err, &sc)
	require.Equal(t, message.Close{Code: 4001, Reason: "not so fast"}, sc.Close)
	require.Equal(t, gorilla.CloseNormalClosure, (<-saw).close)
	require.Equal(t, []string{"one more"}, c.values())
}

// A server that never sends its close frame is dropped once the close
// timeout has passed since the client's: Dial returns, with
// ErrNoCloseFrame, and what came before is delivered. The same when the
// client has nothing to say and closes at once, as its flow starts, or
// even before the runtime has started it (a Take(0) completes as it is
// built).
func TestHalfCloseDropsAServerThatNeverCloses(t *testing.T) {
	for _, tt := range []struct {
		name string
		f    func(*collect) flow.Flow[string, string]
		want []string
	}{
		{"after a message", func(c *collect) flow.Flow[string, string] { return flow.Wrap(c.sink(), flow.Just("bye")) }, []string{"still here"}},
		{"at once", func(c *collect) flow.Flow[string, string] { return flow.Wrap(c.sink(), flow.Empty[string]()) }, []string{"still here"}},
		{"as the flow is built", func(*collect) flow.Flow[string, string] { return flow.Take[string](0) }, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dropped := make(chan error, 1)
			srv, _ := halfCloseServer(t, func(c *gorilla.Conn) {
				c.WriteMessage(gorilla.TextMessage, []byte("still here"))
				_, err := io.Copy(io.Discard, c.NetConn()) // until the client drops the connection
				dropped <- err
			})
			var c collect
			const wait = 100 * time.Millisecond
			start := time.Now()
			err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), tt.f(&c), client.WithCloseTimeout(wait))
			require.ErrorIs(t, err, client.ErrNoCloseFrame)
			require.GreaterOrEqual(t, time.Since(start), wait, "the client waited for the close frame")
			var sc *client.ServerClosed
			require.False(t, errors.As(err, &sc))
			require.NoError(t, <-dropped, "the client closed the TCP connection")
			require.Equal(t, tt.want, c.values())
		})
	}
}

// A server that drops the connection after the client's close, without a
// close frame: what it sent is delivered, and Dial reports the drop.
func TestHalfCloseServerDrops(t *testing.T) {
	srv, _ := halfCloseServer(t, func(c *gorilla.Conn) {
		c.WriteMessage(gorilla.TextMessage, []byte("last words"))
		c.NetConn().Close()
	})
	var c collect
	err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flow.Wrap(c.sink(), flow.Just("bye")))
	require.Error(t, err)
	require.NotErrorIs(t, err, client.ErrNoCloseFrame)
	var sc *client.ServerClosed
	require.False(t, errors.As(err, &sc), "%v", err)
	require.Equal(t, []string{"last words"}, c.values())
}

// A flow that takes no more input once its output is done (a StageFunc
// that returned): what the server sends after the client's close is read
// and dropped, and the server's close still ends the socket.
func TestHalfCloseFlowThatTakesNoMoreInput(t *testing.T) {
	srv, saw := halfCloseServer(t, sendThenClose(late(50), gorilla.CloseNormalClosure, ""))
	var got []string
	require.NoError(t, client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flowtest.Script([]string{"only"}, 0, &got)))
	require.Equal(t, []string{"only"}, (<-saw).messages)
	require.Empty(t, got)
}

// Keep-alive stops at the half-close: a server that takes longer than two
// keep-alive intervals to close is not dropped for a missing pong (the
// client sends no ping after its close frame).
func TestHalfCloseStopsKeepAlive(t *testing.T) {
	const interval = 5 * time.Millisecond
	srv, _ := halfCloseServer(t, func(c *gorilla.Conn) {
		time.Sleep(10 * interval) // a slow server, not a synchronisation
		sendThenClose([]string{"late"}, gorilla.CloseNormalClosure, "")(c)
	})
	var c collect
	err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flow.Wrap(c.sink(), flow.Just("bye")),
		client.WithKeepAlive(interval))
	require.NoError(t, err)
	require.Equal(t, []string{"late"}, c.values())
}

// The server's close crossing the client's: both flows complete at once,
// and whichever close frame comes first, Dial returns nil.
func TestHalfCloseCrossesTheServersClose(t *testing.T) {
	srv := wstest.Serve(t, router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Wrap(flow.Ignore[string](), flow.Empty[string]())
	}, router.WithLogger(slog.New(slog.DiscardHandler))))
	for range 50 {
		require.NoError(t, client.Dial(testCtx(t), srv.URL("/"), transformer.String(),
			flow.Wrap(flow.Ignore[string](), flow.Empty[string]())))
	}
}
