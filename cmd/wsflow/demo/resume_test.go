package demo

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/client/roomclient"
)

// heard is what a roomclient.Member learns, greetings and events, in the
// order it learns them.
type heard struct {
	got chan any // roomclient.Greeting or roomclient.Event
}

func newHeard() *heard { return &heard{got: make(chan any, 100_000)} }

func (h *heard) config(b client.Backoff, opts ...client.Option) roomclient.Config {
	return roomclient.Config{
		OnGreeting: func(g roomclient.Greeting) { h.got <- g },
		OnEvent:    func(ev roomclient.Event) { h.got <- ev },
		Backoff:    b,
		Options:    opts,
	}
}

// next returns what the member learned next.
func (h *heard) next(t *testing.T) any {
	t.Helper()
	select {
	case v := <-h.got:
		return v
	case <-testCtx(t).Done():
		t.Fatal("the member learned nothing more")
		return nil
	}
}

// greeting returns the member's next greeting, failing on an event.
func (h *heard) greeting(t *testing.T) roomclient.Greeting {
	t.Helper()
	v := h.next(t)
	g, ok := v.(roomclient.Greeting)
	require.True(t, ok, "a greeting, not %v", v)
	return g
}

// run runs m until the end of the test, which waits for it.
func run(t *testing.T, m *roomclient.Member) {
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.ErrorIs(t, <-ran, context.Canceled)
	})
}

// A resuming member on the second of two demos sharing one NATS server,
// a sender on the first sending all along: the second demo is killed
// (SIGKILL) and started again on its port while the sender goes on; the
// member comes back with since and epoch and receives every one of the
// sender's messages exactly once, in order, those published while the
// second demo was down among them.
func TestResumeAcrossAKilledServer(t *testing.T) {
	bin := buildDemo(t)
	first := startProcess(t, bin, "-nats", "embedded", "-nats-listen", "127.0.0.1:0").demo()
	require.NoError(t, first.logs.WaitFor(testCtx(t), "rooms on the embedded NATS server"), "log:\n%s", first.logs)
	nats := embeddedURL.FindStringSubmatch(first.logs.String())
	require.NotNil(t, nats, "log:\n%s", first.logs)
	killable := startProcess(t, bin, "-nats", nats[1])
	second := killable.demo()

	backoff := client.Backoff{Min: 10 * time.Millisecond, Max: 100 * time.Millisecond}
	mem := newHeard()
	member := roomclient.New(second.wsURL("/rooms/resume?name=mem"), mem.config(backoff))
	run(t, member)
	joined := mem.greeting(t)
	require.False(t, joined.Resumed)

	// The sender says 0, 1, 2, ... every 5 ms until stopped, which
	// returns how many it said.
	snd := newHeard()
	sender := roomclient.New(first.wsURL("/rooms/resume?name=snd"), snd.config(backoff))
	run(t, sender)
	sending, stopSending := context.WithCancel(context.Background())
	said := make(chan int, 1)
	go func() {
		n := 0
		defer func() { said <- n }()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-sending.Done():
				return
			case <-tick.C:
			}
			if sender.Say(sending, strconv.Itoa(n)) != nil {
				return
			}
			n++
		}
	}()
	stop := sync.OnceValue(func() int {
		stopSending()
		return <-said
	})
	t.Cleanup(func() { stop() })

	// texts follows the member's events: the sender's texts must come as
	// 0, 1, 2, ..., and every seq be greater than the one before.
	var (
		texts   int
		lastSeq uint64
	)
	follow := func(v any) {
		t.Helper()
		ev, ok := v.(roomclient.Event)
		require.True(t, ok, "an event, not %v", v)
		require.Greater(t, ev.Seq, lastSeq, "%v after seq %d", ev, lastSeq)
		lastSeq = ev.Seq
		if ev.From == "snd" {
			require.Equal(t, strconv.Itoa(texts), ev.Text, "the sender's texts, in order, each once")
			texts++
		}
	}
	for texts < 20 {
		follow(mem.next(t))
	}

	require.NoError(t, killable.kill()) // SIGKILL, to the process's ID
	// Ten more published while the second demo is down, as the sender
	// sees its own messages come back.
	for missed := strconv.Itoa(texts + 10); ; {
		if ev, ok := snd.next(t).(roomclient.Event); ok && ev.From == "snd" && ev.Text == missed {
			break
		}
	}
	require.NoError(t, killable.start("-nats", nats[1])) // on the same address
	require.Equal(t, second.addr, killable.demo().addr)
	atKill := texts
	var g roomclient.Greeting
	for { // what was on its way before the kill, then the greeting
		v := mem.next(t)
		if g1, ok := v.(roomclient.Greeting); ok {
			g = g1
			break
		}
		follow(v)
	}
	require.Equal(t, roomclient.Greeting{Epoch: joined.Epoch, Resumed: true, Recovered: true}, g)
	atGreeting := texts
	for texts < atGreeting+20 {
		follow(mem.next(t))
	}
	n := stop()
	for texts < n {
		follow(mem.next(t))
	}
	t.Logf("%d messages; the member had %d at the kill, %d at its greeting after the restart", n, atKill, atGreeting)
}

// A member of a demo without NATS whose process is killed and started
// again: the room's numbering starts again with the new process, and the
// member, resuming, is told so (a new epoch, recovered false), then
// follows the new numbering.
func TestResumeToldOfANewEpoch(t *testing.T) {
	bin := buildDemo(t)
	killable := startProcess(t, bin)
	d := killable.demo()
	mem := newHeard()
	member := roomclient.New(d.wsURL("/rooms/epoch?name=mem"), mem.config(client.Backoff{Min: 10 * time.Millisecond, Max: 100 * time.Millisecond}))
	run(t, member)
	old := mem.greeting(t)
	require.Equal(t, "mem", mem.next(t).(roomclient.Event).Joined)

	require.NoError(t, killable.kill())
	require.NoError(t, killable.start()) // on the same address
	g := mem.greeting(t)
	require.True(t, g.Resumed)
	require.False(t, g.Recovered, "the history of the killed process is gone")
	require.NotEqual(t, old.Epoch, g.Epoch)
	ev := mem.next(t).(roomclient.Event)
	require.Equal(t, "mem", ev.Joined, "the new numbering from its start: the member's own joined")
	require.Equal(t, roomclient.Position{Epoch: g.Epoch, Seq: ev.Seq}, member.Position())
}

// A member refused (here its Origin, 403) ends with the refusal after
// one handshake, as the demo's metrics count.
func TestResumeRefused(t *testing.T) {
	d := startDemo(t)
	m := roomclient.New(d.wsURL("/rooms/r?name=mem"), roomclient.Config{
		Backoff: client.Backoff{Min: time.Millisecond},
		Options: []client.Option{client.WithHeader("Origin", "http://elsewhere.example")},
	})
	err := m.Run(testCtx(t))
	var refused *client.HandshakeError
	require.ErrorAs(t, err, &refused)
	require.Equal(t, http.StatusForbidden, refused.StatusCode)
	require.Equal(t, []string{"route=GET /rooms/{room},status=403 1"}, series(scrapeMetrics(t, d), "wsflow_handshakes_total"))
}
