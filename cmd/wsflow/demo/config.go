package demo

import (
	"crypto/rand"
	"log/slog"
	"time"

	"github.com/wsflow/wsflow/broker"
	"github.com/wsflow/wsflow/message"
	"github.com/wsflow/wsflow/router"
)

// Config is the demo's configuration: the values of its flags (see
// docs/demo.md), and where it logs.
type Config struct {
	Addr          string        // -addr: where Run listens, HOST:PORT
	MaxMessage    int64         // -max-message: the largest message a socket reads, in bytes
	KeepAlive     time.Duration // -keepalive: the ping interval; 0 disables pings
	Origins       []string      // -origins: origin patterns allowed besides the server's own host
	Secret        string        // -secret: the session signing key; empty for a random one
	ShutdownGrace time.Duration // -shutdown-grace: how long open sockets get to close
	WriteTimeout  time.Duration // -write-timeout: how long a write may wait for the peer; 0: no limit
	MaxConns      int           // -max-conns: the most open sockets; 0: no limit
	// Compression is -compression: the permessage-deflate mode every
	// socket route negotiates with a client that offers it.
	Compression message.Compression
	// HandshakeTimeout is -handshake-timeout: how long a client may take to
	// send its handshake request's line and headers, or a plain request's
	// line, headers and declared body. Zero stands for its default, 10s.
	HandshakeTimeout time.Duration
	// NATS is -nats: empty for rooms in this process only, "embedded" for
	// a NATS server started inside the process on NATSListen, or
	// comma-separated nats:// URLs of a NATS server or cluster with
	// JetStream. Run reads it; New uses Broker instead.
	NATS string
	// NATSListen is -nats-listen: where the embedded NATS server listens,
	// HOST:PORT (port 0: one the system chooses).
	NATSListen string
	// HistoryBytes is -history-bytes: the payload bytes that all rooms'
	// histories hold together.
	HistoryBytes int64
	// NATSReplicas is -nats-replicas: the JetStream replicas of the rooms'
	// streams.
	NATSReplicas int
	// Broker carries the rooms of /chat and /rooms; nil for rooms in this
	// process only (broker.InProcess). New uses it as it is and never
	// closes it: Run sets it from NATS, and closes it once the App has
	// shut down.
	Broker broker.Broker

	// Logger receives the demo's structured logs: one line per socket
	// opened and closed, and what the /ticks and /callbacks sockets log.
	// Nil discards them.
	Logger *slog.Logger
}

// defaultHandshakeTimeout is -handshake-timeout's default.
const defaultHandshakeTimeout = 10 * time.Second

// DefaultConfig returns the configuration of "wsflow demo" with no flags
// and no WSFLOW_* variables set.
func DefaultConfig() Config {
	return Config{
		Addr:             "localhost:9000",
		MaxMessage:       router.DefaultReadLimit,
		KeepAlive:        router.DefaultKeepAlive,
		ShutdownGrace:    5 * time.Second,
		WriteTimeout:     router.DefaultWriteTimeout,
		MaxConns:         10000,
		HandshakeTimeout: defaultHandshakeTimeout,
		NATSListen:       defaultNATSListen,
		HistoryBytes:     broker.DefaultHistoryBytes,
		NATSReplicas:     1,
	}
}

// handshakeDeadline returns -handshake-timeout: the http.Server's
// ReadTimeout, which cuts off a client that is slow to send its request
// (slow loris), body included. Once a socket is open it no longer
// applies.
func (cfg *Config) handshakeDeadline() time.Duration {
	if cfg.HandshakeTimeout == 0 {
		return defaultHandshakeTimeout
	}
	return cfg.HandshakeTimeout
}

// sessionKey returns the key of -secret, or a random one.
func (cfg *Config) sessionKey() []byte {
	if cfg.Secret != "" {
		return []byte(cfg.Secret)
	}
	key := make([]byte, 32)
	rand.Read(key) // never fails (crypto/rand)
	return key
}

// logger returns cfg.Logger, or a logger that discards.
func (cfg *Config) logger() *slog.Logger {
	if cfg.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return cfg.Logger
}
