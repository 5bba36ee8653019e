package wstest

import (
	"github.com/wsflow/wsflow/client"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// DefaultTimeout bounds each step of the kit: a dial, a send, an
// expectation, and the wait for a closed server's handlers. It guards
// against hangs; it is not a speed assertion.
const DefaultTimeout = 10 * time.Second

// handlerWait bounds Server.Close's wait for running handlers; tests of
// the kit shorten it.
var handlerWait = DefaultTimeout

// Server is an http.Handler served on a loopback address (127.0.0.1) for
// the length of a test. A Server is safe for concurrent use.
type Server struct {
	tb       TB
	hs       *httptest.Server
	handlers sync.WaitGroup
	once     sync.Once

	mu    sync.Mutex
	conns map[*Conn]struct{}
}

// Serve serves h on 127.0.0.1 at a free port until tb's test ends, when
// the Server is closed (see Close).
func Serve(tb TB, h http.Handler) *Server {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("wstest: listen on loopback: %v", err)
	}
	s := &Server{tb: tb, conns: make(map[*Conn]struct{})}
	s.hs = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.handlers.Add(1)
		defer s.handlers.Done()
		h.ServeHTTP(w, r)
	}))
	s.hs.Listener.Close()
	s.hs.Listener = l
	s.hs.Start()
	tb.Cleanup(s.Close)
	return s
}

// URL returns the ws:// URL of path on the server; path, which may carry
// a query, is appended as it is: s.URL("/chat/lobby?user=ann") is
// "ws://127.0.0.1:PORT/chat/lobby?user=ann".
func (s *Server) URL(path string) string {
	return "ws" + strings.TrimPrefix(s.hs.URL, "http") + path
}

// Addr returns the server's address, "127.0.0.1:PORT", for a test that
// dials it by other means than the kit's.
func (s *Server) Addr() string { return s.hs.Listener.Addr().String() }

// HTTPURL returns the http:// URL of path on the server, as URL does. With
// an empty path it is the server's origin, "http://127.0.0.1:PORT".
func (s *Server) HTTPURL(path string) string { return s.hs.URL + path }

// Dial opens a WebSocket connection to path on the server, as the
// package-level Dial does; the connection also closes when the server
// does.
func (s *Server) Dial(tb TB, path string, opts ...DialOption) *Conn {
	tb.Helper()
	c := Dial(tb, s.URL(path), opts...)
	s.mu.Lock()
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	c.forget = func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}
	return c
}

// DialRefused dials path on the server, expecting the handshake to be
// refused, as the package-level DialRefused does.
func (s *Server) DialRefused(tb TB, path string, opts ...DialOption) *client.HandshakeError {
	tb.Helper()
	return DialRefused(tb, s.URL(path), opts...)
}

// Close drops the connections dialed through s that are still open,
// shuts the server down and waits for its handlers to return, reporting
// an error on the TB given to Serve if one is still running after
// DefaultTimeout: a handler that does not end when its peer has gone
// leaks. Close runs at the end of the test; calling it earlier is
// allowed, and further calls do nothing.
func (s *Server) Close() {
	s.once.Do(func() {
		s.mu.Lock()
		conns := make([]*Conn, 0, len(s.conns))
		for c := range s.conns {
			conns = append(conns, c)
		}
		s.mu.Unlock()
		for _, c := range conns {
			c.drop()
		}
		// After httptest's Close no handler starts, so waiting is safe.
		s.hs.Close()
		done := make(chan struct{})
		go func() {
			s.handlers.Wait()
			close(done)
		}()
		timer := time.NewTimer(handlerWait)
		defer timer.Stop()
		select {
		case <-done:
		case <-timer.C:
			s.tb.Errorf("wstest: a handler of %s is still running %v after the server closed and its clients left", s.hs.URL, handlerWait)
		}
	})
}
