package bench

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckURLAcceptsLoopback(t *testing.T) {
	for raw, port := range map[string]int{
		"ws://127.0.0.1:9000/echo": 9000,
		"ws://127.8.9.10:1/":       1,
		"ws://[::1]:8080/x":        8080,
		"ws://localhost:9000/echo": 9000,
		"ws://127.0.0.1/echo":      80,
	} {
		u, p, err := CheckURL(context.Background(), raw)
		require.NoError(t, err, raw)
		assert.Equal(t, raw, u.String())
		assert.Equal(t, port, p, raw)
	}
}

func TestCheckURLRefusesTheRest(t *testing.T) {
	for _, raw := range []string{
		"ws://10.0.0.1:9000/echo",
		"ws://8.8.8.8/",
		"ws://[2001:db8::1]:80/",
		"ws://0.0.0.0:9000/", // any address: not loopback
		"wss://127.0.0.1:9000/echo",
		"http://127.0.0.1:9000/echo",
		"ws:///echo",
		"ws://127.0.0.1:99999/",
		"ws://no-such-host.invalid/",
	} {
		_, _, err := CheckURL(context.Background(), raw)
		assert.Error(t, err, raw)
	}
	_, _, err := CheckURL(context.Background(), "ws://10.0.0.1:9000/echo")
	assert.ErrorContains(t, err, "not a loopback address")
}
