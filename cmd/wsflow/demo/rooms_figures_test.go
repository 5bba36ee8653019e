package demo

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/message"
)

var measureRooms = flag.Bool("rooms.figures", false, "run the rooms' measurements over the built demo (TestRoomsFigures*), which CI does not run")

// natsPair starts two demos of bin on one NATS, the first's embedded.
func natsPair(t *testing.T, bin string) []*demoProcess {
	t.Helper()
	first := startProcess(t, bin, "-nats", "embedded", "-nats-listen", "127.0.0.1:0")
	require.NoError(t, first.logs.WaitFor(testCtx(t), "rooms on the embedded NATS server"), "log:\n%s", first.logs)
	m := embeddedURL.FindStringSubmatch(first.logs.String())
	require.NotNil(t, m, "log:\n%s", first.logs)
	return []*demoProcess{first, startProcess(t, bin, "-nats", m[1])}
}

// TestRoomsFiguresDelivery measures a /rooms room's delivery: 6 members
// each sending 3,000 messages, each keeping 8 on their way to every
// member, on one demo in-process and on two demos sharing the room
// through NATS (embedded in the first), 3 members on each. It logs the
// deliveries a second, the demos' CPU time per delivery (NATS's included:
// it runs in the first demo) and the latency from Send to delivery.
func TestRoomsFiguresDelivery(t *testing.T) {
	if !*measureRooms {
		t.Skip("set -rooms.figures to run")
	}
	bin := buildDemo(t)
	t.Run("in-process", func(t *testing.T) { deliveryFigures(t, []*demoProcess{startProcess(t, bin)}) })
	t.Run("NATS", func(t *testing.T) { deliveryFigures(t, natsPair(t, bin)) })
}

func deliveryFigures(t *testing.T, demos []*demoProcess) {
	const members, each, window = 6, 3000, 8
	f := newRoomLoad(members, len(demos))
	var conns []*client.Conn
	for i := range members {
		c, ev := roomsMember(t, demos[f.home[i]].demo(), "delivery", f.names[i])
		conns = append(conns, c.Client())
		f.got[i] = []roomEv{ev}
	}
	ctx := testCtx(t)
	cpu := cpuTime(t, demos)
	began := time.Now()
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() { f.send(ctx, i, c, window, each, nil) })
		wg.Go(func() { f.read(ctx, i, c) })
	}
	f.waitAll(t, ctx, func(int) int64 { return each })
	took := time.Since(began)
	cpu = cpuTime(t, demos) - cpu
	for _, c := range conns {
		c.Close(message.NormalClosure, "")
	}
	wg.Wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, err := range f.closed {
		require.NoError(t, err)
	}
	deliveries := members * each * members
	line := fmt.Sprintf("%d demo(s), %d members, %d messages each: %.0f deliveries/s, CPU %.1f µs/delivery, latency p50 %v p99 %v",
		len(demos), members, each, float64(deliveries)/took.Seconds(), float64(cpu.Microseconds())/float64(deliveries),
		percentile(f.took, 50), percentile(f.took, 99))
	if len(f.across) > 0 {
		line += fmt.Sprintf("; between demos p50 %v p99 %v", percentile(f.across, 50), percentile(f.across, 99))
	}
	t.Log(line)
}

// percentile returns the p-th percentile of ds, rounded to 10 µs.
func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)*p/100].Round(10 * time.Microsecond)
}

// cpuTime returns the user and system time the demos have used, from
// /proc/PID/stat (in clock ticks of 10 ms, Linux's USER_HZ).
func cpuTime(t *testing.T, demos []*demoProcess) time.Duration {
	t.Helper()
	var ticks int64
	for _, d := range demos {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", d.pid()))
		require.NoError(t, err)
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
		for _, f := range fields[11:13] { // utime, stime: fields 14 and 15
			n, err := strconv.ParseInt(f, 10, 64)
			require.NoError(t, err)
			ticks += n
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// TestRoomsFiguresRecovery measures 100 members coming back at once to a
// /rooms room of 1,000 events, over sockets: each opens with since=0 and
// reads what the history holds (its latest 1,000 events, into which the
// members' joined and left events come as they recover) until its own joined.
// In-process, then on NATS (embedded).
func TestRoomsFiguresRecovery(t *testing.T) {
	if !*measureRooms {
		t.Skip("set -rooms.figures to run")
	}
	bin := buildDemo(t)
	for _, tc := range []struct {
		name string
		args []string
	}{{"in-process", nil}, {"NATS", []string{"-nats", "embedded", "-nats-listen", "127.0.0.1:0"}}} {
		t.Run(tc.name, func(t *testing.T) {
			d := startProcess(t, bin, tc.args...)
			ann, joined := roomsMember(t, d.demo(), "recovery", "ann")
			ctx := testCtx(t)
			go func() {
				for k := range 1000 {
					if ann.Client().Send(ctx, message.Text(fmt.Sprintf(`{"text":"%d"}`, k))) != nil {
						return
					}
				}
			}()
			for k := range 1000 {
				expectEv(t, ann, joined.Seq, fmt.Sprintf(`{"from":"ann","text":"%d"}`, k))
			}
			const members = 100
			errs := make([]error, members)
			began := time.Now()
			var wg sync.WaitGroup
			for i := range members {
				wg.Go(func() {
					errs[i] = recoverAll(ctx, d.url("ws", fmt.Sprintf("/rooms/recovery?name=r%d&since=0", i)), fmt.Sprintf("r%d", i))
				})
			}
			wg.Wait()
			took := time.Since(began)
			require.NoError(t, errors.Join(errs...))
			t.Logf("%s: %d members recovered the history (about 1,000 events) each in %v", tc.name, members, took.Round(time.Millisecond))
		})
	}
}

// recoverAll opens url, reads the history, which must hold at least 800
// of ann's messages, up to name's joined, and closes.
func recoverAll(ctx context.Context, url, name string) error {
	c, err := client.Open(ctx, url)
	if err != nil {
		return err
	}
	defer c.CloseNow()
	if _, err := readEv(ctx, c); err != nil { // {"epoch":E,"recovered":R}
		return err
	}
	for said := 0; ; {
		ev, err := readEv(ctx, c)
		if err != nil {
			return fmt.Errorf("%s after %d: %w", name, said, err)
		}
		if ev.From == "ann" {
			said++
		}
		if ev.Joined == name {
			if said < 800 {
				return fmt.Errorf("%s: %d messages before its joined", name, said)
			}
			return c.Close(message.NormalClosure, "")
		}
	}
}
