package natsbroker_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/broker/natsbroker"
	"github.com/wsflow/wsflow/broker/natsbroker/natstest"
)

var scale = flag.Int("rooms.scale", 0, "the rooms TestScale uses (0: skip it)")

// TestScale measures what -rooms.scale rooms cost on NATS: each is
// subscribed to and published to once through one broker, on a NATS
// server embedded in the test process. It logs the streams and consumers,
// the process's memory and open files, and checks that a new room and an
// old room's history still work.
func TestScale(t *testing.T) {
	if *scale == 0 {
		t.Skip("set -rooms.scale to run")
	}
	ns := natstest.Start(t, t.TempDir(), -1)
	b := connect(t, ns.ClientURL())
	before := measure(t)
	began := time.Now()
	ctx := context.Background()
	const workers = 16
	subs := make([]broker.Subscription, *scale)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < *scale; i += workers {
				room := fmt.Sprintf("room-%d", i)
				s, err := b.Subscribe(ctx, room, broker.Handler{Event: func(broker.Event) {}})
				if err == nil {
					_, err = b.Publish(ctx, room, []byte("hello"))
				}
				if err != nil {
					t.Error(err)
					return
				}
				subs[i] = s
			}
		})
	}
	wg.Wait()
	took := time.Since(began)
	after := measure(t)
	jsz, err := ns.Jsz(nil)
	require.NoError(t, err)
	t.Logf("%d rooms in %v: %d streams, %d consumers, %d messages; heap %d -> %d MiB, from the OS %d -> %d MiB, goroutines %d -> %d, open files %d -> %d",
		*scale, took.Round(time.Millisecond), jsz.Streams, jsz.Consumers, jsz.Messages,
		before.heap>>20, after.heap>>20, before.sys>>20, after.sys>>20, before.goroutines, after.goroutines, before.fds, after.fds)
	require.Equal(t, natsbroker.DefaultPartitions, jsz.Streams)

	r := newRecorder()
	subscribe(t, b, "new", r)
	seq := publish(t, b, "new", "x")
	require.Equal(t, []uint64{seq}, seqs(r.waitFor(t, 1, patience)))
	recovered, evs, _ := replayAll(t, b, "room-0", broker.Position{}, seq)
	require.True(t, recovered)
	require.Len(t, evs, 1)
	require.Equal(t, "hello", string(evs[0].Data))
	for _, s := range subs {
		if s != nil {
			s.Close()
		}
	}
}

type usage struct {
	heap, sys       uint64
	goroutines, fds int
}

// measure returns the process's heap in use, memory obtained from the
// OS, goroutines and open files.
func measure(t *testing.T) usage {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fds, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return usage{heap: ms.HeapAlloc, sys: ms.Sys, goroutines: runtime.NumGoroutine(), fds: len(fds)}
}
