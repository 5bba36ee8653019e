package router_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/transformer"
)

// Only the server's own failure is logged at error level: a peer that
// closes with 1011 has failed on its side, and its close is an ordinary
// closing line, as 1001 and 4000 are.
func TestPeerFailureIsNotTheServers(t *testing.T) {
	var mu sync.Mutex
	var log strings.Builder
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &log}, nil))
	g := router.NewGroup(0)
	srv := wstest.Serve(t, router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.MapErr(func(m string) (string, error) {
			if m == "fail" {
				return "", errors.New("server-side failure")
			}
			return m, nil
		})
	}, router.WithLogger(logger), router.WithGroup(g)))

	for _, code := range []message.Code{message.InternalError, message.GoingAway, 4000} {
		c := srv.Dial(t, "/")
		c.CloseWith(code, "peer's own reason")
	}
	c := srv.Dial(t, "/")
	c.SendText("fail")
	c.ExpectClose(message.InternalError, "internal error")
	require.NoError(t, g.Shutdown(context.Background())) // every closing line is written

	mu.Lock()
	defer mu.Unlock()
	var failed []string
	closed := 0
	for _, line := range strings.Split(log.String(), "\n") {
		if strings.Contains(line, "level=ERROR") {
			failed = append(failed, line)
		}
		if strings.Contains(line, `msg="websocket closed"`) {
			closed++
		}
	}
	require.Equal(t, 4, closed, log.String())
	require.Len(t, failed, 1, log.String())
	require.Contains(t, failed[0], `msg="websocket flow failed"`)
	require.Contains(t, failed[0], "server-side failure")
}
