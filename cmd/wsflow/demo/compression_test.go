package demo

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router/wstest"
)

// TestCompression: with -compression, every socket route negotiates
// permessage-deflate with a client that offers it, and a message that
// inflates past -max-message closes with 1009; without it, none does.
func TestCompression(t *testing.T) {
	for _, tt := range []struct {
		value string
		mode  message.Compression
	}{
		{"context-takeover", message.CompressionContextTakeover},
		{"no-context-takeover", message.CompressionNoContextTakeover},
	} {
		t.Run(tt.value, func(t *testing.T) {
			d := startDemo(t, "-compression", tt.value, "-max-message", "1000")
			for _, path := range []string{"/echo", "/bytes", "/json", "/raw", "/hello-once", "/chat/lobby?name=ann", "/rooms/lobby?name=ann"} {
				c := wstest.Dial(t, d.wsURL(path), wstest.WithCompression(tt.mode))
				ext := c.Response().Header.Get("Sec-WebSocket-Extensions")
				require.Contains(t, ext, "permessage-deflate", path)
				require.Equal(t, tt.mode == message.CompressionNoContextTakeover, strings.Contains(ext, "no_context_takeover"), "%s: %s", path, ext)
				c.CloseNow()
			}
			c := wstest.Dial(t, d.wsURL("/echo"), wstest.WithCompression(tt.mode))
			echoes(t, c, []string{strings.Repeat("compressible ", 70), "é"}, identity)
			c.SendText(strings.Repeat("a", 1001)) // a few bytes on the wire
			require.Equal(t, message.MessageTooBig, closeOf(t, c).Code)
		})
	}
	t.Run("off", func(t *testing.T) {
		d := startDemo(t)
		c := wstest.Dial(t, d.wsURL("/echo"), wstest.WithCompression(message.CompressionContextTakeover))
		require.Empty(t, c.Response().Header.Get("Sec-WebSocket-Extensions"))
		echoes(t, c, []string{strings.Repeat("compressible ", 70)}, identity)
	})
}

func TestCompressionFlag(t *testing.T) {
	cfg, err := ParseFlags(nil, io.Discard)
	require.NoError(t, err)
	require.Equal(t, message.CompressionDisabled, cfg.Compression, "default")
	for value, mode := range map[string]message.Compression{
		"off":                 message.CompressionDisabled,
		"context-takeover":    message.CompressionContextTakeover,
		"no-context-takeover": message.CompressionNoContextTakeover,
	} {
		cfg, err := ParseFlags([]string{"-compression", value}, io.Discard)
		require.NoError(t, err)
		require.Equal(t, mode, cfg.Compression, value)
	}
	t.Setenv("WSFLOW_COMPRESSION", "no-context-takeover")
	cfg, err = ParseFlags(nil, io.Discard)
	require.NoError(t, err)
	require.Equal(t, message.CompressionNoContextTakeover, cfg.Compression, "environment")

	code, stderr, _ := runRefused(t, "-compression", "gzip")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `invalid value "gzip" for flag -compression: want off, context-takeover or no-context-takeover`)
	t.Setenv("WSFLOW_COMPRESSION", "on")
	code, stderr, _ = runRefused(t, "-addr", "127.0.0.1:0")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `invalid value "on" for WSFLOW_COMPRESSION`)
}
