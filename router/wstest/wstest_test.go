package wstest_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router/wstest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// scripted is a plain coder/websocket handler, to show that the kit needs
// no wsflow: it echoes every message, except the text messages
// "close CODE [REASON]", which close the socket, and "header NAME", which
// answer with that header of the handshake request.
func scripted(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		Subprotocols:    []string{"v1"},
		CompressionMode: websocket.CompressionContextTakeover,
	})
	if err != nil {
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(-1)
	ctx := context.Background()
	for {
		typ, p, err := c.Read(ctx)
		if err != nil {
			return
		}
		cmd, arg, _ := strings.Cut(string(p), " ")
		switch {
		case typ == websocket.MessageText && cmd == "close":
			code, reason, _ := strings.Cut(arg, " ")
			n, _ := strconv.Atoi(code)
			c.Close(websocket.StatusCode(n), reason)
			return
		case typ == websocket.MessageText && cmd == "header":
			p = []byte(r.Header.Get(arg))
		}
		if c.Write(ctx, typ, p) != nil {
			return
		}
	}
}

func serveScripted(t *testing.T) *wstest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/", scripted)
	mux.HandleFunc("/refuse", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Why", "test")
		http.Error(w, "go away", http.StatusForbidden)
	})
	return wstest.Serve(t, mux)
}

// fakeTB records failures. Its Fatalf ends the calling goroutine with
// runtime.Goexit, as testing.T's does.
type fakeTB struct {
	mu       sync.Mutex
	failures []string
	cleanups []func()
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	runtime.Goexit()
}

// runFake runs fn with a fakeTB on a goroutine of its own, as the testing
// package runs a test, and then its cleanups, last first. It returns the
// failures reported and whether fn returned (rather than being ended by
// Fatalf).
func runFake(fn func(tb wstest.TB)) (failures []string, returned bool) {
	f := &fakeTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			for i := len(f.cleanups) - 1; i >= 0; i-- {
				f.cleanups[i]()
			}
		}()
		fn(f)
		returned = true
	}()
	<-done
	return f.failures, returned
}

func TestSendAndExpect(t *testing.T) {
	srv := serveScripted(t)
	c := srv.Dial(t, "/")
	c.SendText("hi")
	c.ExpectText("hi")
	c.SendBinary([]byte{0, 0xff})
	c.ExpectBinary([]byte{0, 0xff})
	c.Send(message.KindText, []byte("héllo ✓"))
	require.Equal(t, "héllo ✓", c.ReadText())
	c.SendBinary(nil)
	typ, p := c.Read()
	require.Equal(t, message.KindBinary, typ)
	require.Empty(t, p)
	big := strings.Repeat("x", 1<<20) // beyond coder/websocket's default read limit
	c.SendText(big)
	c.ExpectText(big)
	c.Close()
	c.Close() // closing twice is not a failure
}

func TestExpectClose(t *testing.T) {
	srv := serveScripted(t)
	c := srv.Dial(t, "/")
	c.SendText("close 4001 custom reason")
	c.ExpectClose(4001, "custom reason")

	c = srv.Dial(t, "/")
	c.SendText("close 1003 whatever")
	c.ExpectCloseCode(message.UnsupportedData)
	c.Close() // after the peer's close: not a failure
}

func TestExpectationsPassOnAFakeTB(t *testing.T) {
	srv := serveScripted(t)
	failures, returned := runFake(func(tb wstest.TB) {
		c := srv.Dial(tb, "/")
		c.SendText("a")
		c.ExpectText("a")
		c.SendText("close 1000")
		c.ExpectClose(message.NormalClosure, "")
	})
	require.Empty(t, failures)
	require.True(t, returned)
}

func TestExpectationsFailOnMismatch(t *testing.T) {
	srv := serveScripted(t)
	long := strings.Repeat("x", 100)
	tests := []struct {
		name  string
		steps func(c *wstest.Conn)
		want  string
	}{
		{"other text", func(c *wstest.Conn) { c.SendText("a"); c.ExpectText("b") },
			`wstest: want text "b", got text "a"`},
		{"binary for text", func(c *wstest.Conn) { c.SendBinary([]byte{1}); c.ExpectText("Hello, hi") },
			`wstest: want text "Hello, hi", got binary [0x01]`},
		{"text for binary", func(c *wstest.Conn) { c.SendText("a"); c.ExpectBinary([]byte{1, 0xab}) },
			`wstest: want binary [0x01 0xab], got text "a"`},
		{"other binary", func(c *wstest.Conn) { c.SendBinary([]byte{2}); c.ExpectBinary([]byte{1}) },
			`wstest: want binary [0x01], got binary [0x02]`},
		{"long text", func(c *wstest.Conn) { c.SendText(long + "a"); c.ExpectText(long + "b") },
			`wstest: want text "` + long[:64] + `"... (101 bytes), got text "` + long[:64] + `"... (101 bytes) (first difference at byte 100)`},
		{"close for text", func(c *wstest.Conn) { c.SendText("close 1000 done"); c.ExpectText("x") },
			`wstest: want text "x", got close 1000 "done"`},
		{"other close code", func(c *wstest.Conn) { c.SendText("close 1000"); c.ExpectClose(1003, "") },
			`wstest: want close 1003 "", got close 1000 ""`},
		{"other close reason", func(c *wstest.Conn) { c.SendText("close 1003 a"); c.ExpectClose(1003, "b") },
			`wstest: want close 1003 "b", got close 1003 "a"`},
		{"other close code only", func(c *wstest.Conn) { c.SendText("close 1000 x"); c.ExpectCloseCode(1003) },
			`wstest: want close 1003, got close 1000 "x"`},
		{"message for close", func(c *wstest.Conn) { c.SendText("hi"); c.ExpectClose(1000, "") },
			`wstest: want close 1000 "", got text "hi"`},
		{"close for Read", func(c *wstest.Conn) { c.SendText("close 1001 bye"); c.Read() },
			`wstest: want a message, got close 1001 "bye"`},
		{"binary for ReadText", func(c *wstest.Conn) { c.SendBinary([]byte{1}); c.ReadText() },
			`wstest: want a text message, got binary [0x01]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			failures, returned := runFake(func(tb wstest.TB) {
				tt.steps(srv.Dial(tb, "/"))
			})
			require.Equal(t, []string{tt.want}, failures)
			require.False(t, returned, "Fatalf must end the test")
		})
	}
}

func TestSendFailsOnAClosedConn(t *testing.T) {
	srv := serveScripted(t)
	failures, returned := runFake(func(tb wstest.TB) {
		c := srv.Dial(tb, "/")
		c.CloseNow()
		c.SendText("x")
	})
	require.Len(t, failures, 1)
	require.Contains(t, failures[0], `wstest: send text "x": `)
	require.False(t, returned)
}

func TestTimeoutEndsAnExpectation(t *testing.T) {
	srv := serveScripted(t)
	failures, returned := runFake(func(tb wstest.TB) {
		c := srv.Dial(tb, "/", wstest.WithTimeout(20*time.Millisecond))
		c.ExpectText("never sent")
	})
	require.Len(t, failures, 1)
	require.Contains(t, failures[0], `wstest: want text "never sent", got nothing within 20ms`)
	require.False(t, returned)
}

func TestDialFailures(t *testing.T) {
	srv := serveScripted(t)
	gone := wstest.Serve(t, http.NotFoundHandler())
	gone.Close()
	tests := []struct {
		name string
		dial func(tb wstest.TB)
		want string
	}{
		{"refused", func(tb wstest.TB) { srv.Dial(tb, "/refuse") },
			`^wstest: dial ws://127\.0\.0\.1:\d+/refuse: refused with HTTP 403 "go away\\n": `},
		{"no server", func(tb wstest.TB) { wstest.Dial(tb, gone.URL("/")) },
			`^wstest: dial ws://127\.0\.0\.1:\d+/: .*refused`},
		{"accepted", func(tb wstest.TB) { srv.DialRefused(tb, "/") },
			`^wstest: dial ws://127\.0\.0\.1:\d+/: want the handshake refused, got an open connection$`},
		{"no response", func(tb wstest.TB) { wstest.DialRefused(tb, gone.URL("/")) },
			`^wstest: dial ws://127\.0\.0\.1:\d+/: want the handshake refused with an HTTP response, got .*refused`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			failures, returned := runFake(tt.dial)
			require.Len(t, failures, 1)
			require.Regexp(t, tt.want, failures[0])
			require.False(t, returned)
		})
	}
}

func TestDialRefused(t *testing.T) {
	srv := serveScripted(t)
	resp := srv.DialRefused(t, "/refuse")
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Equal(t, "test", resp.Header.Get("X-Why"))
	require.Equal(t, "go away\n", resp.Body)
}

func TestDialOptions(t *testing.T) {
	srv := serveScripted(t)
	c := srv.Dial(t, "/",
		wstest.WithHeader("Origin", srv.HTTPURL("")),
		wstest.WithSubprotocols("v2", "v1"),
		wstest.WithHeader("X-Test", "yes"))
	require.Equal(t, "v1", c.Subprotocol())
	c.SendText("header Origin")
	c.ExpectText(srv.HTTPURL(""))
	c.SendText("header X-Test")
	c.ExpectText("yes")
	require.Empty(t, c.Response().Header.Get("Sec-WebSocket-Extensions"))

	c = srv.Dial(t, "/", wstest.WithCompression(message.CompressionContextTakeover))
	require.Contains(t, c.Response().Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate")
	c.SendText(strings.Repeat("compressible ", 100))
	c.ExpectText(strings.Repeat("compressible ", 100))
}

func TestURLs(t *testing.T) {
	srv := serveScripted(t)
	require.Regexp(t, `^ws://127\.0\.0\.1:\d+/chat/lobby\?user=ann$`, srv.URL("/chat/lobby?user=ann"))
	require.Regexp(t, `^http://127\.0\.0\.1:\d+/x$`, srv.HTTPURL("/x"))
	require.Equal(t, "ws"+strings.TrimPrefix(srv.HTTPURL("/x"), "http"), srv.URL("/x"))
	c := wstest.Dial(t, srv.URL("/")) // the package-level Dial takes any URL
	c.SendText("a")
	c.ExpectText("a")
}

func TestServerCloseDropsConnsAndWaitsForHandlers(t *testing.T) {
	returned := make(chan struct{})
	srv := wstest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(returned)
		scripted(w, r)
	}))
	c := srv.Dial(t, "/")
	c.SendText("a")
	c.ExpectText("a")
	srv.Close()
	select {
	case <-returned:
	default:
		t.Fatal("Close returned before the handler did")
	}
	require.Error(t, c.Client().Send(context.Background(), message.Text("x")))
	srv.Close() // again: nothing happens
}

func TestServerCloseReportsHandlerThatNeverReturns(t *testing.T) {
	defer wstest.SetHandlerWait(time.Millisecond)()
	release := make(chan struct{})
	stuck := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		<-release // ignores its peer
	})
	failures, returned := runFake(func(tb wstest.TB) {
		wstest.Serve(tb, stuck).Dial(tb, "/")
	})
	close(release)
	require.True(t, returned)
	require.Len(t, failures, 1)
	require.Regexp(t, `^wstest: a handler of http://127\.0\.0\.1:\d+ is still running 1ms after the server closed`, failures[0])
}

func TestRunExamplePrintsFailuresAndRunsCleanups(t *testing.T) {
	out, err := os.CreateTemp(t.TempDir(), "stdout")
	require.NoError(t, err)
	stdout := os.Stdout
	os.Stdout = out
	var order []string
	wstest.RunExample(func(t wstest.TB) {
		t.Cleanup(func() { order = append(order, "first registered") })
		t.Cleanup(func() { order = append(order, "last registered") })
		t.Fatalf("stop at %d", 1)
		order = append(order, "not reached")
	})
	os.Stdout = stdout
	require.NoError(t, out.Close())
	require.Equal(t, []string{"last registered", "first registered"}, order)
	printed, err := os.ReadFile(out.Name())
	require.NoError(t, err)
	require.Equal(t, "FAIL: stop at 1\n", string(printed))
}

func TestNextReturnsMessagesThenTheClose(t *testing.T) {
	srv := serveScripted(t)
	c := srv.Dial(t, "/")
	c.SendText("a")
	c.SendText("close 4002 done")
	kind, p, closed := c.Next()
	require.Nil(t, closed)
	require.Equal(t, message.KindText, kind)
	require.Equal(t, "a", string(p))
	kind, p, closed = c.Next()
	require.Equal(t, &message.Close{Code: 4002, Reason: "done"}, closed)
	require.Zero(t, kind)
	require.Nil(t, p)
}

func TestSendRefusesControlKinds(t *testing.T) {
	srv := serveScripted(t)
	for _, kind := range []message.Kind{message.KindPing, message.KindPong, message.KindClose} {
		failures, returned := runFake(func(tb wstest.TB) {
			srv.Dial(tb, "/").Send(kind, []byte{1})
		})
		require.Equal(t, []string{"wstest: send " + kind.String() + " message [0x01]: only text and binary messages can be sent; close with CloseWith"}, failures)
		require.False(t, returned)
	}
}

func TestCloseWithSendsCodeAndReason(t *testing.T) {
	got := make(chan error, 1)
	srv := wstest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			got <- err
			return
		}
		defer c.CloseNow()
		_, _, err = c.Read(context.Background())
		got <- err
	}))
	srv.Dial(t, "/").CloseWith(message.GoingAway, "leaving")
	var ce websocket.CloseError
	require.ErrorAs(t, <-got, &ce)
	require.Equal(t, websocket.CloseError{Code: websocket.StatusGoingAway, Reason: "leaving"}, ce)
}

func TestAddr(t *testing.T) {
	srv := serveScripted(t)
	require.Regexp(t, `^127\.0\.0\.1:\d+$`, srv.Addr())
	require.Equal(t, "http://"+srv.Addr(), srv.HTTPURL(""))
}

// The connection under a Conn reads all the time: the server's pings are
// answered while the test is doing something else.
func TestConnAnswersPingsBetweenSteps(t *testing.T) {
	pinged := make(chan error, 1)
	srv := wstest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			pinged <- err
			return
		}
		defer c.CloseNow()
		ctx := c.CloseRead(context.Background()) // reads, so that pongs are seen
		for range 3 {
			if err := c.Ping(ctx); err != nil {
				pinged <- err
				return
			}
		}
		pinged <- nil
		<-ctx.Done()
	}))
	c := srv.Dial(t, "/")
	require.NoError(t, <-pinged, "the test read nothing meanwhile")
	c.Close()
}

// Client gives the connection to other goroutines, with errors instead
// of failures.
func TestClientSendsFromAnotherGoroutine(t *testing.T) {
	srv := serveScripted(t)
	c := srv.Dial(t, "/")
	const n = 100
	sent := make(chan error, 1)
	go func() {
		for i := range n {
			if err := c.Client().Send(context.Background(), message.Text(strconv.Itoa(i))); err != nil {
				sent <- err
				return
			}
		}
		sent <- nil
	}()
	for i := range n {
		c.ExpectText(strconv.Itoa(i))
	}
	require.NoError(t, <-sent)
	c.Close()
	require.Error(t, c.Client().Send(context.Background(), message.Text("late")))
}

func TestCloseWithFailsOnAnUnsendableCode(t *testing.T) {
	srv := serveScripted(t)
	failures, returned := runFake(func(tb wstest.TB) {
		srv.Dial(tb, "/").CloseWith(message.AbnormalClosure, "")
	})
	require.Equal(t, []string{`wstest: close 1006 "": client: close code 1006 cannot be sent`}, failures)
	require.False(t, returned)
}

// A step without a bound could hang a test: WithTimeout refuses one where
// it is written.
func TestWithTimeoutRefusesNoBound(t *testing.T) {
	require.PanicsWithValue(t, "wstest: WithTimeout: 0s is no bound: a test step must end", func() { wstest.WithTimeout(0) })
	require.PanicsWithValue(t, "wstest: WithTimeout: -1s is no bound: a test step must end", func() { wstest.WithTimeout(-time.Second) })
}
