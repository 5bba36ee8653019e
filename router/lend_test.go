package router_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/transformer"
)

// An echo gets each message without a copy, in the buffer it was read
// into; a flow that keeps what it is given must get copies, or the
// buffers' reuse would rewrite what it kept.
func TestKeptMessagesAreCopies(t *testing.T) {
	var mu sync.Mutex
	var kept []string
	ended := make(chan struct{})
	h := router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Map(func(m string) string {
			mu.Lock()
			kept = append(kept, m)
			mu.Unlock()
			return m
		}).OnDone(func(error) { close(ended) })
	}, router.WithKeepAlive(0))
	srv := wstest.Serve(t, h)
	c := srv.Dial(t, "/")
	var want []string
	for i := range 200 {
		m := fmt.Sprint(i, strings.Repeat(string(rune('a'+i%26)), i%97))
		want = append(want, m)
		c.SendText(m)
		c.ExpectText(m)
	}
	c.Close()
	<-ended
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, want, kept)
}

// Echoes of messages that arrive together, each decoded in its own
// buffer without a copy, come back intact.
func TestLentEchoOfBurst(t *testing.T) {
	srv := wstest.Serve(t, echoWith(router.WithKeepAlive(0)))
	r := dialRaw(t, srv)
	var msgs []byte
	var want []string
	for i := range 64 {
		m := fmt.Sprint(i, strings.Repeat(string(rune('A'+i%26)), 10*i))
		want = append(want, m)
		msgs = append(msgs, maskedFrame(0x81, []byte(m))...)
	}
	_, err := r.c.Write(msgs)
	require.NoError(t, err)
	for _, m := range want {
		op, p := r.next()
		require.Equal(t, byte(0x1), op)
		require.Equal(t, m, string(p))
	}
}
