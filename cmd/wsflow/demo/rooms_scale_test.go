package demo

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/broker/natsbroker"
	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router/wstest"
)

var scale = flag.Int("rooms.scale", 0, "the rooms TestRoomsScaleFlag joins (0: skip it), e.g. 100000")

// scaleHistoryBytes is the -history-bytes of the scale tests: enough for
// every room's events, so that the first room's history is still whole
// at the end.
const scaleHistoryBytes = "268435456"

// TestRoomsScale joins 5,000 rooms through one demo on its embedded
// NATS: the JetStream streams stay the fixed partitions and the demo's
// open files do not grow with the rooms.
func TestRoomsScale(t *testing.T) {
	roomsScale(t, 5_000)
}

// TestRoomsScaleFlag is TestRoomsScale with -rooms.scale rooms, for runs
// at 100,000 that CI does not make.
func TestRoomsScaleFlag(t *testing.T) {
	if *scale == 0 {
		t.Skip("set -rooms.scale to run")
	}
	roomsScale(t, *scale)
}

// roomsScale joins n rooms, each over a /rooms socket of its own (the
// greeting, the member's joined, one message, the close), 8 at a time,
// through the built demo on -nats embedded, and reads the demo's figures
// before and after: its open files, its resident memory (the NATS
// server's included) and the streams and consumers JetStream holds. A
// new room, and the first room's recovery, work after.
func roomsScale(t *testing.T, n int) {
	d := startProcess(t, buildDemo(t), "-nats", "embedded", "-nats-listen", "127.0.0.1:0", "-history-bytes", scaleHistoryBytes)
	require.NoError(t, d.logs.WaitFor(testCtx(t), "rooms on the embedded NATS server"), "log:\n%s", d.logs)
	m := embeddedURL.FindStringSubmatch(d.logs.String())
	require.NotNil(t, m, "log:\n%s", d.logs)
	nc, err := nats.Connect(m[1])
	require.NoError(t, err)
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(t, err)

	before := measureProcess(t, d.pid(), js)
	base := d.url("ws", "")
	first := make(chan roomEv, 1) // room-0's joined
	began := time.Now()
	const workers = 8
	errs := make([]error, workers)
	ctx := context.Background() // each join is bounded on its own
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				joined, err := joinOnce(ctx, base, fmt.Sprintf("room-%d", i))
				if err != nil {
					errs[w] = fmt.Errorf("room-%d: %w", i, err)
					return
				}
				if i == 0 {
					first <- joined
				}
			}
		})
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...), "the demo's warnings and errors:\n%s", warnings(d.logs.String()))
	took := time.Since(began)
	after := measureProcess(t, d.pid(), js)
	t.Logf("%d rooms joined in %v (%.0f a second): JetStream streams %d -> %d, consumers %d -> %d, messages %d; the demo's open files %d -> %d, resident memory %d -> %d MiB",
		n, took.Round(time.Millisecond), float64(n)/took.Seconds(), before.streams, after.streams, before.consumers, after.consumers,
		after.messages, before.fds, after.fds, before.rss>>20, after.rss>>20)
	require.Equal(t, natsbroker.DefaultPartitions, after.streams, "the fixed partitions, whatever the rooms")
	require.Less(t, after.fds, before.fds+64, "open files grow with the rooms")

	// A new room works, and the first room gives back its history.
	c, joined := roomsMember(t, d.demo(), "after-scale", "ann")
	c.SendText(`{"text":"new"}`)
	expectEv(t, c, joined.Seq, `{"from":"ann","text":"new"}`)
	was := <-first
	back := wstest.Dial(t, d.url("ws", fmt.Sprintf("/rooms/room-0?name=m&since=%d", was.Seq)))
	resumed(t, back, true)
	said := expectEv(t, back, was.Seq, `{"from":"m","text":"x"}`)
	left := expectEv(t, back, said.Seq, `{"left":"m"}`)
	expectEv(t, back, left.Seq, `{"joined":"m"}`)
}

// joinOnce joins room as m over a socket of its own, sends one message,
// reads it back and closes, within testTimeout. It returns m's joined.
func joinOnce(ctx context.Context, base, room string) (roomEv, error) {
	ctx, cancel := context.WithTimeout(ctx, testTimeout)
	defer cancel()
	c, err := client.Open(ctx, base+"/rooms/"+room+"?name=m")
	if err != nil {
		return roomEv{}, err
	}
	defer c.CloseNow()
	var got []roomEv
	for _, check := range []func(roomEv) bool{
		func(ev roomEv) bool { return ev.Epoch != "" },
		func(ev roomEv) bool { return ev.Joined == "m" },
		func(ev roomEv) bool { return ev.From == "m" && ev.Text == "x" },
	} {
		ev, err := readEv(ctx, c)
		if err != nil {
			return roomEv{}, err
		}
		if !check(ev) {
			return roomEv{}, fmt.Errorf("unexpected %s after %v", ev.raw, got)
		}
		got = append(got, ev)
		if len(got) == 2 {
			if err := c.Send(ctx, message.Text(`{"text":"x"}`)); err != nil {
				return roomEv{}, err
			}
		}
	}
	return got[1], c.Close(message.NormalClosure, "")
}

// figures are a demo process's and its JetStream's.
type figures struct {
	fds                int
	rss                int64 // bytes
	streams, consumers int
	messages           uint64
}

// measureProcess reads process pid's open files and resident memory, and
// the account's streams, consumers and messages from js.
func measureProcess(t *testing.T, pid int, js jetstream.JetStream) figures {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	require.NoError(t, err)
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	var rss int64
	for line := range strings.Lines(string(status)) {
		if kb, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			rss, err = strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(kb), " kB"), 10, 64)
			require.NoError(t, err, line)
			rss <<= 10
		}
	}
	info, err := js.AccountInfo(testCtx(t))
	require.NoError(t, err)
	f := figures{fds: len(fds), rss: rss, streams: info.Streams, consumers: info.Consumers}
	for name := range js.StreamNames(testCtx(t)).Name() {
		s, err := js.Stream(testCtx(t), name)
		require.NoError(t, err)
		f.messages += s.CachedInfo().State.Msgs
	}
	return f
}

// warnings returns the lines of log at level WARN or ERROR, at most 20.
func warnings(log string) string {
	var out []string
	for line := range strings.Lines(log) {
		if len(out) < 20 && (strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR")) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "")
}
