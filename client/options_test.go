package client_test

import (
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/client"
	"github.com/wsflow/wsflow/flow"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
	"github.com/wsflow/wsflow/transformer"
)

// The client stands beside the router, not on it: what both need lies
// below both.
func TestClientDoesNotImportRouter(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	require.NoError(t, err)
	for _, dep := range strings.Fields(string(out)) {
		require.NotContains(t, dep, "wsflow/router", "client depends on %s", dep)
	}
	require.EqualValues(t, router.DefaultReadLimit, client.DefaultReadLimit)
	require.Equal(t, router.DefaultWriteTimeout, client.DefaultWriteTimeout)
}

// A read limit of 0 is no limit, as on the router.
func TestReadLimitZeroIsNoLimit(t *testing.T) {
	big := strings.Repeat("x", client.DefaultReadLimit+1)
	srv := wstest.Serve(t, router.Accept(transformer.String(), func(*http.Request) flow.Flow[string, string] {
		return flow.Identity[string]()
	}, router.WithReadLimit(0)))
	c := open(t, srv.URL("/"), client.WithReadLimit(0))
	require.NoError(t, c.Send(testCtx(t), message.Text(big)))
	require.Equal(t, message.Text(big), receive(t, c))
	require.NoError(t, c.Close(message.NormalClosure, ""))
}

// A negative size or duration is a programmer's error, refused where it
// is written.
func TestNegativeOptionsPanic(t *testing.T) {
	for name, option := range map[string]func(){
		"WithReadLimit":        func() { client.WithReadLimit(-1) },
		"WithKeepAlive":        func() { client.WithKeepAlive(-time.Second) },
		"WithWriteTimeout":     func() { client.WithWriteTimeout(-time.Second) },
		"WithCloseTimeout":     func() { client.WithCloseTimeout(-time.Second) },
		"WithHandshakeTimeout": func() { client.WithHandshakeTimeout(-time.Second) },
	} {
		require.PanicsWithValue(t, "client: "+name+": negative value "+map[bool]string{true: "-1", false: "-1s"}[name == "WithReadLimit"], option, name)
	}
}

// Dial and Open take ws:// and wss:// URLs only, and say what is wrong
// with any other in their own words, not coder/websocket's.
func TestDialURLs(t *testing.T) {
	f := flow.Identity[string]()
	for url, want := range map[string]string{
		"http://127.0.0.1/":  `websocket: "http://127.0.0.1/" is not a ws:// or wss:// URL`,
		"https://127.0.0.1/": `websocket: "https://127.0.0.1/" is not a ws:// or wss:// URL`,
		"ws:///path":         `websocket: "ws:///path" is not a ws:// or wss:// URL`,
		"ws://[::1":          `websocket: parse "ws://[::1": missing ']' in host`,
	} {
		require.EqualError(t, client.Dial(testCtx(t), url, transformer.String(), f), want)
		_, err := client.Open(testCtx(t), url)
		require.EqualError(t, err, want)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	err = client.Dial(testCtx(t), "ws://"+addr+"/echo", transformer.String(), f)
	require.ErrorContains(t, err, "websocket: dial ws://"+addr+"/echo: dial tcp "+addr+": connect: connection refused")
	require.NotContains(t, err.Error(), "http://")
	require.NotContains(t, err.Error(), "failed to WebSocket dial")
}
