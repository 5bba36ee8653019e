package wire

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakePeer is a pinger whose activity the test sets and whose pings the
// test answers.
type fakePeer struct {
	received int64
	isBusy   bool
	pings    chan chan error // each ping hands the test a way to answer it
	ended    chan error
}

func newFakePeer() *fakePeer {
	return &fakePeer{pings: make(chan chan error, 1), ended: make(chan error, 1)}
}

func (p *fakePeer) messagesReceived() int64 { return p.received }
func (p *fakePeer) busy() bool              { return p.isBusy }
func (p *fakePeer) end(reason error)        { p.ended <- reason }
func (p *fakePeer) ping(ctx context.Context) (bool, error) {
	answer := make(chan error)
	p.pings <- answer
	select {
	case err := <-answer:
		return false, err
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// manualKeepAlive returns a keepAlive whose timer never fires by itself:
// the test calls tick.
func manualKeepAlive(t *testing.T, p *fakePeer) *keepAlive {
	k := &keepAlive{}
	k.start(time.Hour, p)
	t.Cleanup(k.stop)
	return k
}

func TestKeepAlivePingsOnlyAnIdlePeer(t *testing.T) {
	p := newFakePeer()
	k := manualKeepAlive(t, p)

	p.received = 5 // the peer sent something since the last tick
	k.tick(p)
	require.Empty(t, p.pings, "an active peer is not pinged")

	p.isBusy = true // the flow is handling a message: the socket is not reading
	k.tick(p)
	require.Empty(t, p.pings, "a peer is not pinged while its message is handled")
	p.isBusy = false

	pinged := make(chan struct{})
	go func() { k.tick(p); close(pinged) }() // idle: pinged
	answer := <-p.pings
	answer <- nil // the pong comes back
	<-pinged
	require.Empty(t, p.ended, "a peer that answered is kept")
}

func TestKeepAliveDropsIdlePeerWithoutPong(t *testing.T) {
	p := newFakePeer()
	k := manualKeepAlive(t, p)

	go k.tick(p) // idle: pinged, and no pong comes
	answer := <-p.pings

	p.received = 1 // but the peer is sending: it is alive
	k.tick(p)
	require.Empty(t, p.ended)

	k.tick(p) // idle again, pong still missing: dropped
	var gone *connGone
	require.ErrorAs(t, <-p.ended, &gone)
	require.ErrorIs(t, gone, errNoPong)
	answer <- errors.New("connection closed")
	require.Error(t, <-p.ended, "a failed ping ends the socket")
}

func TestKeepAliveStopWaitsForPingInFlight(t *testing.T) {
	p := newFakePeer()
	k := &keepAlive{}
	k.start(time.Hour, p)
	done := make(chan struct{})
	go func() { k.tick(p); close(done) }()
	<-p.pings // a ping is in flight and never answered
	k.stop()  // cancels it and waits for it
	select {
	case <-done:
	default:
		t.Fatal("stop returned while a ping was in flight")
	}
	k.tick(p) // after stop, ticks do nothing
	require.Empty(t, p.pings)
}
