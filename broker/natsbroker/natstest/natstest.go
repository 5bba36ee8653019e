// Package natstest starts NATS servers with JetStream inside a test's
// process, on 127.0.0.1, so that the tests of a program whose rooms run
// on NATS (package natsbroker) need no NATS server installed: one server,
// or a cluster of several with routes between them, whose servers a test
// may shut down to see its rooms fail over. Every server is stopped when
// the test ends.
package natstest

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Patience bounds how long a server may take to accept connections. It is
// a hang guard, not a bound on how fast anything must be.
const Patience = 10 * time.Second

// ElectionPatience bounds how long a cluster may take to elect its
// JetStream leader: nats-server's raft waits 4 to 9 seconds before it
// calls an election, and a split vote starts another, so that a busy
// machine can need several rounds. It is a hang guard, not a bound on how
// fast anything must be.
const ElectionPatience = 60 * time.Second

// Start starts a NATS server with JetStream on 127.0.0.1, storing in dir,
// on port (-1: a random one), and stops it when the test ends.
func Start(t testing.TB, dir string, port int) *server.Server {
	t.Helper()
	return Run(t, &server.Options{Port: port, StoreDir: dir})
}

// Run starts a NATS server with JetStream on 127.0.0.1 with opts (its
// Host, JetStream, NoLog and NoSigs are set) and stops it when the test
// ends.
func Run(t testing.TB, opts *server.Options) *server.Server {
	t.Helper()
	opts.Host, opts.JetStream, opts.NoLog, opts.NoSigs = "127.0.0.1", true, true, true
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(Patience) {
		t.Fatal("nats-server did not start")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s
}

// Cluster starts a JetStream cluster of n NATS servers on 127.0.0.1, named
// n0, n1, ..., each storing in a directory of its own and routed to every
// other, waits until it has elected its leader, and returns the servers
// and their client URLs, comma-separated.
func Cluster(t testing.TB, n int) ([]*server.Server, string) {
	t.Helper()
	var routes []*url.URL
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
		routes = append(routes, &url.URL{Scheme: "nats", Host: l.Addr().String()})
		l.Close()
	}
	var servers []*server.Server
	for i := range n {
		servers = append(servers, Run(t, &server.Options{
			ServerName: fmt.Sprintf("n%d", i),
			Port:       -1,
			StoreDir:   t.TempDir(),
			Cluster:    server.ClusterOpts{Name: "wsflow", Host: "127.0.0.1", Port: ports[i]},
			Routes:     routes,
		}))
	}
	deadline := time.Now().Add(ElectionPatience)
	for !hasLeader(servers) { // the cluster elects its leader in its own time: nothing signals it
		if time.Now().After(deadline) {
			t.Fatalf("the JetStream cluster elected no leader within %v", ElectionPatience)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return servers, URLs(servers...)
}

// URLs returns the client URLs of servers, comma-separated, in their
// order: what a client given several servers tries in turn.
func URLs(servers ...*server.Server) string {
	urls := make([]string, len(servers))
	for i, s := range servers {
		urls[i] = s.ClientURL()
	}
	return strings.Join(urls, ",")
}

// hasLeader reports whether one of servers is the JetStream leader and
// every one is current with it.
func hasLeader(servers []*server.Server) bool {
	leader := false
	for _, s := range servers {
		if !s.JetStreamIsCurrent() {
			return false
		}
		leader = leader || s.JetStreamIsLeader()
	}
	return leader
}
