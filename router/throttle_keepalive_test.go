package router_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/transformer"
)

// A server whose flow holds an element back (a Throttle) still reads, so
// it answers the pings of a client whose keep-alive is much shorter than
// the wait: the client is not led to drop a healthy server for a missing
// pong (1006).
func TestThrottledServerAnswersPings(t *testing.T) {
	srv := httptest.NewServer(router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Throttle[string](1, 1500*time.Millisecond, 1)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), wstest.DefaultTimeout)
	defer cancel()

	got := make(chan string, 2)
	f := flow.Prepend(flow.Just("a", "b"), flow.Via(flow.Take[string](2), flow.MapConcat(func(m string) []string {
		got <- m
		return nil
	})))
	err := client.Dial(ctx, "ws"+srv.URL[len("http"):], transformer.String(), f, client.WithKeepAlive(250*time.Millisecond))
	require.NoError(t, err, "the client dropped the server")
	require.Equal(t, "a", <-got)
	require.Equal(t, "b", <-got)
}
