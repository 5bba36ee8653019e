package demo

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/broker/natsbroker/natstest"
	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router/wstest"
)

// TestRoomsClusterFailover: two demos, the built binary, on a 3-node
// NATS cluster with -nats-replicas 3; three members on each, all sending
// all along, each keeping a few messages on their way. The NATS node demo
// A is connected to, made the leader of the room's stream, shuts down.
// No member is closed but, possibly, a sender whose publish could not be
// stored in time (1013); every message of every other sender reaches
// every member once, in its order, late if it was sent during the
// failover; and the members' sequences are one sequence.
func TestRoomsClusterFailover(t *testing.T) {
	servers, urls := natstest.Cluster(t, 3)
	bin := buildDemo(t)
	args := []string{"-nats", urls, "-nats-replicas", "3"}
	a := startProcess(t, bin, args...)
	nodeA := clientNode(t, servers, nil)
	b := startProcess(t, bin, args...)
	nodeB := clientNode(t, servers, []int{nodeA})
	t.Logf("demo A is connected to %s, demo B to %s", servers[nodeA].Name(), servers[nodeB].Name())

	const room = "failover"
	lead(t, servers, nodeA, room)

	const members, window = 6, 4
	f := newRoomLoad(members, 2)
	var conns []*wstest.Conn
	for i := range members {
		c, ev := roomsMember(t, []*demoProcess{a, b}[f.home[i]].demo(), room, f.names[i])
		conns = append(conns, c)
		f.got[i] = []roomEv{ev}
	}
	ctx := testCtx(t)
	stop := make(chan struct{})
	var senders, readers sync.WaitGroup
	for i, c := range conns {
		senders.Go(func() { f.send(ctx, i, c.Client(), window, -1, stop) })
		readers.Go(func() { f.read(ctx, i, c.Client()) })
	}

	// Shut the node down once every sender has had some of its messages
	// delivered, then wait until every open member has received from
	// every open sender messages it sent after the node had stopped.
	f.waitAll(t, ctx, func(int) int64 { return 10 })
	inFlight := f.inFlight()
	lost := time.Now()
	servers[nodeA].Shutdown()
	servers[nodeA].WaitForShutdown()
	after := make([]int64, members)
	for s := range members {
		after[s] = f.sent[s].Load() + 2*window
	}
	f.waitAll(t, ctx, func(s int) int64 { return after[s] })
	t.Logf("every member received messages sent after the node stopped %v after it began stopping", time.Since(lost).Round(time.Millisecond))
	close(stop)
	senders.Wait()
	f.waitAll(t, ctx, func(s int) int64 { return f.sent[s].Load() }) // all they sent
	for _, c := range conns {
		c.Close()
	}
	readers.Wait()

	f.mu.Lock()
	defer f.mu.Unlock()
	var open []int
	for i, err := range f.closed {
		if err == nil {
			open = append(open, i)
			continue
		}
		var sc *client.ServerClosed
		require.True(t, errors.As(err, &sc) && sc.Close.Code == message.TryAgainLater, "%s closed: %v", f.names[i], err)
	}
	// One sequence: after the last member's joined and up to the last
	// message (the closes at the end make left events that members
	// closed first do not see), every open member received the same
	// events, increasing, each message of an open sender once, in its
	// order; a closed sender's up to the one whose publish failed, which
	// may or may not have been stored.
	var last uint64
	for i := range members {
		last = max(last, f.got[i][0].Seq)
	}
	common := func(i int) []roomEv {
		evs := f.got[i]
		from := slices.IndexFunc(evs, func(ev roomEv) bool { return ev.Seq > last })
		to := len(evs)
		for to > from && evs[to-1].From == "" {
			to--
		}
		require.GreaterOrEqual(t, from, 0, "%s received nothing after the joins", f.names[i])
		return evs[from:to]
	}
	require.NotEmpty(t, open, "every member was closed")
	room0 := common(open[0])
	for k := 1; k < len(room0); k++ {
		require.Greater(t, room0[k].Seq, room0[k-1].Seq, "increasing")
	}
	for _, i := range open[1:] {
		require.Equal(t, rawOf(room0), rawOf(common(i)), "%s's sequence and %s's", f.names[open[0]], f.names[i])
	}
	for s := range members {
		var said []int
		for _, ev := range f.got[open[0]] {
			if ev.From == f.names[s] {
				k, err := strconv.Atoi(ev.Text)
				require.NoError(t, err, ev.raw)
				said = append(said, k)
			}
		}
		n := int(f.sent[s].Load())
		if f.closed[s] != nil {
			t.Logf("%s closed 1013 after %d messages sent, %d of them delivered", f.names[s], n, len(said))
			n = len(said)
		}
		want := make([]int, n)
		for k := range want {
			want[k] = k
		}
		require.Equal(t, want, said, "%s's messages, each once, in order", f.names[s])
	}
	var sent int64
	for s := range members {
		sent += f.sent[s].Load()
	}
	t.Logf("%d members open, %d closed 1013; %d messages sent, %d of them on their way when the node stopped; %d events after the joins, identical for every open member; the slowest message reached every member %v after it was sent",
		len(open), members-len(open), sent, inFlight, len(room0), f.longest.Round(time.Millisecond))
}

// clientNode returns the index of the one server of servers, not among
// skip, that has a client connection: the demo just started.
func clientNode(t *testing.T, servers []*server.Server, skip []int) int {
	t.Helper()
	for i, s := range servers {
		if !slices.Contains(skip, i) && s.NumClients() > 0 {
			return i
		}
	}
	if len(skip) > 0 && servers[skip[0]].NumClients() > 1 { // on the same node as the first
		return skip[0]
	}
	t.Fatal("no NATS node has the demo's connection")
	return -1
}

// lead makes servers[node] the leader of the stream holding room, and
// waits until it is.
func lead(t *testing.T, servers []*server.Server, node int, room string) {
	t.Helper()
	nc, err := nats.Connect(natstest.URLs(servers...))
	require.NoError(t, err)
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	ctx := testCtx(t)
	stream, err := js.StreamNameBySubject(ctx, "*.*."+room)
	require.NoError(t, err)
	leads := func() bool { return servers[node].JetStreamIsStreamLeader(server.DEFAULT_GLOBAL_ACCOUNT, stream) }
	if !leads() {
		req, err := json.Marshal(server.JSApiLeaderStepdownRequest{Placement: &server.Placement{Preferred: servers[node].Name()}})
		require.NoError(t, err)
		resp, err := nc.RequestWithContext(ctx, fmt.Sprintf(server.JSApiStreamLeaderStepDownT, stream), req)
		require.NoError(t, err)
		require.Contains(t, string(resp.Data), `"success":true`)
	}
	for !leads() { // the election has no signal a client can wait on
		select {
		case <-ctx.Done():
			t.Fatalf("%s did not become the leader of %s", servers[node].Name(), stream)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Logf("%s holds room %q; %s leads it", stream, room, servers[node].Name())
}
