package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/wsflow/wsflow/internal/cli"
)

// Run is the "wsflow demo" command: it reads the configuration from args
// and the environment (see ParseFlags), serves the demo on -addr, prints
// "listening on http://HOST:PORT" on stdout once it accepts connections,
// logs to stderr, and when ctx ends shuts down within -shutdown-grace and
// returns nil. A mistake in args or the environment is a cli.UsageError.
// With -nats it connects to NATS (or starts the embedded server) before it
// listens, and fails when NATS cannot be reached; it closes the connection
// (and stops the embedded server) once it has shut down.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := ParseFlags(args, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	cfg.Logger = logger
	b, closeBroker, err := openBroker(&cfg, logger)
	if err != nil {
		return fmt.Errorf("rooms: %w", err)
	}
	defer closeBroker() // once every socket has closed: none is left to close with 1013
	cfg.Broker = b
	app := New(cfg)
	srv := &http.Server{
		Handler: app,
		// A request's line, headers and declared body must all arrive
		// within it: net/http reads an unread body before it answers,
		// and the deadline ends a body that never comes. A hijacked
		// socket's connection has its deadlines cleared by net/http.
		ReadTimeout: cfg.handshakeDeadline(),
		IdleTimeout: 2 * time.Minute,
		ErrorLog:    slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "listening on http://%s\n", cli.ListenURLHost(cfg.Addr, ln.Addr()))
	logger.Info("demo listening", "addr", ln.Addr().String(), "max_message", cfg.MaxMessage,
		"keepalive", cfg.KeepAlive, "write_timeout", cfg.WriteTimeout, "max_conns", cfg.MaxConns,
		"handshake_timeout", cfg.handshakeDeadline(), "compression", compressionFlag{&cfg.Compression}.String(), "nats", cfg.NATS)
	return serve(ctx, srv, ln, app, cfg.ShutdownGrace, logger)
}

// serve runs srv on ln until ctx ends, then shuts down within grace: every
// open socket of app is sent 1001 once what it was sent before has been
// written, and the HTTP server stops. Whatever is still open when grace is
// over is dropped. It returns nil after a shutdown.
func serve(ctx context.Context, srv *http.Server, ln net.Listener, app *App, grace time.Duration, logger *slog.Logger) error {
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
	if err := app.Shutdown(graceCtx); err != nil {
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
