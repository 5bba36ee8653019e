package demo

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/wsflow/wsflow/internal/cli"
	"github.com/wsflow/wsflow/message"
)

// ParseFlags reads the demo's configuration from args and the
// environment (WSFLOW_<NAME>, the command line winning). Mistakes are
// reported on stderr and returned as a cli.UsageError; -h prints the
// usage and returns flag.ErrHelp.
func ParseFlags(args []string, stderr io.Writer) (Config, error) {
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("wsflow demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen on `HOST:PORT`")
	fs.Var(cli.Int[int64]{P: &cfg.MaxMessage, Min: 1}, "max-message", "largest message a socket accepts, in `bytes`; a larger one closes it with 1009")
	fs.Var(cli.Duration{P: &cfg.KeepAlive}, "keepalive", "ping `interval`; a peer whose pong is missing at the next ping is dropped (0 disables)")
	fs.Var(originsFlag{&cfg.Origins}, "origins", "comma-separated `patterns` of other origins allowed to connect, e.g. *.example.com or https://app.example.com")
	fs.StringVar(&cfg.Secret, "secret", "", "session signing `key` (default: random per process)")
	fs.Var(cli.Duration{P: &cfg.ShutdownGrace}, "shutdown-grace", "how long open sockets get to close on SIGINT or SIGTERM, a `duration`")
	fs.Var(cli.Duration{P: &cfg.WriteTimeout}, "write-timeout", "how long a peer may take to accept a write before it is dropped, a `duration` (0: no limit)")
	fs.Var(cli.Int[int]{P: &cfg.MaxConns, Min: 0}, "max-conns", "most open `sockets`; a handshake beyond it gets 503 (0: no limit)")
	fs.Var(cli.PositiveDuration{P: &cfg.HandshakeTimeout, Default: defaultHandshakeTimeout}, "handshake-timeout", "how long a client may take to send its handshake request, or a plain request with its body, a `duration`; a slower one is disconnected")
	fs.Var(compressionFlag{&cfg.Compression}, "compression", "permessage-deflate for every socket whose client offers it: `mode` off, context-takeover or no-context-takeover")
	fs.Var(natsFlag{&cfg.NATS}, "nats", "rooms across servers: `embedded` (a NATS server in this process, on -nats-listen) or comma-separated nats://HOST:PORT URLs of NATS with JetStream (default: rooms in this process only)")
	fs.StringVar(&cfg.NATSListen, "nats-listen", cfg.NATSListen, "where the embedded NATS server of -nats embedded listens, `HOST:PORT`")
	fs.Var(cli.Int[int64]{P: &cfg.HistoryBytes, Min: 1}, "history-bytes", "payload `bytes` that all rooms' histories hold together; past it the oldest events go first")
	fs.Var(cli.Int[int]{P: &cfg.NATSReplicas, Min: 1}, "nats-replicas", "JetStream `replicas` of the rooms' streams with -nats (3 for a 3-node NATS cluster)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: wsflow demo [flags]\n\n"+
			"Serves the demo application. Each flag may also be set with an environment\n"+
			"variable WSFLOW_<NAME>, e.g. WSFLOW_MAX_MESSAGE (empty counts as unset);\n"+
			"the command line wins.\n\n")
		fs.PrintDefaults()
	}
	if err := cli.ParseWithEnv(fs, args); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// originsFlag is a comma-separated list of origin patterns in path.Match
// syntax; blank entries are dropped.
type originsFlag struct{ p *[]string }

// String returns the patterns, comma-separated.
func (f originsFlag) String() string {
	if f.p == nil {
		return ""
	}
	return strings.Join(*f.p, ",")
}

// Set parses a comma-separated list of patterns.
func (f originsFlag) Set(s string) error {
	var patterns []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("bad pattern %q: %v", p, err)
		}
		patterns = append(patterns, p)
	}
	*f.p = patterns
	return nil
}

// natsFlag is -nats: empty, "embedded", or comma-separated nats:// URLs.
type natsFlag struct{ p *string }

// String returns the flag's value.
func (f natsFlag) String() string {
	if f.p == nil {
		return ""
	}
	return *f.p
}

// Set checks that s is empty, "embedded", or a list of nats://HOST:PORT
// URLs; which of them can be reached is Run's business.
func (f natsFlag) Set(s string) error {
	s = strings.TrimSpace(s)
	if s != "" && s != natsEmbedded {
		for u := range strings.SplitSeq(s, ",") {
			rest, ok := strings.CutPrefix(strings.TrimSpace(u), "nats://")
			if !ok || rest == "" {
				return fmt.Errorf("want embedded or nats://HOST:PORT URLs, comma-separated; got %q", u)
			}
		}
	}
	*f.p = s
	return nil
}

// compressionFlag is -compression: off, context-takeover or
// no-context-takeover.
type compressionFlag struct{ p *message.Compression }

// compressionModes are -compression's values, in its usage's order.
var compressionModes = []struct {
	name string
	mode message.Compression
}{
	{"off", message.CompressionDisabled},
	{"context-takeover", message.CompressionContextTakeover},
	{"no-context-takeover", message.CompressionNoContextTakeover},
}

// String returns the flag's value by name.
func (f compressionFlag) String() string {
	for _, m := range compressionModes {
		if f.p != nil && *f.p == m.mode {
			return m.name
		}
	}
	return compressionModes[0].name
}

// Set sets the mode named s.
func (f compressionFlag) Set(s string) error {
	for _, m := range compressionModes {
		if strings.TrimSpace(s) == m.name {
			*f.p = m.mode
			return nil
		}
	}
	return errors.New("want off, context-takeover or no-context-takeover")
}
