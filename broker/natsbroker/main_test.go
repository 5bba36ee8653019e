package natsbroker_test

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"go.uber.org/goleak"
)

// TestMain checks every test of the package for leaked goroutines.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// patience bounds how long a test waits for a signal that should come.
const patience = 10 * time.Second

// startNATS starts a NATS server with JetStream on 127.0.0.1, storing in
// dir, on port (-1: a random one), and stops it when the test ends.
func startNATS(t testing.TB, dir string, port int) *server.Server {
	t.Helper()
	return runNATS(t, &server.Options{Port: port, StoreDir: dir})
}

// runNATS starts a NATS server with JetStream on 127.0.0.1 with opts and
// stops it when the test ends.
func runNATS(t testing.TB, opts *server.Options) *server.Server {
	t.Helper()
	opts.Host, opts.JetStream, opts.NoLog, opts.NoSigs = "127.0.0.1", true, true, true
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(patience) {
		t.Fatal("nats-server did not start")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s
}

// startCluster starts a JetStream cluster of n NATS servers on 127.0.0.1,
// each storing in a directory of its own, waits until it has elected its
// leader, and returns the servers and their client URLs, comma-separated.
func startCluster(t testing.TB, n int) ([]*server.Server, string) {
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
	var urls []string
	for i := range n {
		s := runNATS(t, &server.Options{
			ServerName: fmt.Sprintf("n%d", i),
			Port:       -1,
			StoreDir:   t.TempDir(),
			Cluster:    server.ClusterOpts{Name: "wsflow", Host: "127.0.0.1", Port: ports[i]},
			Routes:     routes,
		})
		servers = append(servers, s)
		urls = append(urls, s.ClientURL())
	}
	deadline := time.Now().Add(patience)
	for !hasLeader(servers) { // the cluster elects its leader in its own time
		if time.Now().After(deadline) {
			t.Fatal("the JetStream cluster elected no leader")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return servers, strings.Join(urls, ",")
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
