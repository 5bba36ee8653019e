package bench

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	}
}
