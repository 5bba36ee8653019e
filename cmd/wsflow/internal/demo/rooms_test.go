package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/broker/natsbroker"
	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/cmd/wsflow/internal/cli"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router/wstest"
)

// startNATS starts a NATS server with JetStream on 127.0.0.1, storing in
// dir, on port (-1: a random one), and stops it when the test ends.
func startNATS(t *testing.T, dir string, port int) *server.Server {
	t.Helper()
	s, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: port, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true,
	})
	require.NoError(t, err)
	go s.Start()
	require.True(t, s.ReadyForConnections(testTimeout), "nats-server did not start")
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s
}

// connectNATS returns a broker on the NATS server at url, closed when the
// test ends (after the demos started later have shut down). reconnected,
// when not nil, is told each time the connection is back.
func connectNATS(t *testing.T, url string, reconnected chan<- struct{}) *natsbroker.Broker {
	t.Helper()
	var opts []natsbroker.Option
	if reconnected != nil {
		opts = append(opts, natsbroker.WithNATSOptions(nats.ReconnectHandler(func(*nats.Conn) { reconnected <- struct{}{} })))
	}
	b, err := natsbroker.Connect(url, opts...)
	require.NoError(t, err)
	t.Cleanup(b.Close)
	return b
}

// roomEv is an event of a JSON room as a test reads it.
type roomEv struct {
	Seq       uint64 `json:"seq"`
	Joined    string `json:"joined,omitempty"`
	Left      string `json:"left,omitempty"`
	From      string `json:"from,omitempty"`
	Text      string `json:"text,omitempty"`
	Recovered *bool  `json:"recovered,omitempty"`
	raw       string // as received
}

// parseEv parses an event, a JSON object.
func parseEv(text string) (roomEv, error) {
	var ev roomEv
	if err := json.Unmarshal([]byte(text), &ev); err != nil {
		return roomEv{}, fmt.Errorf("%q: %w", text, err)
	}
	ev.raw = text
	return ev, nil
}

// readEv receives one event, which must be a text message holding a JSON
// object, for a goroutine other than the test's.
func readEv(ctx context.Context, c *client.Conn) (roomEv, error) {
	text, err := receiveText(ctx, c)
	if err != nil {
		return roomEv{}, err
	}
	return parseEv(text)
}

// nextEv reads one event on the test's goroutine.
func nextEv(t *testing.T, c *wstest.Conn) roomEv {
	t.Helper()
	ev, err := parseEv(c.ReadText())
	require.NoError(t, err)
	return ev
}

// roomsMember dials /rooms/room as name and returns its first event,
// which should be its own joined.
func roomsMember(t *testing.T, d *testDemo, room, name string) (*wstest.Conn, roomEv) {
	t.Helper()
	c := wstest.Dial(t, d.wsURL("/rooms/"+room+"?name="+name))
	ev := nextEv(t, c)
	require.Equal(t, name, ev.Joined, "first event %s", ev.raw)
	return c, ev
}

func TestRoomsProtocol(t *testing.T) {
	d := startDemo(t)
	ann := wstest.Dial(t, d.wsURL("/rooms/lobby?name=ann"))
	ann.ExpectText(`{"seq":1,"joined":"ann"}`)
	bob := wstest.Dial(t, d.wsURL("/rooms/lobby?name=bob"))
	bob.ExpectText(`{"seq":2,"joined":"bob"}`)
	ann.ExpectText(`{"seq":2,"joined":"bob"}`)
	bob.SendText(`{ "text" : "hi <&> \"é\"" }`)
	for _, c := range []*wstest.Conn{ann, bob} {
		c.ExpectText(`{"seq":3,"from":"bob","text":"hi <&> \"é\""}`)
	}
	ann.SendBinary([]byte(`{"text":""}`)) // a binary frame holding JSON is JSON too
	bob.ExpectText(`{"seq":4,"from":"ann","text":""}`)
	ann.ExpectText(`{"seq":4,"from":"ann","text":""}`)

	// /chat's lobby is another room, and /rooms' other rooms too.
	cat := member(t, d, "lobby", "cat")
	cat.SendText("meow")
	cat.ExpectText("cat: meow")
	dan := wstest.Dial(t, d.wsURL("/rooms/kitchen"))
	dan.ExpectText(`{"seq":1,"joined":"anonymous"}`)

	bob.Close()
	ann.ExpectText(`{"seq":5,"left":"bob"}`)
	ann.SendText(`{"text":"bye"}`)
	ann.ExpectText(`{"seq":6,"from":"ann","text":"bye"}`)
}

func TestRoomsErrors(t *testing.T) {
	d := startDemo(t)
	for i, tt := range []struct{ payload, reason string }{
		{`{"text":1}`, `field "text": want string, got number`},
		{`{}`, `missing required field "text"`},
		{`{"text":null}`, `missing required field "text"`},
		{`{"text":"a","to":"bob"}`, `unknown field "to"`},
		{`["a"]`, `want object, got array`},
		{`"a"`, `want object, got string`},
		{`hello`, `invalid JSON`},
	} {
		t.Run(tt.payload, func(t *testing.T) {
			c, _ := roomsMember(t, d, fmt.Sprintf("errors-%d", i), "eve") // alone: no one else's left comes first
			c.SendText(tt.payload)
			ce := closeOf(t, c)
			require.Equal(t, message.InvalidPayload, ce.Code, "%v", ce)
			require.Contains(t, ce.Reason, tt.reason)
		})
	}

	const badRoom = "404 not found: a chat room's name must match [a-z0-9-]{1,32}\n"
	for _, path := range []string{"/rooms/Lobby", "/rooms/" + strings.Repeat("a", 33), "/rooms/a_b", "/rooms/a%20b"} {
		status, body := refused(t, d.wsURL(path))
		require.Equal(t, http.StatusNotFound, status, path)
		require.Equal(t, badRoom, body, path)
	}
	for _, query := range []string{"?name=a+b", "?name=" + strings.Repeat("n", 33), "?name=*"} {
		status, body := refused(t, d.wsURL("/rooms/lobby"+query))
		require.Equal(t, http.StatusBadRequest, status, query)
		require.Equal(t, "400 bad request: name must match [A-Za-z0-9_-]{1,32}\n", body, query)
	}
	for _, query := range []string{"?since=-1", "?since=x", "?since=1.5", "?since=+1", "?since=0x1", "?since=18446744073709551616"} {
		status, body := refused(t, d.wsURL("/rooms/lobby"+query))
		require.Equal(t, http.StatusBadRequest, status, query)
		require.Equal(t, "400 bad request: since must be a decimal integer >= 0\n", body, query)
	}
	status, body := refused(t, d.wsURL("/rooms/lobby?since=%zz"))
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "400 bad request: malformed query string\n", body)
}

// TestRoomsSince: a member coming back after the last event it saw gets
// what it missed, in order, with no gap and no duplicate, then its own
// joined; one coming back to more than the history holds, or from beyond
// the room's latest event, is told {"recovered":false} first. The member
// comes back on the other server of one NATS.
func TestRoomsSince(t *testing.T) {
	ns := startNATS(t, t.TempDir(), -1)
	a := startDemoWith(t, connectNATS(t, ns.ClientURL(), nil))
	b := startDemoWith(t, connectNATS(t, ns.ClientURL(), nil))

	ann, _ := roomsMember(t, a, "back", "ann") // seq 1
	bob, _ := roomsMember(t, a, "back", "bob") // seq 2
	ann.ExpectText(`{"seq":2,"joined":"bob"}`)
	bob.Close() // bob saw up to 2
	ann.ExpectText(`{"seq":3,"left":"bob"}`)
	for _, text := range []string{"a", "b"} {
		ann.SendText(`{"text":"` + text + `"}`)
	}
	ann.ExpectText(`{"seq":4,"from":"ann","text":"a"}`)
	ann.ExpectText(`{"seq":5,"from":"ann","text":"b"}`)

	bob = wstest.Dial(t, b.wsURL("/rooms/back?name=bob&since=2"))
	for _, want := range []string{`{"seq":3,"left":"bob"}`, `{"seq":4,"from":"ann","text":"a"}`,
		`{"seq":5,"from":"ann","text":"b"}`, `{"seq":6,"joined":"bob"}`} {
		bob.ExpectText(want)
	}
	ann.ExpectText(`{"seq":6,"joined":"bob"}`)
	ann.SendText(`{"text":"live"}`)
	bob.ExpectText(`{"seq":7,"from":"ann","text":"live"}`)

	// Beyond the latest event: told first, then its own joined.
	cat := wstest.Dial(t, b.wsURL("/rooms/back?name=cat&since=99"))
	cat.ExpectText(`{"recovered":false}`)
	cat.ExpectText(`{"seq":8,"joined":"cat"}`)

	// Past the history (the latest 1,000 events): told first, then what it
	// still holds, consecutively, up to the member's own joined.
	ctx := testCtx(t)
	const more = 1000
	go func() {
		for k := range more {
			if ann.Client().Send(ctx, message.Text(fmt.Sprintf(`{"text":"%d"}`, k))) != nil {
				return
			}
		}
	}()
	for k := range more {
		ev := nextEv(t, cat)
		require.Equal(t, uint64(9+k), ev.Seq)
	}
	dan := wstest.Dial(t, b.wsURL("/rooms/back?name=dan&since=0"))
	dan.ExpectText(`{"recovered":false}`)
	last := uint64(8 + more + 1) // dan's joined
	first := last - 1000         // the history held the 1,000 before dan's joined
	for seq := first; seq <= last; seq++ {
		ev := nextEv(t, dan)
		require.Equal(t, seq, ev.Seq, ev.raw)
		if seq == last {
			require.Equal(t, "dan", ev.Joined, ev.raw)
		}
	}
}

// TestRoomsAcrossServers: two demos on one NATS, three members on each,
// each sending its messages at once: all six see one numbered sequence,
// each from its own joined, holding every message once in its sender's
// order. /chat too is one room across the two.
func TestRoomsAcrossServers(t *testing.T) {
	ns := startNATS(t, t.TempDir(), -1)
	demos := []*testDemo{
		startDemoWith(t, connectNATS(t, ns.ClientURL(), nil)),
		startDemoWith(t, connectNATS(t, ns.ClientURL(), nil)),
	}
	sharedRoom(t, demos, 300)

	ann := member(t, demos[0], "shared", "ann")
	bob := member(t, demos[1], "shared", "bob")
	ann.ExpectText("* bob joined")
	bob.SendText("hi")
	ann.ExpectText("bob: hi")
	bob.ExpectText("bob: hi")
}

// sharedRoom runs one /rooms room with 3 members on each of demos[0] and
// demos[1], each sending perMember messages at once, and checks that all
// six receive one identical, consecutive sequence with every message of
// every sender once and in order.
func sharedRoom(t *testing.T, demos []*testDemo, perMember int) {
	t.Helper()
	var names []string
	var conns []*wstest.Conn
	var joinedAt []uint64
	for i := range 6 {
		name := fmt.Sprintf("m%d", i)
		c, ev := roomsMember(t, demos[i%2], "shared", name)
		names, conns, joinedAt = append(names, name), append(conns, c), append(joinedAt, ev.Seq)
	}
	ctx := testCtx(t)
	got := make([][]roomEv, len(conns))
	errs := make([]error, 2*len(conns))
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() {
			for k := range perMember {
				if err := c.Client().Send(ctx, message.Text(fmt.Sprintf(`{"text":"%d"}`, k))); err != nil {
					errs[2*i] = fmt.Errorf("%s writing %d: %w", names[i], k, err)
					return
				}
			}
		})
		wg.Go(func() {
			for said := 0; said < len(conns)*perMember; {
				ev, err := readEv(ctx, c.Client())
				if err != nil {
					errs[2*i+1] = fmt.Errorf("%s reading after %d events: %w", names[i], len(got[i]), err)
					return
				}
				got[i] = append(got[i], ev)
				if ev.From != "" {
					said++
				}
			}
		})
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))

	// The room's sequence, as the first member saw it, from seq 1.
	room := got[0]
	require.Equal(t, joinedAt[0]+1, room[0].Seq)
	for k, ev := range room {
		require.Equal(t, room[0].Seq+uint64(k), ev.Seq, "consecutive")
	}
	for i := range conns {
		from := int(joinedAt[i] - joinedAt[0])
		require.Equal(t, rawOf(room[from:]), rawOf(got[i]), "%s's sequence after its joined", names[i])
	}
	for _, name := range names {
		var said []string
		for _, ev := range room {
			if ev.From == name {
				said = append(said, ev.Text)
			}
		}
		require.Len(t, said, perMember, name)
		for k, text := range said {
			require.Equal(t, fmt.Sprint(k), text, "%s's message %d", name, k)
		}
	}
	t.Logf("6 members, %d messages each: %d events, identical for all", perMember, len(room))
}

func rawOf(evs []roomEv) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.raw
	}
	return out
}

// TestRoomsNATSLoss: when NATS goes away, /chat and /rooms members are
// closed with 1013 and their handshakes get 503, while other routes go
// on; once NATS is back on its port, members join again.
func TestRoomsNATSLoss(t *testing.T) {
	dir := t.TempDir()
	ns := startNATS(t, dir, -1)
	reconnected := make(chan struct{}, 1)
	d := startDemoWith(t, connectNATS(t, ns.ClientURL(), reconnected))
	chatter := member(t, d, "lossy", "ann")
	roomer, _ := roomsMember(t, d, "lossy", "bob")
	echo := wstest.Dial(t, d.wsURL("/echo"))

	port := ns.Addr().(*net.TCPAddr).Port
	lost := time.Now()
	ns.Shutdown()
	ns.WaitForShutdown()
	for _, c := range []*wstest.Conn{chatter, roomer} {
		c.ExpectClose(message.TryAgainLater, "rooms unavailable")
	}
	t.Logf("members closed 1013 %v after NATS stopped", time.Since(lost))
	for _, path := range []string{"/chat/lossy?name=cat", "/rooms/lossy?name=cat"} {
		status, body := refused(t, d.wsURL(path))
		require.Equal(t, http.StatusServiceUnavailable, status, path)
		require.Equal(t, "503 service unavailable: rooms unavailable, try again later\n", body)
	}
	echoes(t, echo, []string{"still here"}, func(m string) string { return m })
	echoes(t, wstest.Dial(t, d.wsURL("/echo")), []string{"new"}, func(m string) string { return m })
	resp, body := get(t, d.httpURL("/healthz"), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)

	startNATS(t, dir, port)
	select {
	case <-reconnected:
	case <-testCtx(t).Done():
		t.Fatal("the demo did not reconnect to NATS")
	}
	member(t, d, "lossy", "cat")
	dan, ev := roomsMember(t, d, "lossy", "dan")
	// The room's stream outlived the restart: after bob's joined (bob's
	// left was lost with NATS), dan's.
	require.Equal(t, uint64(2), ev.Seq)
	dan.SendText(`{"text":"back"}`)
	dan.ExpectText(`{"seq":3,"from":"dan","text":"back"}`)
}

var embeddedURL = regexp.MustCompile(`msg="rooms on the embedded NATS server" url=(nats://127\.0\.0\.1:[0-9]+)`)

// TestCommandNATS: `wsflow demo -nats embedded` starts NATS inside itself
// and a second `wsflow demo -nats URL` shares its rooms; the embedded
// server's storage is gone once the first has stopped.
func TestCommandNATS(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	a := startCommand(t, "-nats", "embedded", "-nats-listen", "127.0.0.1:0")
	m := embeddedURL.FindStringSubmatch(a.logs.String())
	require.NotNil(t, m, "log:\n%s", a.logs)
	b := startCommand(t, "-nats", m[1])

	ann, _ := roomsMember(t, a, "cmd", "ann")
	bob, _ := roomsMember(t, b, "cmd", "bob")
	ann.ExpectText(`{"seq":2,"joined":"bob"}`)
	ann.SendText(`{"text":"hi"}`)
	bob.ExpectText(`{"seq":3,"from":"ann","text":"hi"}`)
	ann.ExpectText(`{"seq":3,"from":"ann","text":"hi"}`)
	bob.Close()
	require.NoError(t, b.stop())
	ann.ExpectText(`{"seq":4,"left":"bob"}`)
	stopped := make(chan error, 1)
	go func() { stopped <- a.stop() }()
	ann.ExpectClose(message.GoingAway, "going away")
	require.NoError(t, <-stopped)
	entries, err := os.ReadDir(tmp)
	require.NoError(t, err)
	require.Empty(t, entries, "the embedded server's storage is left behind")
}

func TestCommandNATSUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	url := "nats://" + ln.Addr().String()
	ln.Close() // nothing listens there now
	code, stderr, err := runRefused(t, "-addr", "127.0.0.1:0", "-nats", url)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "rooms: natsbroker: connect to "+url)
	require.False(t, cli.IsUsage(err))

	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	code, stderr, _ = runRefused(t, "-addr", "127.0.0.1:0", "-nats", "embedded", "-nats-listen", busy.Addr().String())
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "rooms: embedded NATS server on "+busy.Addr().String())
	require.Contains(t, stderr, "address already in use")

	code, stderr, _ = runRefused(t, "-nats", "http://x")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `invalid value "http://x" for flag -nats`)
	t.Setenv("WSFLOW_NATS", "bogus")
	code, stderr, _ = runRefused(t)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "WSFLOW_NATS")
}

// Two demo processes, the built binary, on one NATS server (the first
// one's embedded): 3 members on each, 1,000 messages each at once, one
// identical sequence for all six.
func TestBinariesShareRooms(t *testing.T) {
	bin := buildDemo(t)
	first := startBinary(t, bin, "-nats", "embedded", "-nats-listen", "127.0.0.1:0")
	// The log line was written before the listening line, but on
	// standard error, which reaches the test by a copier of its own.
	require.NoError(t, first.logs.WaitFor(testCtx(t), "rooms on the embedded NATS server"), "log:\n%s", first.logs)
	m := embeddedURL.FindStringSubmatch(first.logs.String())
	require.NotNil(t, m, "log:\n%s", first.logs)
	second := startBinary(t, bin, "-nats", m[1])
	sharedRoom(t, []*testDemo{first, second}, 1000)
}

// startBinary runs `wsflow demo -addr 127.0.0.1:0 args...` as a process of
// its own until the end of the test, which stops it with SIGTERM and
// fails unless it exits 0.
func startBinary(t *testing.T, bin string, args ...string) *testDemo {
	t.Helper()
	d := &testDemo{stdout: &syncBuffer{}, logs: &syncBuffer{}}
	cmd := exec.Command(bin, append([]string{"demo", "-addr", "127.0.0.1:0"}, args...)...)
	cmd.Stdout, cmd.Stderr = d.stdout, d.logs
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	d.stop = sync.OnceValue(func() error {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			return err
		case <-time.After(testTimeout): // a hang guard
			cmd.Process.Kill()
			return fmt.Errorf("still running %v after SIGTERM: %v", testTimeout, <-exited)
		}
	})
	t.Cleanup(func() { require.NoError(t, d.stop(), "the demo's exit, stderr:\n%s", d.logs) })
	ctx := testCtx(t)
	require.NoError(t, d.stdout.WaitFor(ctx, "\n"), "stderr:\n%s", d.logs)
	line := listeningLine.FindStringSubmatch(d.stdout.String())
	require.NotNil(t, line, "listening line: %q", d.stdout.String())
	d.addr = line[1]
	return d
}

// The same guarantees with the in-process default: 6 members of one
// demo, 1,000 messages each at once.
func TestRoomsOneOrderInProcess(t *testing.T) {
	d := startDemo(t)
	sharedRoom(t, []*testDemo{d, d}, 1000)
}
