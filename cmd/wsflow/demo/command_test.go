package demo

import (
	"bytes"
	"context"
	"flag"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
	"github.com/wsflow/wsflow/internal/cli"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router/wstest"
)

func TestListeningLineAndShutdown(t *testing.T) {
	d := startCommand(t)
	c := wstest.Dial(t, d.wsURL("/echo"))
	echoes(t, c, []string{"before shutdown"}, identity)

	stopped := make(chan error, 1)
	go func() { stopped <- d.stop() }()
	c.ExpectClose(message.GoingAway, "going away")
	require.NoError(t, <-stopped)

	require.Equal(t, "listening on http://"+d.addr+"\n", d.stdout.String(), "exactly one line on stdout")
	logs := d.logs.String()
	require.Contains(t, logs, `msg="websocket open" route="GET /echo"`)
	require.Contains(t, logs, `msg="websocket closed" route="GET /echo"`)
	require.Contains(t, logs, "code=1001")
	require.Contains(t, logs, `msg="demo stopped"`)
}

func TestShutdownGraceDropsSilentPeers(t *testing.T) {
	d := startCommand(t, "-shutdown-grace", "50ms")
	// A raw coder/websocket connection, which reads only when told to: a
	// client.Conn's runtime would answer the server's close at once.
	c, _, err := websocket.Dial(testCtx(t), d.wsURL("/echo"), &websocket.DialOptions{HTTPClient: httpClient})
	require.NoError(t, err)
	defer c.CloseNow()
	require.NoError(t, c.Write(testCtx(t), websocket.MessageText, []byte("hi")))
	_, p, err := c.Read(testCtx(t))
	require.NoError(t, err)
	require.Equal(t, "hi", string(p), "the socket is open and served")
	// The client reads no more, so it never answers the server's close.
	began := time.Now()
	require.NoError(t, d.stop())
	t.Logf("stopped %v after the shutdown began", time.Since(began))
	require.Contains(t, d.logs.String(), "grace period over: dropped the sockets still open")
	_, _, err = c.Read(testCtx(t))
	require.Equal(t, websocket.StatusGoingAway, websocket.CloseStatus(err), "the close frame was sent before the drop: %v", err)
}

func TestHealthz(t *testing.T) {
	d := startDemo(t)
	resp, body := get(t, d.httpURL("/healthz"), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "ok\n", body)
}

func TestIndexPage(t *testing.T) {
	d := startDemo(t)
	for _, tt := range []struct {
		name   string
		header http.Header
		url    string
	}{
		{"plain", nil, "ws://" + d.addr + "/echo"},
		{"behind TLS proxy", http.Header{"X-Forwarded-Proto": {"https"}}, "wss://" + d.addr + "/echo"},
		{"behind plain proxy", http.Header{"X-Forwarded-Proto": {"http"}}, "ws://" + d.addr + "/echo"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, d.httpURL("/"), tt.header)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
			require.Contains(t, body, `<meta name="webSocketUrl" content="`+tt.url+`">`)
			require.Contains(t, body, `document.querySelector("meta[name='webSocketUrl']")`)
		})
	}
	t.Run("other host", func(t *testing.T) {
		req, err := http.NewRequestWithContext(testCtx(t), http.MethodGet, d.httpURL("/"), nil)
		require.NoError(t, err)
		req.Host = "demo.example:8443"
		resp, err := httpClient.Do(req)
		require.NoError(t, err)
		var body bytes.Buffer
		_, err = body.ReadFrom(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Contains(t, body.String(), `content="ws://demo.example:8443/echo"`)
	})
	resp, _ := get(t, d.httpURL("/nowhere"), nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestHandshakeRules(t *testing.T) {
	d := startDemo(t, "-origins", "*.example.com, https://trusted.example.org")
	for _, path := range []string{"/echo", "/hello", "/bytes", "/json", "/model", "/hello-once", "/secure", "/close?code=1000", "/fail", "/raw",
		"/callbacks", "/ticks", "/stopwatch", "/stopwatch/query", "/actor/stopwatch", "/chat/lobby"} {
		t.Run("426 "+path, func(t *testing.T) {
			resp, body := get(t, d.httpURL(path), nil)
			require.Equal(t, http.StatusUpgradeRequired, resp.StatusCode)
			require.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
			require.Equal(t, "426 upgrade required: this URL serves WebSocket connections only\n", body)
		})
	}
	for _, origin := range []string{"http://evil.example", "http://example.com.evil.example", "http://trusted.example.org", "https://" + d.addr + ".evil"} {
		t.Run("403 "+origin, func(t *testing.T) {
			status, body := refused(t, d.wsURL("/echo"), wstest.WithHeader("Origin", origin))
			require.Equal(t, http.StatusForbidden, status)
			require.Equal(t, "403 forbidden: origin not allowed\n", body)
		})
	}
	for _, origin := range []string{"http://" + d.addr, "https://app.example.com", "https://trusted.example.org"} {
		t.Run("allowed "+origin, func(t *testing.T) {
			c := wstest.Dial(t, d.wsURL("/echo"), wstest.WithHeader("Origin", origin))
			echoes(t, c, []string{"hi"}, identity)
		})
	}
}

func TestMaxMessage(t *testing.T) {
	t.Run("default 64 KiB", func(t *testing.T) {
		d := startDemo(t)
		c := wstest.Dial(t, d.wsURL("/echo"))
		echoes(t, c, []string{strings.Repeat("x", 65536)}, identity)
		c.SendText(strings.Repeat("x", 65537))
		c.ExpectCloseCode(message.MessageTooBig)
	})
	t.Run("from the environment", func(t *testing.T) {
		t.Setenv("WSFLOW_MAX_MESSAGE", "16")
		d := startDemo(t)
		c := wstest.Dial(t, d.wsURL("/echo"))
		echoes(t, c, []string{strings.Repeat("x", 16)}, identity)
		c.SendText(strings.Repeat("x", 17))
		c.ExpectCloseCode(message.MessageTooBig)
	})
	t.Run("the flag beats the environment", func(t *testing.T) {
		t.Setenv("WSFLOW_MAX_MESSAGE", "16")
		d := startDemo(t, "-max-message", "32")
		c := wstest.Dial(t, d.wsURL("/raw"))
		echoes(t, c, []string{strings.Repeat("é", 16)}, identity)
		c.SendBinary([]byte(strings.Repeat("x", 33)))
		c.ExpectCloseCode(message.MessageTooBig)
	})
}

func TestOriginsFromEnvironment(t *testing.T) {
	t.Setenv("WSFLOW_ORIGINS", "*.example.com")
	d := startDemo(t)
	c := wstest.Dial(t, d.wsURL("/echo"), wstest.WithHeader("Origin", "https://app.example.com"))
	echoes(t, c, []string{"hi"}, identity)
}

func TestMaxConns(t *testing.T) {
	d := startDemo(t, "-max-conns", "1")
	c := wstest.Dial(t, d.wsURL("/echo"))
	echoes(t, c, []string{"first"}, identity)
	status, body := refused(t, d.wsURL("/hello"))
	require.Equal(t, http.StatusServiceUnavailable, status)
	require.Equal(t, "503 service unavailable: too many open connections\n", body)
}

// runRefused runs "wsflow demo args...", which must be refused before
// listening, and returns the exit status, stderr and Run's error.
func runRefused(t *testing.T, args ...string) (code int, stderr string, err error) {
	t.Helper()
	var stdout, errs bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a demo that started would stop at once
	err = Run(ctx, args, &stdout, &errs)
	require.Error(t, err)
	require.Empty(t, stdout.String())
	code = cli.ExitCode(err, &errs)
	return code, errs.String(), err
}

func TestBadFlags(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"-max-message", "abc"}, `invalid value "abc" for flag -max-message: not an integer`},
		{[]string{"-max-message", "0"}, `invalid value "0" for flag -max-message: must be at least 1`},
		{[]string{"-max-message", "99999999999999999999"}, `invalid value "99999999999999999999" for flag -max-message: out of range`},
		{[]string{"-keepalive", "-1s"}, `invalid value "-1s" for flag -keepalive: must not be negative`},
		{[]string{"-write-timeout", "10"}, `invalid value "10" for flag -write-timeout: not a duration`},
		{[]string{"-shutdown-grace", "soon"}, `invalid value "soon" for flag -shutdown-grace`},
		{[]string{"-max-conns", "-1"}, `invalid value "-1" for flag -max-conns: must be at least 0`},
		{[]string{"-origins", "ok.example,[bad"}, `invalid value "ok.example,[bad" for flag -origins: bad pattern "[bad": syntax error in pattern`},
		{[]string{"-nope"}, "flag provided but not defined: -nope"},
		{[]string{"extra"}, `wsflow demo: unexpected argument "extra"`},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stderr, err := runRefused(t, tt.args...)
			require.Equal(t, 2, code, "error %v", err)
			require.Contains(t, stderr, tt.stderr)
			require.Equal(t, 1, strings.Count(stderr, tt.stderr), "reported once:\n%s", stderr)
		})
	}
}

func TestBadEnvironment(t *testing.T) {
	for _, tt := range []struct{ name, value, stderr string }{
		{"WSFLOW_MAX_MESSAGE", "lots", `wsflow demo: invalid value "lots" for WSFLOW_MAX_MESSAGE: not an integer`},
		{"WSFLOW_KEEPALIVE", "-5s", `wsflow demo: invalid value "-5s" for WSFLOW_KEEPALIVE: must not be negative`},
		{"WSFLOW_MAX_CONNS", "many", `wsflow demo: invalid value "many" for WSFLOW_MAX_CONNS: not an integer`},
		{"WSFLOW_SHUTDOWN_GRACE", "1 minute", `wsflow demo: invalid value "1 minute" for WSFLOW_SHUTDOWN_GRACE`},
		{"WSFLOW_ORIGINS", "a[", `wsflow demo: invalid value "a[" for WSFLOW_ORIGINS: bad pattern "a[": syntax error in pattern`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(tt.name, tt.value)
			code, stderr, err := runRefused(t, "-addr", "127.0.0.1:0")
			require.Equal(t, 2, code)
			require.ErrorContains(t, err, tt.name)
			require.Contains(t, stderr, tt.stderr)
		})
	}
	t.Run("the command line wins over a bad value", func(t *testing.T) {
		t.Setenv("WSFLOW_KEEPALIVE", "never")
		startCommand(t, "-keepalive", "0")
	})
	t.Run("empty means unset", func(t *testing.T) {
		t.Setenv("WSFLOW_MAX_MESSAGE", "")
		startDemo(t)
	})
}

func TestListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	code, stderr, err := runRefused(t, "-addr", ln.Addr().String())
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "wsflow: listen tcp "+ln.Addr().String())
	require.False(t, cli.IsUsage(err))
}

func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), []string{"-h"}, &stdout, &stderr)
	require.ErrorIs(t, err, flag.ErrHelp)
	require.Equal(t, 0, cli.ExitCode(err, &stderr))
	require.Contains(t, stderr.String(), "usage: wsflow demo")
	require.Empty(t, stdout.String())
}

func TestDefaults(t *testing.T) {
	cfg, err := ParseFlags(nil, new(bytes.Buffer))
	require.NoError(t, err)
	require.Equal(t, Config{
		Addr:             "localhost:9000",
		MaxMessage:       65536,
		KeepAlive:        30 * time.Second,
		ShutdownGrace:    5 * time.Second,
		WriteTimeout:     10 * time.Second,
		MaxConns:         10000,
		HandshakeTimeout: 10 * time.Second,
		NATSListen:       "127.0.0.1:4222",
		HistoryBytes:     32 << 20,
		NATSReplicas:     1,
	}, cfg)
	require.Equal(t, DefaultConfig(), cfg)
	require.Len(t, cfg.sessionKey(), 32)
	require.NotEqual(t, cfg.sessionKey(), cfg.sessionKey(), "random")
	require.Equal(t, []byte("s"), (&Config{Secret: "s"}).sessionKey())

	cfg, err = ParseFlags([]string{"-origins", " a.example,*.b.example ,, https://c.example"}, new(bytes.Buffer))
	require.NoError(t, err)
	require.Equal(t, []string{"a.example", "*.b.example", "https://c.example"}, cfg.Origins)

	cfg, err = ParseFlags([]string{"-history-bytes", "1048576", "-nats-replicas", "3"}, new(bytes.Buffer))
	require.NoError(t, err)
	require.Equal(t, int64(1<<20), cfg.HistoryBytes)
	require.Equal(t, 3, cfg.NATSReplicas)
	t.Setenv("WSFLOW_HISTORY_BYTES", "4096")
	t.Setenv("WSFLOW_NATS_REPLICAS", "5")
	cfg, err = ParseFlags(nil, new(bytes.Buffer))
	require.NoError(t, err)
	require.Equal(t, int64(4096), cfg.HistoryBytes)
	require.Equal(t, 5, cfg.NATSReplicas)
	for _, args := range [][]string{{"-history-bytes", "0"}, {"-nats-replicas", "0"}} {
		_, err = ParseFlags(args, new(bytes.Buffer))
		require.True(t, cli.IsUsage(err), "%q", args)
	}
}
