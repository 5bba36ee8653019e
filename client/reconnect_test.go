package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/transformer"
)

// A server that refuses with 403 refuses the next dial too: one attempt,
// and Dial returns the refusal, not the end of ctx.
func TestReconnectStopsOnPermanentRefusal(t *testing.T) {
	var attempts atomic.Int32
	srv := wstest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		http.Error(w, "forbidden", http.StatusForbidden)
	}))
	err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flow.Identity[string](),
		client.WithReconnect(client.Backoff{Min: time.Millisecond}))
	var refused *client.HandshakeError
	require.ErrorAs(t, err, &refused)
	require.Equal(t, http.StatusForbidden, refused.StatusCode)
	require.Equal(t, int32(1), attempts.Load())
}

// A server that closes with 1000 as soon as the socket opens: the waits
// between its sockets grow as between failures, rather than staying at
// Min (ResetAfter long, so that no socket lasts it).
func TestReconnectAfterNormalCloseBacksOff(t *testing.T) {
	srv, _ := closingAtOnce(t)
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	waits := make(chan time.Duration, 10)
	b := client.Backoff{Min: time.Millisecond, Max: 8 * time.Millisecond, ResetAfter: time.Hour, OnRetry: func(err error, wait time.Duration) {
		require.NoError(t, err)
		waits <- wait
		if len(waits) == cap(waits) {
			cancel()
		}
	}}
	err := client.Dial(ctx, srv.URL("/"), transformer.String(), flow.Identity[string](), client.WithReconnect(b))
	require.ErrorIs(t, err, context.Canceled)
	close(waits)
	want := []time.Duration{1, 2, 4, 8, 8, 8, 8, 8, 8, 8}
	i := 0
	for w := range waits {
		require.Equal(t, want[i]*time.Millisecond, w, "wait %d", i)
		i++
	}
}

// closingAtOnce serves sockets that close with 1000 as soon as they open,
// counting them.
func closingAtOnce(t *testing.T) (*wstest.Server, *atomic.Int32) {
	var sockets atomic.Int32
	srv := wstest.Serve(t, router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		sockets.Add(1)
		return flow.Wrap(flow.Ignore[string](), flow.Empty[string]())
	}))
	return srv, &sockets
}

// With OnlyOnFailures, a normal close ends Dial: one socket, and nil.
func TestReconnectOnlyOnFailuresEndsOnNormalClose(t *testing.T) {
	srv, sockets := closingAtOnce(t)
	err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flow.Identity[string](),
		client.WithReconnect(client.Backoff{Min: time.Millisecond, OnlyOnFailures: true}))
	require.NoError(t, err)
	require.Equal(t, int32(1), sockets.Load())
}

// A connection that stayed open ResetAfter starts the waits again from
// Min; the ones that closed at once before it had made them grow.
func TestReconnectResetsAfterALastingConnection(t *testing.T) {
	const resetAfter = 250 * time.Millisecond
	var sockets atomic.Int32
	srv := wstest.Serve(t, router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		if sockets.Add(1) != 3 {
			return flow.Wrap(flow.Ignore[string](), flow.Empty[string]())
		}
		// The third stays open twice ResetAfter (as the server counts, from
		// before the client's count starts), then closes with 1000.
		return flow.Wrap(flow.Ignore[string](), flow.SourceFunc(func(ctx context.Context, emit func(string) error) error {
			select {
			case <-time.After(2 * resetAfter):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}))
	}))
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	var waits []time.Duration
	b := client.Backoff{Min: time.Millisecond, ResetAfter: resetAfter, OnRetry: func(_ error, wait time.Duration) {
		waits = append(waits, wait)
		if len(waits) == 4 {
			cancel()
		}
	}}
	err := client.Dial(ctx, srv.URL("/"), transformer.String(), flow.Identity[string](), client.WithReconnect(b))
	require.ErrorIs(t, err, context.Canceled)
	ms := time.Millisecond
	require.Equal(t, []time.Duration{ms, 2 * ms, ms, 2 * ms}, waits)
}

// The function of WithBeforeDial sees each attempt's number and why the
// one before ended, and the URL and headers it sets are what the server
// receives; its error ends Dial.
func TestBeforeDialSteersEachAttempt(t *testing.T) {
	type request struct{ query, header string }
	requests := make(chan request, 10)
	srv := wstest.Serve(t, router.Accept(transformer.String(), func(r *http.Request) flow.Flow[string, string] {
		requests <- request{r.URL.RawQuery, r.Header.Get("X-Attempt")}
		return flow.Wrap(flow.Ignore[string](), flow.Empty[string]())
	}))
	enough := errors.New("enough")
	var seen []int
	before := func(a *client.Attempt) error {
		seen = append(seen, a.N)
		require.Equal(t, srv.URL("/"), a.URL, "each attempt starts from Dial's url")
		require.Empty(t, a.Header.Get("X-Attempt"), "each attempt starts from WithHeader's headers")
		require.Equal(t, "kept", a.Header.Get("X-Kept"))
		require.NoError(t, a.Prev, "a normal close")
		if a.N == 4 {
			return enough
		}
		a.URL += "?since=" + strconv.Itoa(10*a.N)
		a.Header.Set("X-Attempt", strconv.Itoa(a.N))
		return nil
	}
	err := client.Dial(testCtx(t), srv.URL("/"), transformer.String(), flow.Identity[string](),
		client.WithHeader("X-Kept", "kept"), client.WithBeforeDial(before),
		client.WithReconnect(client.Backoff{Min: time.Millisecond}))
	require.ErrorIs(t, err, enough)
	require.Equal(t, []int{1, 2, 3, 4}, seen)
	close(requests)
	var got []request
	for r := range requests {
		got = append(got, r)
	}
	require.Equal(t, []request{{"since=10", "1"}, {"since=20", "2"}, {"since=30", "3"}}, got)
}

// Refusals that may pass (408, 429, 5xx) are retried; when ctx ends, Dial
// returns its error wrapping the last refusal.
func TestReconnectRetriesTransientRefusals(t *testing.T) {
	codes := []int{http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusServiceUnavailable}
	var attempts atomic.Int32
	srv := wstest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := attempts.Add(1)
		http.Error(w, "later", codes[(int(n)-1)%len(codes)])
	}))
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	var refusals []int
	b := client.Backoff{Min: time.Millisecond, OnRetry: func(err error, _ time.Duration) {
		var refused *client.HandshakeError
		require.ErrorAs(t, err, &refused)
		refusals = append(refusals, refused.StatusCode)
		if len(refusals) == len(codes) {
			cancel()
		}
	}}
	err := client.Dial(ctx, srv.URL("/"), transformer.String(), flow.Identity[string](), client.WithReconnect(b))
	require.Equal(t, codes, refusals)
	require.ErrorIs(t, err, context.Canceled)
	var refused *client.HandshakeError
	require.ErrorAs(t, err, &refused)
	require.Equal(t, http.StatusServiceUnavailable, refused.StatusCode)
}

func TestRetryable(t *testing.T) {
	for code, want := range map[int]bool{
		301: false, 302: false, 307: false, 400: false, 401: false, 403: false, 404: false, 426: false,
		408: true, 429: true, 500: true, 502: true, 503: true,
	} {
		require.Equal(t, want, client.Retryable(&client.HandshakeError{StatusCode: code}), "HTTP %d", code)
	}
	require.True(t, client.Retryable(errors.New("connection refused")))
	require.True(t, client.Retryable(fmt.Errorf("wrapped: %w", &client.ServerClosed{})))
	require.False(t, client.Retryable(fmt.Errorf("wrapped: %w", &client.HandshakeError{StatusCode: 403})))
}

func TestBackoffWait(t *testing.T) {
	ms := time.Millisecond
	b := client.Backoff{Min: ms, Max: 10 * ms, Factor: 3}
	for n, want := range []time.Duration{ms, 3 * ms, 9 * ms, 10 * ms, 10 * ms} {
		require.Equal(t, want, b.Wait(n+1), "wait %d", n+1)
	}
	require.Equal(t, 10*ms, b.Wait(1<<40), "no overflow")
	require.Equal(t, ms, client.Backoff{Min: ms, Factor: 1}.Wait(1<<40), "a Factor of 1 keeps Min")
	require.Equal(t, 100*ms, client.Backoff{}.Wait(1), "the default Min")
	j := client.Backoff{Min: 4 * ms, Jitter: 0.5}
	for range 100 {
		w := j.Wait(2)
		require.GreaterOrEqual(t, w, 8*ms)
		require.LessOrEqual(t, w, 12*ms)
	}
}
