package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/cmd/wsflow/demo"
)

// tinyLoad runs each mode for a moment: these tests check that the modes
// work and report, not how fast anything is.
var tinyLoad = Load{Conns: 3, Window: 4, Size: 100, Idle: 20, Warmup: 20 * time.Millisecond, Duration: 100 * time.Millisecond}

// echoServer serves h at /echo on 127.0.0.1 and returns its ws:// URL.
func echoServer(t *testing.T, h http.Handler) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("GET /echo", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/echo"
}

func TestModesAgainstEveryBaseline(t *testing.T) {
	pid := os.Getpid() // the servers run in this process
	for _, name := range EchoNames() {
		t.Run(name, func(t *testing.T) {
			h, err := EchoHandler(name)
			require.NoError(t, err)
			url := echoServer(t, h)

			s, err := MeasureStream(context.Background(), url, pid, tinyLoad)
			require.NoError(t, err)
			assert.Positive(t, s.Msgs)
			assert.Equal(t, s.Msgs*100, s.Bytes)
			assert.GreaterOrEqual(t, s.ServerCPU, time.Duration(0))
			assert.Positive(t, s.Window)
			// The server is this process: its writes, and the client's.
			assert.GreaterOrEqual(t, s.ServerWritesPerMsg(), 1.0, "at least one write(2) per echo")

			s, err = MeasureRTT(context.Background(), url, pid, tinyLoad)
			require.NoError(t, err)
			assert.Positive(t, s.Msgs)
			assert.Positive(t, s.Latency.P50)
			assert.LessOrEqual(t, s.Latency.P50, s.Latency.P99)
			assert.LessOrEqual(t, s.Latency.P99, s.Latency.Max)

			s, err = MeasureIdle(context.Background(), url, pid, tinyLoad)
			require.NoError(t, err)
			assert.Equal(t, 20, s.Conns)
			assert.Positive(t, s.RSSBefore)
			assert.Positive(t, s.RSSAfter)
		})
	}
}

func TestBinaryMessages(t *testing.T) {
	h, err := EchoHandler("coder-bg")
	require.NoError(t, err)
	l := tinyLoad
	l.Binary = true
	s, err := MeasureStream(context.Background(), echoServer(t, h), 0, l)
	require.NoError(t, err)
	assert.Positive(t, s.Msgs)
	assert.Equal(t, time.Duration(-1), s.ServerCPU, "no pid: no server CPU")
}

// faultyEcho echoes like coder-bg, but alters its answer to the message
// whose sequence number is 3 on every connection: it swaps it with the
// next one (reorder), or changes a byte of it (corrupt).
func faultyEcho(fault string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := context.Background()
		var held []byte
		for {
			typ, p, err := c.Read(ctx)
			if err != nil {
				return
			}
			isThird := bytes.HasSuffix(p[:headerLen], []byte("0000000000000003:"))
			switch {
			case fault == "reorder" && isThird:
				held = p
				continue
			case fault == "corrupt" && isThird:
				p[len(p)-1]++
			}
			if err := c.Write(ctx, typ, p); err != nil {
				return
			}
			if held != nil {
				if err := c.Write(ctx, typ, held); err != nil {
					return
				}
				held = nil
			}
		}
	})
}

func TestStreamFailsOnAMismatch(t *testing.T) {
	for _, fault := range []string{"reorder", "corrupt"} {
		t.Run(fault, func(t *testing.T) {
			_, err := MeasureStream(context.Background(), echoServer(t, faultyEcho(fault)), 0, tinyLoad)
			var m *MismatchError
			require.True(t, errors.As(err, &m), "want a mismatch, got %v", err)
			assert.Equal(t, uint64(3), m.Seq)
		})
	}
}

func TestRTTFailsOnAMismatch(t *testing.T) {
	_, err := MeasureRTT(context.Background(), echoServer(t, faultyEcho("corrupt")), 0, tinyLoad)
	var m *MismatchError
	require.True(t, errors.As(err, &m), "want a mismatch, got %v", err)
}

func TestRoundEndsWithContext(t *testing.T) {
	h, err := EchoHandler("coder-bg")
	require.NoError(t, err)
	url := echoServer(t, h)
	ctx, cancel := context.WithCancel(context.Background())
	l := tinyLoad
	l.Duration = time.Hour
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err = MeasureStream(ctx, url, 0, l)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestRunnerInterleavesAndReports(t *testing.T) {
	ctx := context.Background()
	var targets []*Target
	for _, name := range []string{"coder-bg", "gorilla"} {
		h, err := EchoHandler(name)
		require.NoError(t, err)
		tg, note, err := URLTarget(ctx, name, echoServer(t, h))
		require.NoError(t, err)
		assert.Empty(t, note, "the listener is this process")
		assert.Equal(t, os.Getpid(), tg.PID)
		targets = append(targets, tg)
	}
	var progress bytes.Buffer
	r := &Runner{
		Targets:  targets,
		Modes:    []Mode{Stream, RTT, Idle},
		Loads:    map[Mode]Load{Stream: tinyLoad, RTT: tinyLoad, Idle: tinyLoad},
		Rounds:   2,
		Progress: &progress,
	}
	results, err := r.Run(ctx)
	require.NoError(t, err)
	require.Len(t, results, 3)

	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(progress.String()), "\n") {
		f := strings.Fields(l)
		lines = append(lines, f[0]+" "+f[2]+" "+f[3])
	}
	assert.Equal(t, []string{
		"stream 1/2 coder-bg", "stream 1/2 gorilla", "stream 2/2 coder-bg", "stream 2/2 gorilla",
		"rtt 1/2 coder-bg", "rtt 1/2 gorilla", "rtt 2/2 coder-bg", "rtt 2/2 gorilla",
		"idle 1/2 coder-bg", "idle 1/2 gorilla", "idle 2/2 coder-bg", "idle 2/2 gorilla",
	}, lines)

	for _, res := range results {
		assert.Len(t, res.Samples["coder-bg"], 2)
		var out bytes.Buffer
		require.NoError(t, res.Write(&out, "coder-bg"))
		table := out.String()
		assert.Contains(t, table, "ratios (x) are to coder-bg")
		assert.Contains(t, table, "medians of 2 interleaved rounds")
		assert.Regexp(t, `(?m)^\s+coder-bg\s.*\s1\.00\s`, table, "the baseline's ratio is 1")
		assert.Regexp(t, `(?m)^\s+gorilla\s`, table)
		if res.Mode != Idle {
			assert.Contains(t, table, "server writes/msg")
		}
	}
}

// tinyBroadcast runs a broadcast round for a moment.
var tinyBroadcast = Load{Members: 5, Senders: 2, Size: 64, Warmup: 20 * time.Millisecond, Duration: 150 * time.Millisecond}

// demoServer serves the demo application in this process, as "wsflow
// demo -keepalive 0" would, and returns its /chat/ prefix.
func demoServer(t *testing.T) string {
	t.Helper()
	cfg := demo.DefaultConfig()
	cfg.KeepAlive = 0
	app := demo.New(cfg)
	srv := httptest.NewServer(app)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		assert.NoError(t, app.Shutdown(ctx))
		srv.Close()
	})
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/chat/"
}

// broadcastTargets are the demo and gorilla-hub, both in this process.
func broadcastTargets(t *testing.T) []*Target {
	t.Helper()
	hub, err := HubHandler("gorilla-hub")
	require.NoError(t, err)
	var targets []*Target
	for name, url := range map[string]string{"wsflow": demoServer(t), "gorilla-hub": roomServer(t, hub)} {
		tg, note, err := URLTarget(context.Background(), name, url)
		require.NoError(t, err)
		assert.Empty(t, note, "the listener is this process")
		require.NoError(t, tg.Supports(Broadcast))
		assert.Error(t, tg.Supports(Stream), "a room route is no echo")
		targets = append(targets, tg)
	}
	slices.SortFunc(targets, func(a, b *Target) int { return strings.Compare(b.Name, a.Name) }) // wsflow first
	return targets
}

func TestBroadcastAgainstTheDemoAndTheHub(t *testing.T) {
	targets := broadcastTargets(t)
	for _, rate := range []float64{0, 200} {
		t.Run(fmt.Sprintf("rate %g", rate), func(t *testing.T) {
			l := tinyBroadcast
			l.Rate = rate
			var progress bytes.Buffer
			r := &Runner{Targets: targets, Modes: []Mode{Broadcast}, Loads: map[Mode]Load{Broadcast: l}, Rounds: 1, Progress: &progress}
			results, err := r.Run(context.Background())
			require.NoError(t, err)
			require.Len(t, results, 1)
			res := results[0]
			for _, tg := range targets {
				require.Len(t, res.Samples[tg.Name], 1, tg.Name)
				s := res.Samples[tg.Name][0]
				assert.Positive(t, s.Sent, tg.Name)
				assert.Positive(t, s.Msgs, tg.Name)
				members, senders := int64(l.Members), int64(l.Senders)
				if rate == 0 {
					// Every message reaches every member before the next:
					// the window holds Members deliveries per message sent,
					// give or take a message per sender at either end.
					assert.InDelta(t, members*s.Sent, s.Msgs, float64(2*members*senders), tg.Name)
				} else {
					// The schedule allows no more than Rate a second.
					assert.LessOrEqual(t, float64(s.Sent), float64(senders)*(rate*s.Window.Seconds()+2), tg.Name)
				}
				assert.Positive(t, s.Latency.P50, tg.Name)
				assert.LessOrEqual(t, s.Latency.P50, s.Latency.P99, tg.Name)
				assert.LessOrEqual(t, s.Latency.P99, s.Latency.Max, tg.Name)
				// The server is this process: its writes, and the client's.
				assert.Positive(t, s.ServerWritesPerMsg(), tg.Name)
				assert.GreaterOrEqual(t, s.ServerCPU, time.Duration(0), tg.Name)
			}

			var out bytes.Buffer
			require.NoError(t, res.Write(&out, "gorilla-hub"))
			table := out.String()
			t.Log("\n" + table)
			pace := "closed loop"
			if rate > 0 {
				pace = "200 msgs/s per sender"
			}
			assert.Contains(t, table, "broadcast: 5 members in one room, 2 of them sending, "+pace)
			for _, col := range []string{"deliveries/s", "server µs/delivery", "server writes/delivery", "p50 µs", "p99 µs"} {
				assert.Contains(t, table, col)
			}
			assert.Regexp(t, `(?m)^\s+gorilla-hub\s+\d+\s+1\.00\s`, table, "the baseline's ratio is 1")
			assert.Regexp(t, `(?m)^\s+wsflow\s+\d+\s`, table)
			assert.Contains(t, progress.String(), "writes/delivery")
		})
	}
}
