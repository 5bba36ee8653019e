package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/internal/cmdtest"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router/wstest"
)

// gatedWork is a back end for /lookup whose pieces of work end when the
// test says: each waits for its duration's slot to be released, and the
// gate counts how many run at once.
type gatedWork struct {
	started  chan time.Duration // each piece of work as it starts
	mu       sync.Mutex
	release  map[time.Duration]chan struct{}
	running  int
	mostSeen int
}

func newGatedWork() *gatedWork {
	return &gatedWork{started: make(chan time.Duration, 64), release: map[time.Duration]chan struct{}{}}
}

func (g *gatedWork) gate(d time.Duration) chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.release[d] == nil {
		g.release[d] = make(chan struct{})
	}
	return g.release[d]
}

// work runs one piece: the work's duration names it.
func (g *gatedWork) work(ctx context.Context, d time.Duration) error {
	g.mu.Lock()
	g.running++
	g.mostSeen = max(g.mostSeen, g.running)
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.running--
		g.mu.Unlock()
	}()
	g.started <- d
	select {
	case <-g.gate(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// serveLookup serves the demo with work as /lookup's back end.
func serveLookup(t *testing.T, work func(context.Context, time.Duration) error) *testDemo {
	t.Helper()
	cfg, err := ParseFlags(nil, io.Discard)
	require.NoError(t, err)
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	app := New(cfg)
	app.lookupWork = work
	return &testDemo{addr: cmdtest.Serve(t, app, app.Shutdown)}
}

func lookupRequest(id int, work time.Duration) string {
	return fmt.Sprintf(`{"id":%d,"work":%q}`, id, work.String())
}

// Answers come in the order of the requests, whatever order the work
// ends in.
func TestLookupAnswersInOrder(t *testing.T) {
	g := newGatedWork()
	d := serveLookup(t, g.work)
	c := wstest.Dial(t, d.wsURL("/lookup?parallel=4"))
	for id := 1; id <= 4; id++ {
		c.SendText(lookupRequest(id, time.Duration(id)*time.Millisecond))
	}
	for range 4 {
		<-g.started
	}
	for id := 4; id >= 1; id-- {
		close(g.gate(time.Duration(id) * time.Millisecond))
	}
	for id := 1; id <= 4; id++ {
		c.ExpectText(fmt.Sprintf(`{"id":%d,"done":true}`, id))
	}
}

// P pieces of work run at once while requests wait, never more: each
// one that ends lets exactly one more start.
func TestLookupBoundsWorkUnderWay(t *testing.T) {
	g := newGatedWork()
	d := serveLookup(t, g.work)
	c := wstest.Dial(t, d.wsURL("/lookup?parallel=2"))
	const n = 6
	for id := 1; id <= n; id++ {
		c.SendText(lookupRequest(id, time.Duration(id)*time.Millisecond))
	}
	started := []time.Duration{<-g.started, <-g.started}
	require.ElementsMatch(t, []time.Duration{time.Millisecond, 2 * time.Millisecond}, started)
	for id := 1; id <= n; id++ {
		close(g.gate(time.Duration(id) * time.Millisecond))
		c.ExpectText(fmt.Sprintf(`{"id":%d,"done":true}`, id))
		if id+2 <= n {
			require.Equal(t, time.Duration(id+2)*time.Millisecond, <-g.started, "the next request starts")
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	require.Equal(t, 2, g.mostSeen, "pieces of work under way at once")
}

// A socket quiet for the heartbeat interval sends {"heartbeat":true}; the
// real back end answers a request with no work at once.
func TestLookupHeartbeat(t *testing.T) {
	d := serveLookup(t, simulatedWork)
	c := wstest.Dial(t, d.wsURL("/lookup?heartbeat=20ms"))
	c.ExpectText(`{"heartbeat":true}`)
	c.SendText(lookupRequest(7, 0))
	for {
		p := c.ReadText()
		if p == `{"heartbeat":true}` {
			continue // the machine may be slow: heartbeats may come first
		}
		require.Equal(t, `{"id":7,"done":true}`, p)
		break
	}
	c.ExpectText(`{"heartbeat":true}`)
}

func TestLookupRefusesBadParameters(t *testing.T) {
	d := serveLookup(t, simulatedWork)
	for _, q := range []string{"parallel=0", "parallel=65", "parallel=x", "heartbeat=5ms", "heartbeat=2h", "heartbeat=soon"} {
		status, body := refused(t, d.wsURL("/lookup?"+q))
		require.Equal(t, http.StatusBadRequest, status, q)
		require.Contains(t, body, "400 bad request", q)
	}
}

func TestLookupRefusesBadRequests(t *testing.T) {
	d := serveLookup(t, simulatedWork)
	for _, tt := range []struct{ in, field string }{
		{`{"id":1}`, "work"},
		{`{"work":"1s"}`, "id"},
		{`{"id":1,"work":"11s"}`, "work"},
		{`{"id":1,"work":"-1s"}`, "work"},
		{`{"id":1,"work":"soon"}`, "work"},
		{`{"id":1,"work":"1s","extra":true}`, "extra"},
		{`{"id":"one","work":"1s"}`, "id"},
	} {
		c := wstest.Dial(t, d.wsURL("/lookup"))
		c.SendText(tt.in)
		ce := closeOf(t, c)
		require.Equal(t, message.InvalidPayload, ce.Code, tt.in)
		require.Contains(t, ce.Reason, tt.field, tt.in)
	}
}
