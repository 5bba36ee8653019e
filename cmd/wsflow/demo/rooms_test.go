package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/broker/natsbroker"
	"github.com/wsflow/wsflow/broker/natsbroker/natstest"
	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/internal/cli"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router/wstest"
)

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
	Epoch     string `json:"epoch,omitempty"`
	raw       string // as received
}

// body returns the event as received without its "seq": what a test
// compares, the numbers being the broker's.
func (ev roomEv) body() string {
	rest, ok := strings.CutPrefix(ev.raw, `{"seq":`+strconv.FormatUint(ev.Seq, 10)+`,`)
	if !ok {
		return ev.raw
	}
	return "{" + rest
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

// expectEv reads one event on the test's goroutine, which must be want
// once its "seq" is taken out, and have a seq greater than after.
func expectEv(t *testing.T, c *wstest.Conn, after uint64, want string) roomEv {
	t.Helper()
	ev := nextEv(t, c)
	require.Equal(t, want, ev.body(), ev.raw)
	require.Greater(t, ev.Seq, after, ev.raw)
	return ev
}

// greeting reads a /rooms socket's first message, {"epoch":E} without
// since, and returns E.
func greeting(t *testing.T, c *wstest.Conn) string {
	t.Helper()
	ev := nextEv(t, c)
	require.True(t, broker.ValidEpoch(ev.Epoch), "first message %s", ev.raw)
	require.Equal(t, `{"epoch":"`+ev.Epoch+`"}`, ev.raw)
	return ev.Epoch
}

// resumed reads the first message of a /rooms socket opened with since,
// {"epoch":E,"recovered":R}, checks R, and returns E.
func resumed(t *testing.T, c *wstest.Conn, recovered bool) string {
	t.Helper()
	ev := nextEv(t, c)
	require.True(t, broker.ValidEpoch(ev.Epoch), "first message %s", ev.raw)
	require.Equal(t, fmt.Sprintf(`{"epoch":"%s","recovered":%v}`, ev.Epoch, recovered), ev.raw)
	return ev.Epoch
}

// roomsMember dials /rooms/room as name, reads its greeting, and returns
// its first event, which should be its own joined.
func roomsMember(t *testing.T, d *testDemo, room, name string) (*wstest.Conn, roomEv) {
	t.Helper()
	c := wstest.Dial(t, d.wsURL("/rooms/"+room+"?name="+name))
	greeting(t, c)
	ev := nextEv(t, c)
	require.Equal(t, name, ev.Joined, "first event %s", ev.raw)
	return c, ev
}

func TestRoomsProtocol(t *testing.T) {
	d := startDemo(t)
	ann := wstest.Dial(t, d.wsURL("/rooms/lobby?name=ann"))
	epoch := greeting(t, ann)
	j := expectEv(t, ann, 0, `{"joined":"ann"}`)
	bob := wstest.Dial(t, d.wsURL("/rooms/lobby?name=bob"))
	require.Equal(t, epoch, greeting(t, bob), "one epoch")
	j = expectEv(t, bob, j.Seq, `{"joined":"bob"}`)
	require.Equal(t, j.raw, expectEv(t, ann, 0, `{"joined":"bob"}`).raw)
	bob.SendText(`{ "text" : "hi <&> \"é\"" }`)
	said := expectEv(t, ann, j.Seq, `{"from":"bob","text":"hi <&> \"é\""}`)
	require.Equal(t, said.raw, nextEv(t, bob).raw)
	ann.SendBinary([]byte(`{"text":""}`)) // a binary frame holding JSON is JSON too
	said = expectEv(t, bob, said.Seq, `{"from":"ann","text":""}`)
	require.Equal(t, said.raw, nextEv(t, ann).raw)

	// /chat's lobby is another room, and /rooms' other rooms too.
	cat := member(t, d, "lobby", "cat")
	cat.SendText("meow")
	cat.ExpectText("cat: meow")
	dan := wstest.Dial(t, d.wsURL("/rooms/kitchen"))
	greeting(t, dan)
	expectEv(t, dan, 0, `{"joined":"anonymous"}`)

	bob.Close()
	left := expectEv(t, ann, said.Seq, `{"left":"bob"}`)
	ann.SendText(`{"text":"bye"}`)
	expectEv(t, ann, left.Seq, `{"from":"ann","text":"bye"}`)
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
	for _, query := range []string{"?epoch=", "?since=1&epoch=", "?epoch=a.b", "?since=0&epoch=" + strings.Repeat("e", 65), "?epoch=%C3%A9"} {
		status, body := refused(t, d.wsURL("/rooms/lobby"+query))
		require.Equal(t, http.StatusBadRequest, status, query)
		require.Equal(t, "400 bad request: epoch must be 1 to 64 characters from [A-Za-z0-9_-]\n", body, query)
	}
	status, body := refused(t, d.wsURL("/rooms/lobby?since=%zz"))
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "400 bad request: malformed query string\n", body)
}

// TestRoomsSince: a member coming back after the last event it saw gets
// what it missed, in order, with no gap and no duplicate, then its own
// joined; one coming back to more than the history holds, or from beyond
// the room's latest event, is told "recovered":false first. The member
// comes back on the other server of one NATS.
func TestRoomsSince(t *testing.T) {
	ns := natstest.Start(t, t.TempDir(), -1)
	a := startDemoWith(t, connectNATS(t, ns.ClientURL(), nil))
	b := startDemoWith(t, connectNATS(t, ns.ClientURL(), nil))
	roomsSince(t, a, b)
}

// roomsSince is TestRoomsSince's sequence, with the member coming back on
// b, which shares a's rooms.
func roomsSince(t *testing.T, a, b *testDemo) {
	t.Helper()
	ann, _ := roomsMember(t, a, "back", "ann")
	bob, _ := roomsMember(t, a, "back", "bob")
	seen := expectEv(t, ann, 0, `{"joined":"bob"}`)
	bob.Close() // bob saw up to seen
	left := expectEv(t, ann, seen.Seq, `{"left":"bob"}`)
	for _, text := range []string{"a", "b"} {
		ann.SendText(`{"text":"` + text + `"}`)
	}
	sa := expectEv(t, ann, left.Seq, `{"from":"ann","text":"a"}`)
	sb := expectEv(t, ann, sa.Seq, `{"from":"ann","text":"b"}`)

	bob = wstest.Dial(t, b.wsURL(fmt.Sprintf("/rooms/back?name=bob&since=%d", seen.Seq)))
	epoch := resumed(t, bob, true)
	for _, want := range []roomEv{left, sa, sb} {
		require.Equal(t, want.raw, nextEv(t, bob).raw)
	}
	joined := expectEv(t, bob, sb.Seq, `{"joined":"bob"}`)
	require.Equal(t, joined.raw, nextEv(t, ann).raw)
	ann.SendText(`{"text":"live"}`)
	expectEv(t, bob, joined.Seq, `{"from":"ann","text":"live"}`)
	live := expectEv(t, ann, joined.Seq, `{"from":"ann","text":"live"}`)

	// The same with the epoch given.
	eve := wstest.Dial(t, b.wsURL(fmt.Sprintf("/rooms/back?name=eve&since=%d&epoch=%s", live.Seq, epoch)))
	require.Equal(t, epoch, resumed(t, eve, true))
	expectEv(t, eve, live.Seq, `{"joined":"eve"}`)
	eveJoined := expectEv(t, ann, live.Seq, `{"joined":"eve"}`)

	// Beyond the latest event: told first, then its own joined.
	cat := wstest.Dial(t, b.wsURL(fmt.Sprintf("/rooms/back?name=cat&since=%d", eveJoined.Seq+1000)))
	resumed(t, cat, false)
	catJoined := expectEv(t, cat, eveJoined.Seq, `{"joined":"cat"}`)

	// Another epoch: told first, then everything the history holds.
	fay := wstest.Dial(t, b.wsURL(fmt.Sprintf("/rooms/back?name=fay&since=%d&epoch=x%s", catJoined.Seq, epoch)))
	resumed(t, fay, false)
	var all []roomEv
	for {
		ev := nextEv(t, fay)
		all = append(all, ev)
		if ev.Joined == "fay" {
			break
		}
	}
	require.Equal(t, `{"joined":"ann"}`, all[0].body(), "from the first event the history holds")
	for k := 1; k < len(all); k++ {
		require.Greater(t, all[k].Seq, all[k-1].Seq)
	}
	fay.Close()
	expectEv(t, cat, catJoined.Seq, `{"joined":"fay"}`)
	expectEv(t, cat, catJoined.Seq, `{"left":"fay"}`)

	// Past the history (the latest 1,000 events): told first, then what it
	// still holds, up to the member's own joined.
	ctx := testCtx(t)
	const more = 1000
	go func() {
		for k := range more {
			if ann.Client().Send(ctx, message.Text(fmt.Sprintf(`{"text":"%d"}`, k))) != nil {
				return
			}
		}
	}()
	var said []string
	for k := range more {
		ev := nextEv(t, cat)
		require.Equal(t, fmt.Sprintf(`{"from":"ann","text":"%d"}`, k), ev.body())
		said = append(said, ev.raw)
	}
	dan := wstest.Dial(t, b.wsURL("/rooms/back?name=dan&since=0"))
	resumed(t, dan, false)
	var got []string
	for {
		ev := nextEv(t, dan)
		if ev.Joined == "dan" {
			break
		}
		got = append(got, ev.raw)
	}
	require.Len(t, got, 1000, "the history holds the latest 1,000 events")
	require.Equal(t, said, got, "the history's events, in order, up to dan's joined")
}

// TestRoomsAcrossServers: two demos on one NATS, three members on each,
// each sending its messages at once: all six see one numbered sequence,
// each from its own joined, holding every message once in its sender's
// order. /chat too is one room across the two.
func TestRoomsAcrossServers(t *testing.T) {
	ns := natstest.Start(t, t.TempDir(), -1)
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
// six receive one identical, increasing sequence with every message of
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

	// The room's sequence, as the first member saw it after its joined.
	room := got[0]
	require.Greater(t, room[0].Seq, joinedAt[0])
	for k := 1; k < len(room); k++ {
		require.Greater(t, room[k].Seq, room[k-1].Seq, "increasing")
	}
	for i := range conns {
		from := 0
		for from < len(room) && room[from].Seq <= joinedAt[i] {
			from++
		}
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
	ns := natstest.Start(t, dir, -1)
	reconnected := make(chan struct{}, 1)
	d := startDemoWith(t, connectNATS(t, ns.ClientURL(), reconnected))
	chatter := member(t, d, "lossy", "ann")
	roomer, bobJoined := roomsMember(t, d, "lossy", "bob")
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

	natstest.Start(t, dir, port)
	select {
	case <-reconnected:
	case <-testCtx(t).Done():
		t.Fatal("the demo did not reconnect to NATS")
	}
	member(t, d, "lossy", "cat")
	dan, ev := roomsMember(t, d, "lossy", "dan")
	// The room's history outlived the restart: dan's joined comes after
	// bob's.
	require.Greater(t, ev.Seq, bobJoined.Seq)
	dan.SendText(`{"text":"back"}`)
	expectEv(t, dan, ev.Seq, `{"from":"dan","text":"back"}`)
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
	bob, j := roomsMember(t, b, "cmd", "bob")
	require.Equal(t, j.raw, nextEv(t, ann).raw)
	ann.SendText(`{"text":"hi"}`)
	hi := expectEv(t, bob, j.Seq, `{"from":"ann","text":"hi"}`)
	require.Equal(t, hi.raw, nextEv(t, ann).raw)
	bob.Close()
	require.NoError(t, b.stop())
	expectEv(t, ann, hi.Seq, `{"left":"bob"}`)
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
	first := startProcess(t, bin, "-nats", "embedded", "-nats-listen", "127.0.0.1:0")
	// The log line was written before the listening line, but on
	// standard error, which reaches the test by a copier of its own.
	require.NoError(t, first.logs.WaitFor(testCtx(t), "rooms on the embedded NATS server"), "log:\n%s", first.logs)
	m := embeddedURL.FindStringSubmatch(first.logs.String())
	require.NotNil(t, m, "log:\n%s", first.logs)
	second := startProcess(t, bin, "-nats", m[1])
	sharedRoom(t, []*testDemo{first.demo(), second.demo()}, 1000)
}

// The same guarantees with the in-process default: 6 members of one
// demo, 1,000 messages each at once.
func TestRoomsOneOrderInProcess(t *testing.T) {
	d := startDemo(t)
	sharedRoom(t, []*testDemo{d, d}, 1000)
}
