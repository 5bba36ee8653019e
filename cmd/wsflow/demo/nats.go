package demo

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/broker/natsbroker"
)

// natsEmbedded is the -nats value that starts a NATS server in the
// process.
const natsEmbedded = "embedded"

// defaultNATSListen is -nats-listen's default.
const defaultNATSListen = "127.0.0.1:4222"

// natsStartTimeout bounds how long the embedded NATS server may take to
// accept connections.
const natsStartTimeout = 10 * time.Second

// openBroker returns the broker that -nats asks for and the function that
// closes it (and stops the embedded NATS server, removing its storage):
// nil for rooms in this process only, a natsbroker connected to the URLs,
// or one connected to a NATS server it starts on -nats-listen; with the
// history budget of -history-bytes and the replicas of -nats-replicas,
// when set. It fails when NATS cannot be reached.
func openBroker(cfg *Config, logger *slog.Logger) (broker.Broker, func(), error) {
	switch cfg.NATS {
	case "":
		return nil, func() {}, nil
	case natsEmbedded:
		ns, stop, err := startEmbeddedNATS(cfg.NATSListen, logger)
		if err != nil {
			return nil, nil, err
		}
		b, err := natsbroker.Connect(ns.ClientURL(), natsOptions(cfg)...)
		if err != nil {
			stop()
			return nil, nil, err
		}
		logger.Info("rooms on the embedded NATS server", "url", ns.ClientURL())
		return b, func() { b.Close(); stop() }, nil
	default:
		b, err := natsbroker.Connect(cfg.NATS, natsOptions(cfg)...)
		if err != nil {
			return nil, nil, err
		}
		logger.Info("rooms on NATS", "url", cfg.NATS)
		return b, b.Close, nil
	}
}

// natsOptions returns the natsbroker options of -history-bytes and
// -nats-replicas, each when set (> 0).
func natsOptions(cfg *Config) []natsbroker.Option {
	var opts []natsbroker.Option
	if cfg.HistoryBytes > 0 {
		opts = append(opts, natsbroker.WithHistoryBytes(cfg.HistoryBytes))
	}
	if cfg.NATSReplicas > 0 {
		opts = append(opts, natsbroker.WithReplicas(cfg.NATSReplicas))
	}
	return opts
}

// startEmbeddedNATS starts a NATS server with JetStream listening on addr
// (HOST:PORT; port 0 for one the system chooses), storing in a temporary
// directory. stop shuts it down and removes the directory.
func startEmbeddedNATS(addr string, logger *slog.Logger) (ns *server.Server, stop func(), err error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("-nats-listen %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return nil, nil, fmt.Errorf("-nats-listen %q: bad port", addr)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	dir, err := os.MkdirTemp("", "wsflow-nats-")
	if err != nil {
		return nil, nil, err
	}
	ns, err = server.NewServer(&server.Options{
		Host:      host,
		Port:      port,
		JetStream: true,
		StoreDir:  dir,
		NoSigs:    true,
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, fmt.Errorf("embedded NATS server: %w", err)
	}
	fatal := make(chan string, 1)
	ns.SetLoggerV2(&natsLogger{logger: logger.With("component", "nats-server"), fatal: fatal}, false, false, false)
	stop = func() {
		ns.Shutdown()
		ns.WaitForShutdown()
		os.RemoveAll(dir)
	}
	go ns.Start()
	deadline := time.Now().Add(natsStartTimeout)
	for !ns.ReadyForConnections(50 * time.Millisecond) {
		select {
		case msg := <-fatal:
			stop()
			return nil, nil, fmt.Errorf("embedded NATS server on %s: %s", addr, msg)
		default:
		}
		if time.Now().After(deadline) {
			stop()
			return nil, nil, errors.New("embedded NATS server on " + addr + ": not accepting connections after " + natsStartTimeout.String())
		}
	}
	return ns, stop, nil
}

// natsLogger writes the embedded NATS server's log to the demo's, and
// reports its fatal errors (such as an address in use) to
// startEmbeddedNATS instead of exiting.
type natsLogger struct {
	logger *slog.Logger
	fatal  chan<- string
}

// Noticef logs at debug level: the server's notices (its banner, its
// settings) would crowd the demo's log, which says itself where NATS is.
func (l *natsLogger) Noticef(format string, v ...any) { l.logger.Debug(fmt.Sprintf(format, v...)) }

// Warnf logs at warning level.
func (l *natsLogger) Warnf(format string, v ...any) { l.logger.Warn(fmt.Sprintf(format, v...)) }

// Errorf logs at error level.
func (l *natsLogger) Errorf(format string, v ...any) { l.logger.Error(fmt.Sprintf(format, v...)) }

// Fatalf logs at error level and reports the error.
func (l *natsLogger) Fatalf(format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	l.logger.Error(msg)
	select {
	case l.fatal <- msg:
	default:
	}
}

// Debugf discards: debug logging is off.
func (l *natsLogger) Debugf(string, ...any) {}

// Tracef discards: tracing is off.
func (l *natsLogger) Tracef(string, ...any) {}
