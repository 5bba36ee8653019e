package router_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/router"
	"github.com/wsflow/wsflow/router/wstest"
)

// A read limit of 0 is no limit, as a Group of 0 is: a message larger
// than the default limit is read whole and echoed.
func TestReadLimitZeroIsNoLimit(t *testing.T) {
	big := strings.Repeat("x", router.DefaultReadLimit+1)
	c := wstest.Serve(t, echoWith(router.WithReadLimit(0))).Dial(t, "/")
	c.SendText(big)
	c.ExpectText(big)
	c.Close()
}

// A negative size or duration is a programmer's error, refused where it
// is written.
func TestNegativeOptionsPanic(t *testing.T) {
	require.PanicsWithValue(t, "router: WithReadLimit: negative value -1", func() { router.WithReadLimit(-1) })
	require.PanicsWithValue(t, "router: WithKeepAlive: negative value -1s", func() { router.WithKeepAlive(-time.Second) })
	require.PanicsWithValue(t, "router: WithWriteTimeout: negative value -1ns", func() { router.WithWriteTimeout(-1) })
	require.PanicsWithValue(t, "router: NewGroup: negative maxConns -1", func() { router.NewGroup(-1) })
}
