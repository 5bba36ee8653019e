package router_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
)

// recorder is an Observer that writes down what it sees, a line each.
type recorder struct {
	mu     sync.Mutex
	events []string
	closed chan struct{}
}

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
}

func (r *recorder) Handshake(route string, status int) { r.add("handshake %s %d", route, status) }
func (r *recorder) Open(route string) router.SocketObserver {
	r.add("open %s", route)
	return r
}
func (r *recorder) MessageIn(k message.Kind, size int)  { r.add("in %s %d", k, size) }
func (r *recorder) MessageOut(k message.Kind, size int) { r.add("out %s %d", k, size) }
func (r *recorder) Closed(c message.Close, by router.ClosedBy, lived time.Duration) {
	r.add("closed %d %q by %s", c.Code, c.Reason, by)
	r.closed <- struct{}{}
}

// The observer sees every handshake answered, each message in and out
// with its payload size, and each close with who ended it.
func TestObserver(t *testing.T) {
	rec := &recorder{closed: make(chan struct{}, 4)}
	mux := http.NewServeMux()
	mux.Handle("GET /echo", echoWith(router.WithObserver(rec), router.WithReadLimit(8)))
	srv := wstest.Serve(t, mux)

	resp, err := http.Get(srv.HTTPURL("/echo"))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUpgradeRequired, resp.StatusCode)
	c := srv.Dial(t, "/echo")
	c.SendText("héllo")
	c.ExpectText("héllo")
	c.CloseWith(message.NormalClosure, "done")
	<-rec.closed
	d := srv.Dial(t, "/echo")
	d.SendText("far too long")
	d.ExpectClose(message.MessageTooBig, "message too big: the limit is 8 bytes")
	<-rec.closed
	e := srv.Dial(t, "/echo")
	e.CloseNow()
	<-rec.closed

	rec.mu.Lock()
	defer rec.mu.Unlock()
	require.Equal(t, []string{
		"handshake GET /echo 426",
		"handshake GET /echo 101", "open GET /echo",
		"in text 6", "out text 6",
		`closed 1000 "done" by peer`,
		"handshake GET /echo 101", "open GET /echo",
		`closed 1009 "" by server`,
		"handshake GET /echo 101", "open GET /echo",
		`closed 1006 "" by drop`,
	}, rec.events)
}

// panicky is an observer whose Closed panics, after counting its call.
type panicky struct {
	router.Observer
	closes chan struct{}
}

func (p *panicky) Open(string) router.SocketObserver { return p }
func (p *panicky) MessageIn(message.Kind, int)       {}
func (p *panicky) MessageOut(message.Kind, int)      {}
func (p *panicky) Closed(message.Close, router.ClosedBy, time.Duration) {
	p.closes <- struct{}{}
	panic("observer bug")
}

// An observer that panics when told of a close takes down neither the
// server nor the next socket: the panic is logged at error level, Closed
// was called once, and the route serves on.
func TestObserverPanicIsLogged(t *testing.T) {
	var mu sync.Mutex
	var log strings.Builder
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &log}, nil))
	obs := &panicky{Observer: &recorder{}, closes: make(chan struct{}, 4)}
	srv := wstest.Serve(t, echoWith(router.WithObserver(obs), router.WithLogger(logger)))
	for range 2 {
		c := srv.Dial(t, "/")
		c.SendText("hi")
		c.ExpectText("hi")
		c.Close()
		<-obs.closes
	}
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Count(log.String(), "websocket runtime panic") == 2
	}, 10*time.Second, 10*time.Millisecond, "each panic logged once")
	require.Len(t, obs.closes, 0, "Closed called once per socket")
}
