package demo

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router/wstest"
)

// buildDemo builds the wsflow binary into a temporary directory.
func buildDemo(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	require.NoError(t, err, "the go command builds the binary under test")
	bin := filepath.Join(t.TempDir(), "wsflow")
	out, err := exec.Command(goTool, "build", "-o", bin, "github.com/wsflow/wsflow/cmd/wsflow").CombinedOutput()
	require.NoError(t, err, "go build:\n%s", out)
	return bin
}

// reading is a client that reads everything the server sends, from its
// own goroutine, until the connection ends.
type reading struct {
	msgs []string
	err  error // why reading ended: the close, for a closed connection
	done chan struct{}
}

func startReading(c *wstest.Conn) *reading {
	r := &reading{done: make(chan struct{})}
	go func() {
		defer close(r.done)
		for {
			line, err := receiveText(context.Background(), c.Client())
			if err != nil {
				r.err = err
				return
			}
			r.msgs = append(r.msgs, line)
		}
	}()
	return r
}

// TestProcessShutdown runs the binary with sockets open on most routes,
// sends it SIGTERM (then, in a second run, SIGINT), and checks that every
// client sees close 1001 "going away" after what it was sent before, and
// that the process exits 0.
func TestProcessShutdown(t *testing.T) {
	bin := buildDemo(t)
	for _, sig := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		t.Run(sig.String(), func(t *testing.T) {
			// A hang guard only: nothing is expected to come near it.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			stdout, stderr := &syncBuffer{}, &syncBuffer{}
			cmd := exec.CommandContext(ctx, bin, "demo", "-addr", "127.0.0.1:0", "-shutdown-grace", "3s")
			cmd.Stdout, cmd.Stderr = stdout, stderr
			require.NoError(t, cmd.Start())
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			waited := false
			defer func() {
				if !waited { // the test failed: do not leave the process behind
					cmd.Process.Kill()
					<-exited
				}
			}()
			require.NoError(t, stdout.WaitFor(ctx, "\n"), "stderr:\n%s", stderr)
			m := listeningLine.FindStringSubmatch(stdout.String())
			require.NotNil(t, m, "listening line: %q", stdout.String())
			d := &testDemo{addr: m[1], stdout: stdout, logs: stderr}

			// Each socket has sent or received something, so that it is
			// open and served when the signal comes.
			echo := wstest.Dial(t, d.wsURL("/echo"))
			echoes(t, echo, []string{"before the signal"}, identity)
			callbacks := wstest.Dial(t, d.wsURL("/callbacks"))
			callbacks.ExpectText("Hello!")
			echoes(t, callbacks, []string{"a"}, func(m string) string { return "got: " + m })
			ticks := wstest.Dial(t, d.wsURL("/ticks?every="+every))
			ticks.ExpectText("tick")
			query := wstest.Dial(t, d.wsURL("/stopwatch/query"))
			query.SendText("time")
			query.ExpectText("0")
			var watches []*wstest.Conn
			for _, route := range []string{"/stopwatch", "/actor/stopwatch"} {
				c := wstest.Dial(t, d.wsURL(route+"?every="+every))
				c.SendText("start")
				expectCounts(t, c, 0, 1)
				watches = append(watches, c)
			}
			ann := member(t, d, "lobby", "ann")
			bob := member(t, d, "lobby", "bob")
			ann.ExpectText("* bob joined")
			bob.SendText("hi")
			ann.ExpectText("bob: hi")
			bob.ExpectText("bob: hi")

			// From now on every client reads all it is sent, so that it
			// answers the server's close at once.
			quiet := map[string]*reading{
				"/echo": startReading(echo), "/callbacks": startReading(callbacks), "/stopwatch/query": startReading(query),
			}
			tickReader := startReading(ticks)
			watchReaders := []*reading{startReading(watches[0]), startReading(watches[1])}
			chatReaders := map[string]*reading{"ann": startReading(ann), "bob": startReading(bob)}

			require.NoError(t, cmd.Process.Signal(sig))
			goingAway := message.Close{Code: message.GoingAway, Reason: "going away"}
			closeOf := func(r *reading) message.Close {
				select {
				case <-r.done:
				case <-ctx.Done():
					t.Fatal("the client is still open")
				}
				var sc *client.ServerClosed
				require.True(t, errors.As(r.err, &sc), "after %q: want a close frame, got %v", r.msgs, r.err)
				return sc.Close
			}
			for route, r := range quiet {
				require.Equal(t, goingAway, closeOf(r), route)
				require.Empty(t, r.msgs, route)
			}
			require.Equal(t, goingAway, closeOf(tickReader), "/ticks")
			for _, m := range tickReader.msgs {
				require.Equal(t, "tick", m, "/ticks")
			}
			for i, r := range watchReaders {
				require.Equal(t, goingAway, closeOf(r), "stop watch %d", i)
				require.Equal(t, len(r.msgs), countsFrom(r.msgs, 2), "stop watch %d ticks on until the close: %q", i, r.msgs)
			}
			for name, r := range chatReaders {
				require.Equal(t, goingAway, closeOf(r), name)
				for _, line := range r.msgs { // the other may have left first
					require.Contains(t, []string{"* ann left", "* bob left"}, line, name)
				}
			}

			select {
			case err := <-exited:
				waited = true
				require.NoError(t, err, "exit status; stderr:\n%s", stderr)
			case <-ctx.Done():
				t.Fatalf("the process has not exited; stderr:\n%s", stderr)
			}
			require.Equal(t, 0, cmd.ProcessState.ExitCode())
			require.Equal(t, "listening on http://"+d.addr+"\n", stdout.String(), "exactly one line on stdout")
			logs := stderr.String()
			require.Contains(t, logs, `msg="demo stopped"`)
			require.Equal(t, 8, strings.Count(logs, "code=1001"), "one 1001 per socket:\n%s", logs)
			require.Contains(t, logs, "msg=Disconnected")
		})
	}
}
