package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/wsflow/wsflow/router"
)

// demoConfig is the demo's configuration: its flags, each of which may
// also come from the environment (see setFromEnv).
type demoConfig struct {
	addr          string
	maxMessage    int64
	keepAlive     time.Duration
	origins       []string
	secret        string
	shutdownGrace time.Duration
	writeTimeout  time.Duration
	maxConns      int
	// handshakeTimeout bounds how long a client may take to send its
	// handshake request's line and headers; zero stands for its default,
	// defaultHandshakeTimeout (see handshakeDeadline).
	handshakeTimeout time.Duration
}

// defaultHandshakeTimeout is -handshake-timeout's default.
const defaultHandshakeTimeout = 10 * time.Second

// handshakeDeadline returns -handshake-timeout: the http.Server's
// ReadHeaderTimeout, which cuts off a client that is slow to send its
// request (slow loris). Once a socket is open it no longer applies.
func (cfg *demoConfig) handshakeDeadline() time.Duration {
	if cfg.handshakeTimeout == 0 {
		return defaultHandshakeTimeout
	}
	return cfg.handshakeTimeout
}

// sessionTTL is how long a session cookie set by /login stays valid.
const sessionTTL = 24 * time.Hour

// parseDemoFlags reads the demo's configuration from args and the
// environment. Mistakes are reported on stderr and returned as a
// usageError; -h returns flag.ErrHelp.
func parseDemoFlags(args []string, stderr io.Writer) (*demoConfig, error) {
	cfg := &demoConfig{
		addr:          "localhost:9000",
		maxMessage:    router.DefaultReadLimit,
		keepAlive:     router.DefaultKeepAlive,
		shutdownGrace: 5 * time.Second,
		writeTimeout:  router.DefaultWriteTimeout,
		maxConns:      10000,
	}
	fs := flag.NewFlagSet("wsflow demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.addr, "addr", cfg.addr, "listen on `HOST:PORT`")
	fs.Var(intFlag[int64]{&cfg.maxMessage, 1}, "max-message", "largest message a socket accepts, in `bytes`; a larger one closes it with 1009")
	fs.Var(durationFlag{&cfg.keepAlive}, "keepalive", "ping `interval`; a peer whose pong is missing at the next ping is dropped (0 disables)")
	fs.Var(originsFlag{&cfg.origins}, "origins", "comma-separated `patterns` of other origins allowed to connect, e.g. *.example.com or https://app.example.com")
	fs.StringVar(&cfg.secret, "secret", "", "session signing `key` (default: random per process)")
	fs.Var(durationFlag{&cfg.shutdownGrace}, "shutdown-grace", "how `long` open sockets get to close on SIGINT or SIGTERM")
	fs.Var(durationFlag{&cfg.writeTimeout}, "write-timeout", "how `long` a peer may take to accept a write before it is dropped (0: no limit)")
	fs.Var(intFlag[int]{&cfg.maxConns, 0}, "max-conns", "most open `sockets`; a handshake beyond it gets 503 (0: no limit)")
	fs.Var(positiveDurationFlag{&cfg.handshakeTimeout, defaultHandshakeTimeout}, "handshake-timeout", "how `long` a client may take to send its handshake request; a slower one is disconnected")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: wsflow demo [flags]\n\n"+
			"Serves the demo application. Each flag may also be set with an environment\n"+
			"variable WSFLOW_<NAME>, e.g. WSFLOW_MAX_MESSAGE (empty counts as unset);\n"+
			"the command line wins.\n\n")
		fs.PrintDefaults()
	}

	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if err := setFromEnv(fs, os.LookupEnv); err != nil {
		fmt.Fprintf(stderr, "wsflow demo: %v\n", err)
		return nil, usageError{err}
	}
	return cfg, nil
}

// sessionKey returns the key of -secret, or a random one.
func (cfg *demoConfig) sessionKey() []byte {
	if cfg.secret != "" {
		return []byte(cfg.secret)
	}
	key := make([]byte, 32)
	rand.Read(key) // never fails (crypto/rand)
	return key
}

// newDemo returns the demo application configured by cfg, logging to
// logger, its sockets tracked by group.
func newDemo(cfg *demoConfig, logger *slog.Logger, group *router.Group) *demo {
	return &demo{
		logger:   logger,
		sessions: newSessions(cfg.sessionKey(), sessionTTL),
		rooms:    newRooms(chatMemberBuffer),
		opts: []router.Option{
			router.WithReadLimit(cfg.maxMessage),
			router.WithKeepAlive(cfg.keepAlive),
			router.WithOrigins(cfg.origins...),
			router.WithWriteTimeout(cfg.writeTimeout),
			router.WithLogger(logger),
			router.WithGroup(group),
		},
	}
}

// runDemo serves the demo application until ctx ends, then shuts it down
// gracefully.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseDemoFlags(args, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	group := router.NewGroup(cfg.maxConns)
	d := newDemo(cfg, logger, group)
	srv := &http.Server{
		Handler:           d.routes(),
		ReadHeaderTimeout: cfg.handshakeDeadline(),
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "listening on http://%s\n", listenURLHost(cfg.addr, ln.Addr()))
	logger.Info("demo listening", "addr", ln.Addr().String(), "max_message", cfg.maxMessage,
		"keepalive", cfg.keepAlive, "write_timeout", cfg.writeTimeout, "max_conns", cfg.maxConns,
		"handshake_timeout", cfg.handshakeDeadline())
	return serve(ctx, srv, ln, group, cfg.shutdownGrace, logger)
}

// serve runs srv on ln until ctx ends, then shuts down within grace: every
// open socket of group is sent 1001 once what it was sent before has been
// written, and the HTTP server stops. Whatever is still open when grace is
// over is dropped. It returns nil after a shutdown.
func serve(ctx context.Context, srv *http.Server, ln net.Listener, group *router.Group, grace time.Duration, logger *slog.Logger) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}

	logger.Info("demo shutting down", "grace", grace)
	graceCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := group.Shutdown(graceCtx); err != nil {
		logger.Warn("grace period over: dropped the sockets still open", "error", err)
	}
	if err := srv.Shutdown(graceCtx); err != nil {
		logger.Warn("grace period over: closing the HTTP connections still open", "error", err)
		srv.Close()
	}
	<-served // http.ErrServerClosed
	logger.Info("demo stopped")
	return nil
}

// listenURLHost returns the HOST:PORT of the listening line: the host of
// -addr ("localhost" when it names none) and the port actually bound, so
// that -addr 127.0.0.1:0 reports the port the system chose.
func listenURLHost(addr string, bound net.Addr) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return bound.String()
	}
	if tcp, ok := bound.(*net.TCPAddr); ok {
		port = strconv.Itoa(tcp.Port)
	}
	if host == "" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
