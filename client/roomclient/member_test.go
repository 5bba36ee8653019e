package roomclient_test

import (
	"context"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/client/roomclient"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/transformer"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), wstest.DefaultTimeout)
	t.Cleanup(cancel)
	return ctx
}

// A server that sends again what the member has (as a careless one
// could): the member hands each event on once, resumes from the last,
// and keeps its Position.
func TestMemberDeduplicatesAndResumes(t *testing.T) {
	queries := make(chan url.Values, 3)
	srv := wstest.Serve(t, router.Accept(transformer.String(), func(r *http.Request) flow.Flow[string, string] {
		q := r.URL.Query()
		queries <- q
		if q.Get("since") == "" {
			return flow.Wrap(flow.Ignore[string](), flow.Concat(
				flow.Just(`{"epoch":"E"}`, `{"seq":4,"joined":"ann"}`, `{"seq":7,"from":"bob","text":"a"}`),
				flow.Failed[string](message.NewCloseError(message.GoingAway, ""))))
		}
		return flow.Wrap(flow.Ignore[string](), flow.Just(`{"epoch":"E","recovered":true}`,
			`{"seq":4,"joined":"ann"}`, `{"seq":7,"from":"bob","text":"a"}`, `{"seq":9,"from":"bob","text":"b"}`))
	}))
	var got []string
	m := roomclient.New(srv.URL("/rooms/r?name=ann"), roomclient.Config{
		OnEvent: func(ev roomclient.Event) { got = append(got, ev.String()) },
		Backoff: client.Backoff{Min: time.Millisecond, OnlyOnFailures: true},
	})
	require.NoError(t, m.Run(testCtx(t)))
	require.Equal(t, []string{"4 ann joined", "7 bob: a", "9 bob: b"}, got)
	require.Equal(t, roomclient.Position{Epoch: "E", Seq: 9}, m.Position())
	first, second := <-queries, <-queries
	require.Equal(t, url.Values{"name": {"ann"}}, first)
	require.Equal(t, url.Values{"name": {"ann"}, "since": {"7"}, "epoch": {"E"}}, second)
}

// A member given From resumes on its first connection; a new epoch starts
// its numbering again.
func TestMemberFromAndNewEpoch(t *testing.T) {
	queries := make(chan url.Values, 1)
	srv := wstest.Serve(t, router.Accept(transformer.String(), func(r *http.Request) flow.Flow[string, string] {
		queries <- r.URL.Query()
		return flow.Wrap(flow.Ignore[string](), flow.Just(`{"epoch":"NEW","recovered":false}`, `{"seq":2,"joined":"bob"}`))
	}))
	var greetings []roomclient.Greeting
	var got []string
	m := roomclient.New(srv.URL("/rooms/r?name=ann"), roomclient.Config{
		From:       roomclient.Position{Epoch: "OLD", Seq: 40},
		OnGreeting: func(g roomclient.Greeting) { greetings = append(greetings, g) },
		OnEvent:    func(ev roomclient.Event) { got = append(got, ev.String()) },
		Backoff:    client.Backoff{OnlyOnFailures: true},
	})
	require.NoError(t, m.Run(testCtx(t)))
	require.Equal(t, []roomclient.Greeting{{Epoch: "NEW", Resumed: true}}, greetings)
	require.Equal(t, []string{"2 bob joined"}, got)
	require.Equal(t, roomclient.Position{Epoch: "NEW", Seq: 2}, m.Position())
	require.Equal(t, url.Values{"name": {"ann"}, "since": {"40"}, "epoch": {"OLD"}}, <-queries)
}

// Say's text reaches the server as {"text":...}.
func TestMemberSays(t *testing.T) {
	heard := make(chan string, 1)
	srv := wstest.Serve(t, router.Accept(transformer.String(), func(r *http.Request) flow.Flow[string, string] {
		return flow.StageFunc(func(ctx context.Context, in <-chan string, emit func(string) error) error {
			if err := emit(`{"epoch":"E"}`); err != nil {
				return err
			}
			heard <- <-in
			return nil // closes with 1000
		})
	}))
	m := roomclient.New(srv.URL("/rooms/r?name=ann"), roomclient.Config{Backoff: client.Backoff{OnlyOnFailures: true}})
	ran := make(chan error, 1)
	go func() { ran <- m.Run(testCtx(t)) }()
	require.NoError(t, m.Say(testCtx(t), `"quoted"`))
	require.Equal(t, `{"text":"\"quoted\""}`, <-heard)
	require.NoError(t, <-ran)
}

// A refused handshake ends Run with it, after one attempt.
func TestMemberRefused(t *testing.T) {
	var attempts atomic.Int32
	srv := wstest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		http.Error(w, "no such room", http.StatusNotFound)
	}))
	m := roomclient.New(srv.URL("/rooms/r?name=ann"), roomclient.Config{Backoff: client.Backoff{Min: time.Millisecond}})
	err := m.Run(testCtx(t))
	var refused *client.HandshakeError
	require.ErrorAs(t, err, &refused)
	require.Equal(t, http.StatusNotFound, refused.StatusCode)
	require.Equal(t, int32(1), attempts.Load())
}
