package demo

import (
	"bytes"
	"flag"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/router/wstest"
)

// TestHandshakeTimeout: a client that opens a connection and sends half a
// request line (a slow loris) is disconnected by the server once
// -handshake-timeout has passed, while a socket opened within it is not
// bound by it.
func TestHandshakeTimeout(t *testing.T) {
	const timeout = 100 * time.Millisecond
	for _, tt := range []struct {
		name string
		env  string
		args []string
	}{
		{"flag", "", []string{"-handshake-timeout", timeout.String()}},
		{"environment", timeout.String(), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv("WSFLOW_HANDSHAKE_TIMEOUT", tt.env)
			}
			d := startCommand(t, tt.args...)

			t.Run("half a request line", func(t *testing.T) {
				conn, err := net.Dial("tcp", d.addr)
				require.NoError(t, err)
				defer conn.Close()
				_, err = io.WriteString(conn, "GET /echo HT")
				require.NoError(t, err)
				// The deadline only bounds the wait: the server must close
				// the connection well before. net/http answers a request
				// line cut off by its ReadHeaderTimeout with a bare 400,
				// or with nothing when it had read nothing.
				require.NoError(t, conn.SetReadDeadline(time.Now().Add(testTimeout)))
				got, err := io.ReadAll(conn)
				require.NoError(t, err, "the server did not close the connection")
				if len(got) > 0 {
					require.True(t, strings.HasPrefix(string(got), "HTTP/1.1 400 Bad Request\r\n"), "%q", got)
					require.Contains(t, string(got), "\r\nConnection: close\r\n")
				}
			})

			t.Run("an open socket outlives it", func(t *testing.T) {
				c := wstest.Dial(t, d.wsURL("/echo"))
				opened := time.Now()
				for i := 0; i < 10 || time.Since(opened) < 3*timeout; i++ {
					echoes(t, c, []string{strings.Repeat("é", i)}, identity)
				}
				c.Close()
			})
		})
	}
}

func TestHandshakeTimeoutFlag(t *testing.T) {
	cfg, err := ParseFlags(nil, io.Discard)
	require.NoError(t, err)
	require.Equal(t, 10*time.Second, cfg.handshakeDeadline(), "default")
	cfg, err = ParseFlags([]string{"-handshake-timeout", "1m30s"}, io.Discard)
	require.NoError(t, err)
	require.Equal(t, 90*time.Second, cfg.handshakeDeadline())

	var usage bytes.Buffer
	_, err = ParseFlags([]string{"-h"}, &usage)
	require.ErrorIs(t, err, flag.ErrHelp)
	require.Contains(t, usage.String(), "-handshake-timeout duration")
	require.Contains(t, usage.String(), "-write-timeout duration")
	require.Contains(t, usage.String(), "-shutdown-grace duration")
	require.Contains(t, usage.String(), "(default 10s)")

	for _, tt := range []struct{ value, stderr string }{
		{"0", `invalid value "0" for flag -handshake-timeout: must be positive`},
		{"-1s", `invalid value "-1s" for flag -handshake-timeout: must be positive`},
		{"10", `invalid value "10" for flag -handshake-timeout: not a duration`},
	} {
		code, stderr, _ := runRefused(t, "-handshake-timeout", tt.value)
		require.Equal(t, 2, code)
		require.Contains(t, stderr, tt.stderr)
	}
	t.Setenv("WSFLOW_HANDSHAKE_TIMEOUT", "never")
	code, stderr, _ := runRefused(t, "-addr", "127.0.0.1:0")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `invalid value "never" for WSFLOW_HANDSHAKE_TIMEOUT`)
}
