package cat

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/internal/cli"
	"github.com/wsflow/wsflow/internal/peertest"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/transformer"
)

// catRun is what one run of wsflow cat did.
type catRun struct {
	status         int
	stdout, stderr string
}

// runCatTest runs wsflow cat in-process with args, reading stdin. Its
// context is a hang guard: cancelling it makes cat close as an interrupt
// does, so a run that only ended that way fails the test.
func runCatTest(t *testing.T, stdin io.Reader, args ...string) catRun {
	t.Helper()
	ctx := testCtx(t)
	var stdout, stderr bytes.Buffer
	status := runCat(ctx, args, stdin, &stdout, &stderr)
	require.NoError(t, ctx.Err(), "wsflow cat ended only when the hang guard stopped it\nstderr:\n%s", &stderr)
	return catRun{status, stdout.String(), stderr.String()}
}

// openStdin is a standard input that stays open until the end of the test,
// as a terminal's does while nobody types.
func openStdin(t *testing.T) io.Reader {
	r, w := io.Pipe()
	t.Cleanup(func() { w.Close() })
	return r
}

func TestCatPipe(t *testing.T) {
	d := startDemo(t)
	for _, tt := range []struct {
		name, path, stdin, stdout string
	}{
		{"echo", "/echo", "hi\n", "hi\n"},
		{"echo, CRLF and an empty line", "/echo", "a\r\n\nb\n", "a\n\nb\n"},
		{"hello, a last line without a newline", "/hello", "world\nZoë", "Hello, world\nHello, Zoë\n"},
		{"no input", "/echo", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := runCatTest(t, strings.NewReader(tt.stdin), d.wsURL(tt.path))
			require.Equal(t, catRun{0, tt.stdout, "connected to " + d.wsURL(tt.path) + "\nclosed: 1000 normal closure\n"}, got)
		})
	}
}

// TestCatPipeLosesNothing sends many lines and closes at once: the
// answers still on their way when cat sends its close are printed too.
func TestCatPipeLosesNothing(t *testing.T) {
	d := startDemo(t)
	var in, want strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&in, "%d\n", i)
		fmt.Fprintf(&want, "Hello, %d\n", i)
	}
	got := runCatTest(t, strings.NewReader(in.String()), d.wsURL("/hello"))
	require.Equal(t, 0, got.status, got.stderr)
	require.Equal(t, want.String(), got.stdout)
}

func TestCatServerCloses(t *testing.T) {
	d := startDemo(t)
	for _, tt := range []struct {
		name, path    string
		stdin         io.Reader
		status        int
		stdout, close string
	}{
		{"hello-once", "/hello-once", openStdin(t), 0, "Hello!\n", "1000 normal closure"},
		{"callbacks bye", "/callbacks", strings.NewReader("x\nbye\n"), 0, "Hello!\ngot: x\n", "1000 normal closure"},
		{"fail", "/fail", strings.NewReader("boom\n"), 1, "", `1011 internal error "internal error"`},
		{"close with a code", "/close?code=4000&reason=x", openStdin(t), 1, "", `4000 "x"`},
		{"policy violation", "/stopwatch", strings.NewReader("jump\n"), 1, "", `1008 policy violation "unknown command \"jump\""`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := runCatTest(t, tt.stdin, d.wsURL(tt.path))
			require.Equal(t, catRun{tt.status, tt.stdout, "connected to " + d.wsURL(tt.path) + "\nclosed: " + tt.close + "\n"}, got)
		})
	}
}

func TestCatBinary(t *testing.T) {
	d := startDemo(t)
	got := runCatTest(t, strings.NewReader("hi\nhé\n"), "-binary", d.wsURL("/bytes"))
	require.Equal(t, catRun{0, "binary: 68 69\nbinary: 68 c3 a9\n", "connected to " + d.wsURL("/bytes") + "\nclosed: 1000 normal closure\n"}, got)

	got = runCatTest(t, strings.NewReader("\n"), d.wsURL("/raw"), "-binary") // the flag after the URL
	require.Equal(t, 0, got.status, got.stderr)
	require.Equal(t, "binary:\n", got.stdout, "an empty binary message")
}

func TestCatRefusedHandshake(t *testing.T) {
	d := startDemo(t)
	got := runCatTest(t, strings.NewReader("hi\n"), d.wsURL("/secure"))
	require.Equal(t, catRun{1, "", "wsflow cat: handshake refused: HTTP 403 Forbidden\n403 forbidden: no valid session\n"}, got)

	got = runCatTest(t, strings.NewReader("hi\n"), "-origin", "http://evil.example", d.wsURL("/echo"))
	require.Equal(t, catRun{1, "", "wsflow cat: handshake refused: HTTP 403 Forbidden\n403 forbidden: origin not allowed\n"}, got)

	got = runCatTest(t, strings.NewReader("hi\n"), "-origin", "http://"+d.addr, d.wsURL("/echo"))
	require.Equal(t, 0, got.status, "the server's own origin: %s", got.stderr)
	require.Equal(t, "hi\n", got.stdout)
}

func TestCatHeaderFlag(t *testing.T) {
	d := startDemo(t)
	resp, _ := get(t, d.httpURL("/login?user=ann"), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	cookies := resp.Cookies()
	require.Len(t, cookies, 1)

	got := runCatTest(t, strings.NewReader("hi\n"), "-H", "Cookie: "+cookies[0].Name+"="+cookies[0].Value, "-H", "X-Extra: 1", d.wsURL("/secure"))
	require.Equal(t, catRun{0, "Hello, ann\nhi\n", "connected to " + d.wsURL("/secure") + "\nclosed: 1000 normal closure\n"}, got)
}

func TestCatSubprotocol(t *testing.T) {
	srv := wstest.Serve(t, router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]()
	}, router.WithSubprotocols("v2", "v1"), router.WithLogger(slog.New(slog.DiscardHandler))))
	got := runCatTest(t, strings.NewReader("hi\n"), "-subprotocol", "v1", "-subprotocol", "v3", srv.URL("/"))
	require.Equal(t, catRun{0, "hi\n", "connected to " + srv.URL("/") + " (subprotocol v1)\nclosed: 1000 normal closure\n"}, got)
}

func TestCatDroppedConnection(t *testing.T) {
	srv := wstest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		c.Write(context.Background(), websocket.MessageText, []byte("bye, without a close frame"))
		c.CloseNow()
	}))
	got := runCatTest(t, openStdin(t), srv.URL("/"))
	require.Equal(t, 1, got.status)
	require.Equal(t, "bye, without a close frame\n", got.stdout)
	require.Contains(t, got.stderr, "wsflow cat: connection dropped: ")
}

// A server that answers cat's close frame with neither a close frame nor
// the end of the connection: cat prints what it sent, waits closeWait for
// the close and gives up.
func TestCatServerNeverCloses(t *testing.T) {
	srv := peertest.Serve(t, func(nc net.Conn, br *bufio.Reader, r *http.Request) {
		peertest.SwitchProtocols(nc, r, nil)
		for {
			b0, p, err := peertest.ReadFrame(br)
			if err != nil || b0&0x0f == 0x8 {
				break // cat's close frame, which gets no answer
			}
			nc.Write(peertest.Frame(b0, string(p), nil))
		}
		nc.Write(peertest.Frame(0x81, "after your close", nil))
		io.Copy(io.Discard, br) // until cat drops the connection
	})
	cfg, err := parseCatFlags([]string{srv.URL("/")}, io.Discard)
	require.NoError(t, err)
	var stdout, stderr bytes.Buffer
	s := &session{cfg: cfg, interrupt: testCtx(t), stdin: strings.NewReader("hi\n"), stdout: &stdout, stderr: &stderr, closeWait: 50 * time.Millisecond}
	require.Equal(t, 1, s.run())
	require.Equal(t, "hi\nafter your close\n", stdout.String())
	require.Equal(t, "connected to "+srv.URL("/")+"\nwsflow cat: the server sent no close frame within 50ms\n", stderr.String())
}

func TestCatInterrupt(t *testing.T) {
	d := startDemo(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- runCat(ctx, []string{d.wsURL("/echo")}, openStdin(t), &stdout, &stderr) }()
	require.NoError(t, stderr.WaitFor(testCtx(t), "connected"))
	cancel() // as SIGINT does
	select {
	case status := <-done:
		require.Equal(t, 0, status)
	case <-testCtx(t).Done():
		t.Fatal("wsflow cat did not end after the interrupt")
	}
	require.Equal(t, "connected to "+d.wsURL("/echo")+"\nclosed: 1000 normal closure\n", stderr.String())
}

func TestCatFailedDial(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close()) // nothing listens there now
	url := "ws://" + addr + "/echo"
	got := runCatTest(t, strings.NewReader("hi\n"), url)
	require.Equal(t, 1, got.status)
	require.Empty(t, got.stdout)
	// In the client's words: the ws:// URL dialed, not the http:// request
	// of the library under it.
	require.Equal(t, "wsflow cat: websocket: dial "+url+": dial tcp "+addr+": connect: connection refused\n", got.stderr)

	// What cat has reported, the command's exit adds nothing to.
	var stderr bytes.Buffer
	err = Run(testCtx(t), []string{url}, strings.NewReader(""), io.Discard, &stderr)
	require.ErrorIs(t, err, ErrFailed)
	require.Equal(t, 1, cli.ExitCode(err, &stderr))
	require.Equal(t, 1, strings.Count(stderr.String(), "\n"), stderr.String())
	require.NotContains(t, stderr.String(), "cat: failed")
}

func TestCatUsage(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no URL", nil, "want one URL, got 0 arguments"},
		{"two URLs", []string{"ws://a/", "ws://b/"}, "want one URL, got 2 arguments"},
		{"not a WebSocket URL", []string{"http://localhost/"}, `"http://localhost/" is not a ws:// or wss:// URL`},
		{"an unparsable URL", []string{"ws://[::1"}, `wsflow cat: parse "ws://[::1": missing ']' in host`},
		{"bad header", []string{"-H", "no colon", "ws://localhost/"}, `want "Name: value", got "no colon"`},
		{"unknown flag", []string{"-x", "ws://localhost/"}, "flag provided but not defined: -x"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := runCatTest(t, strings.NewReader(""), tt.args...)
			require.Equal(t, 2, got.status)
			require.Contains(t, got.stderr, tt.want)
			require.Empty(t, got.stdout)
		})
	}
	t.Run("help", func(t *testing.T) {
		got := runCatTest(t, strings.NewReader(""), "-h")
		require.Equal(t, 0, got.status)
		require.Contains(t, got.stderr, "usage: wsflow cat [flags] URL")
		require.Contains(t, got.stderr, "-origin origin\n")
	})
}

// A redirect is not followed: cat reports it as a refused handshake, and
// nothing, the -H headers least of all, goes to its Location.
func TestCatRedirectIsNotFollowed(t *testing.T) {
	var reached atomic.Int32
	echo := router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]()
	}, router.WithLogger(slog.New(slog.DiscardHandler)))
	target := wstest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		echo.ServeHTTP(w, r)
	}))
	srv := wstest.Serve(t, http.RedirectHandler(target.URL("/"), http.StatusFound))
	got := runCatTest(t, strings.NewReader("hi\n"), "-H", "Authorization: Bearer secret", srv.URL("/"))
	require.Equal(t, catRun{1, "", "wsflow cat: handshake refused: HTTP 302 Found, a redirect to " + target.URL("/") + " (not followed)\n" +
		"<a href=\"" + target.URL("/") + "\">Found</a>.\n"}, got)
	require.Zero(t, reached.Load(), "requests that reached the redirect's target")
}

// A server that accepts the connection and never answers the handshake:
// cat gives up after its handshake timeout.
func TestCatHandshakeTimeout(t *testing.T) {
	srv := peertest.Serve(t, func(_ net.Conn, br *bufio.Reader, _ *http.Request) { io.Copy(io.Discard, br) }) // no answer, until cat leaves
	url := srv.URL("/")
	cfg, err := parseCatFlags([]string{url}, io.Discard)
	require.NoError(t, err)
	var stdout, stderr bytes.Buffer
	s := &session{cfg: cfg, interrupt: testCtx(t), stdin: strings.NewReader("hi\n"), stdout: &stdout, stderr: &stderr, handshake: 50 * time.Millisecond}
	require.Equal(t, 1, s.run())
	require.Empty(t, stdout.String())
	require.Equal(t, "wsflow cat: websocket: handshake timed out after 50ms\n", stderr.String())
}

// A server's text reaches the terminal with its control characters
// escaped: the messages (unless -raw), and a refused handshake's body.
func TestCatEscapesControlCharacters(t *testing.T) {
	const hostile = "a\x1b]0;title\x07b\x1b[2Jc\rd\ne\tf\x7fg\u009bh\x00"
	srv := wstest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("refuse") {
			http.Error(w, "no \x1b[31mentry\x1b[0m\xff", http.StatusForbidden)
			return
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		c.Write(context.Background(), websocket.MessageText, []byte(hostile))
		c.Close(websocket.StatusNormalClosure, "")
	}))
	const escaped = `a\x1b]0;title\x07b\x1b[2Jc\x0dd` + "\n" + `e\x09f\x7fg\u009bh\x00` + "\n"
	got := runCatTest(t, openStdin(t), srv.URL("/"))
	require.Equal(t, catRun{0, escaped, "connected to " + srv.URL("/") + "\nclosed: 1000 normal closure\n"}, got)

	got = runCatTest(t, openStdin(t), "-raw", srv.URL("/"))
	require.Equal(t, hostile+"\n", got.stdout)

	got = runCatTest(t, openStdin(t), srv.URL("/?refuse"))
	require.Equal(t, catRun{1, "", "wsflow cat: handshake refused: HTTP 403 Forbidden\n" + `no \x1b[31mentry\x1b[0m\xff` + "\n"}, got)
}
