package bench

import (
	"context"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStartProcessReadsTheListeningLineAndStops(t *testing.T) {
	p, err := StartProcess(context.Background(), "/bin/sh", "-c",
		`echo starting; echo "listening on http://127.0.0.1:4321"; exec sleep 60`)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:4321", p.Addr)
	assert.Positive(t, p.PID)
	require.NoError(t, p.Alive())

	p.Stop()
	p.Stop() // again: no-op
	assert.Error(t, p.Alive())
	assert.ErrorIs(t, syscall.Kill(p.PID, 0), syscall.ESRCH, "the child is gone")
}

func TestStartProcessReportsAnEarlyExit(t *testing.T) {
	_, err := StartProcess(context.Background(), "/bin/sh", "-c", `echo "bind: address already in use" >&2; exit 1`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exited before listening")
	assert.Contains(t, err.Error(), "bind: address already in use")
}

func TestStartProcessStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := StartProcess(ctx, "/bin/sh", "-c", `exec sleep 60`)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestSpawnArgs(t *testing.T) {
	args, routes, err := SpawnArgs("wsflow")
	require.NoError(t, err)
	assert.Equal(t, "demo -addr 127.0.0.1:0 -keepalive 0 -max-conns 0", strings.Join(args, " "))
	assert.Equal(t, Routes{Echo: "/echo", Room: "/chat/"}, routes)

	for _, name := range EchoNames() {
		args, routes, err := SpawnArgs(name)
		require.NoError(t, err)
		assert.Equal(t, "bench-server -impl "+name+" -addr 127.0.0.1:0", strings.Join(args, " "))
		assert.Equal(t, Routes{Echo: "/echo"}, routes, name)
	}
	args, routes, err = SpawnArgs("gorilla-hub")
	require.NoError(t, err)
	assert.Equal(t, "bench-server -impl gorilla-hub -addr 127.0.0.1:0", strings.Join(args, " "))
	assert.Equal(t, Routes{Room: "/chat/"}, routes, "a broadcast server only")

	_, _, err = SpawnArgs("nginx")
	assert.ErrorContains(t, err, "known targets are wsflow, coder-bg, coder-ctx, gorilla, gorilla-hub")
}

func TestSpawnedTargetsSayWhatTheyCanRun(t *testing.T) {
	for name, can := range map[string][]Mode{
		"wsflow":      {Stream, RTT, Idle, Broadcast},
		"gorilla":     {Stream, RTT, Idle},
		"gorilla-hub": {Broadcast},
	} {
		tg, err := SpawnTarget(name)
		require.NoError(t, err)
		for _, mode := range Modes {
			if slices.Contains(can, mode) {
				assert.NoError(t, tg.Supports(mode), "%s %s", name, mode)
			} else {
				assert.Error(t, tg.Supports(mode), "%s %s", name, mode)
			}
		}
	}
}

func TestTailBufferKeepsTheEnd(t *testing.T) {
	tb := &tailBuffer{max: 8}
	tb.Write([]byte("0123456789"))
	tb.Write([]byte("ab"))
	assert.Equal(t, "456789ab", string(tb.b))
	assert.Equal(t, "; its standard error ends:\n    456789ab", tb.quote())
	assert.Equal(t, "", (&tailBuffer{max: 8}).quote())
}
